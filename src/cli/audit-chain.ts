// Recomputes the hash chain of an exported audit trail (NDJSON, oldest first)
// without the server: each event's hash from its prevHash and content with the
// same rule the server writes it with, and each event's prevHash against the
// hash of the event before it.
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { eventHash } from "../domain/audit/audit-hash";

export const GENESIS_HASH = "0".repeat(64);

export interface ChainCheck {
  checked: number;
  firstSequence: number | null;
  lastSequence: number | null;
  /** Hash of the last event checked: compare with the server's head. */
  head: string | null;
  /** The first problem found, or null when the chain holds. */
  broken: { line: number; sequence: number | null; problem: string } | null;
  /** Places where sequences jump: events are missing there (a filtered or cut export), so the link across cannot be checked. */
  gaps: Array<{ after: number; before: number }>;
}

export async function checkChain(input: Readable, onProgress?: (checked: number) => void): Promise<ChainCheck> {
  const result: ChainCheck = {
    checked: 0,
    firstSequence: null,
    lastSequence: null,
    head: null,
    broken: null,
    gaps: [],
  };
  let previous: { sequence: number; hash: string } | null = null;
  let lineNumber = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNumber++;
    if (line.trim() === "") continue;
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line) as Record<string, unknown>;
    } catch {
      result.broken = { line: lineNumber, sequence: null, problem: "not a JSON object" };
      return result;
    }
    const sequence = typeof event.sequence === "number" ? event.sequence : null;
    const fail = (problem: string) => {
      result.broken = { line: lineNumber, sequence, problem };
      return result;
    };
    if (sequence === null || typeof event.hash !== "string" || typeof event.prevHash !== "string")
      return fail("missing sequence, hash or prevHash");
    if (eventHash(event.prevHash, event as never) !== event.hash)
      return fail("hash does not match the event's content (the event was altered)");
    if (sequence === 1 && event.prevHash !== GENESIS_HASH) return fail("the first event's prevHash is not 64 zeros");
    if (previous) {
      if (sequence <= previous.sequence)
        return fail(`sequence ${sequence} after ${previous.sequence}: events out of order or repeated`);
      if (sequence === previous.sequence + 1) {
        if (event.prevHash !== previous.hash)
          return fail(
            `prevHash does not match the hash of sequence ${previous.sequence} (an event was removed, replaced or reordered)`,
          );
      } else {
        result.gaps.push({ after: previous.sequence, before: sequence });
      }
    }
    result.firstSequence ??= sequence;
    result.lastSequence = sequence;
    result.head = event.hash;
    result.checked++;
    previous = { sequence, hash: event.hash };
    if (onProgress && result.checked % 10_000 === 0) onProgress(result.checked);
  }
  return result;
}
