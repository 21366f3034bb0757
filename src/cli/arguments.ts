// Parsers for the command line's own argument formats (commander calls them and
// turns a thrown InvalidArgumentError into a usage error naming the option).
import { InvalidArgumentError } from "commander";
import { durationProblem, parseDuration } from "../engine/duration";

export interface ResourceArg {
  type: string;
  namespace: string;
  name: string;
}

/**
 * TYPE, TYPE/NAMESPACE or TYPE/NAMESPACE…/NAME: the first segment is the type,
 * the last the name, everything between the namespace (which may hold slashes).
 */
export function parseResource(text: string): ResourceArg {
  const parts = text.split("/");
  if (parts.some((p, i) => p === "" && i === 0))
    throw new InvalidArgumentError(`'${text}' is not TYPE/NAMESPACE/NAME (e.g. job/prod/web)`);
  if (parts.length === 1) return { type: parts[0], namespace: "", name: "" };
  if (parts.length === 2) return { type: parts[0], namespace: parts[1], name: "" };
  return { type: parts[0], namespace: parts.slice(1, -1).join("/"), name: parts[parts.length - 1] };
}

export function parseLabel(
  text: string,
  previous: Array<{ key: string; value: string }> = [],
): Array<{ key: string; value: string }> {
  const at = text.indexOf("=");
  if (at <= 0) throw new InvalidArgumentError(`'${text}' is not key=value`);
  return [...previous, { key: text.slice(0, at), value: text.slice(at + 1) }];
}

export function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v !== ""),
  ];
}

/** Seconds in a duration written like 90s, 30m, 8h, 1h30m or 7d. */
export function parseTtl(text: string): number {
  const problem = durationProblem(text);
  if (problem !== null) throw new InvalidArgumentError(problem);
  return parseDuration(text);
}

export function parsePositiveInt(text: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) throw new InvalidArgumentError(`'${text}' is not a positive whole number`);
  return Number(text);
}

/** A point in time: a duration back from now (7d, 12h) or an ISO-8601 date or date-time. */
export function parseWhen(text: string, now: Date = new Date()): string {
  if (durationProblem(text) === null) return new Date(now.getTime() - parseDuration(text) * 1000).toISOString();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += "T00:00:00Z";
  const date = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)
    ? new Date(text)
    : new Date(NaN);
  if (Number.isNaN(date.getTime()))
    throw new InvalidArgumentError(
      `'${text}' is neither a duration back from now (7d, 12h) nor a date (2026-01-31 or 2026-01-31T08:00:00Z)`,
    );
  return date.toISOString();
}
