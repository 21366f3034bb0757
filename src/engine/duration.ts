// Durations as written in role documents: `90s`, `30m`, `8h`, `1h30m`, `7d`.

import { ValidationError } from "./validation-error";

const UNITS: ReadonlyArray<[string, number]> = [
  ["d", 86400],
  ["h", 3600],
  ["m", 60],
  ["s", 1],
];
export const DURATION = /^(?:([0-9]{1,7})d)?(?:([0-9]{1,7})h)?(?:([0-9]{1,9})m)?(?:([0-9]{1,10})s)?$/;
/** Ten years: longer is certainly a mistake, and keeps every value a safe integer. */
export const MAX_DURATION_SECONDS = 3650 * 86400;

/** Why `text` is not a duration, or null. */
export function durationProblem(text: string): string | null {
  const m = typeof text === "string" && text.length <= 40 ? DURATION.exec(text) : null;
  if (!m || text === "")
    return `invalid duration '${String(text).slice(0, 40)}' (write it like 90s, 30m, 8h, 1h30m or 7d)`;
  if (secondsOf(m) > MAX_DURATION_SECONDS) return `duration '${text}' is longer than ${MAX_DURATION_SECONDS / 86400}d`;
  return null;
}

function secondsOf(m: RegExpExecArray): number {
  return UNITS.reduce((sum, [, factor], i) => sum + Number(m[i + 1] ?? 0) * factor, 0);
}

/** Seconds in a duration; throws ValidationError (path `duration`) when malformed. */
export function parseDuration(text: string): number {
  const problem = durationProblem(text);
  if (problem !== null) throw new ValidationError([{ path: "duration", message: problem }]);
  return secondsOf(DURATION.exec(text)!);
}

/** Writes seconds in the largest units that add up exactly: 5400 → "1h30m", 0 → "0s". */
export function formatDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw new RangeError(`not a duration: ${seconds}`);
  if (seconds === 0) return "0s";
  let rest = seconds;
  let out = "";
  for (const [unit, factor] of UNITS) {
    const n = Math.floor(rest / factor);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * factor;
  }
  return out;
}
