// The chain (docs/audit.md): hash = hex SHA-256 of prevHash followed by the
// canonical JSON of the event — every contract field but hash and prevHash,
// keys sorted at every depth, no whitespace, absent values as null, time as
// ISO-8601 UTC with milliseconds. Anyone holding an export can recompute it.
import { hash, randomUUID } from "node:crypto";
import type { AuditEventInput, AuditEventRecord } from "./audit-event";

/**
 * An event's contract fields in contract order, all but the chain's own
 * (prevHash, hash): what the hash covers and, followed by prevHash and hash,
 * what an export line holds. Here, not in audit-event.ts, so that the CLI's
 * verifier loads no other module.
 */
export const AUDIT_EVENT_FIELDS = [
  "id",
  "sequence",
  "time",
  "actorId",
  "actorEmail",
  "actorRoles",
  "tokenId",
  "sourceIp",
  "operation",
  "action",
  "resourceType",
  "resourceNamespace",
  "resourceName",
  "subjectId",
  "decision",
  "reason",
  "requestId",
  "metadata",
] as const satisfies ReadonlyArray<keyof AuditEventRecord>;

/** JSON with object keys sorted at every depth and no whitespace; undefined becomes null. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return "null";
  return JSON.stringify(value);
}

/** The hashed fields in canonical (sorted) order, each with its JSON key prefix. */
const SORTED_FIELDS = [...AUDIT_EVENT_FIELDS]
  .sort()
  .map((field, i) => ({ field, prefix: `${i === 0 ? "{" : ","}${JSON.stringify(field)}:` }));

/** canonicalJson of the hashed fields, without building and sorting an object per event (this runs for every decision). */
export function canonicalEvent(event: Omit<AuditEventRecord, "hash" | "prevHash">): string {
  let out = "";
  for (const { field, prefix } of SORTED_FIELDS) out += prefix + canonicalJson(event[field]);
  return out + "}";
}

export function eventHash(prevHash: string, event: Omit<AuditEventRecord, "hash" | "prevHash">): string {
  // One-shot hash(): about a quarter of createHash's cost per event, same digest.
  return hash("sha256", prevHash + canonicalEvent(event), "hex");
}

/** Numbers and chains a batch after the current head (in the audit writer, which may be a worker thread). */
export function chain(head: { sequence: number; hash: string }, events: AuditEventInput[]): AuditEventRecord[] {
  let { sequence, hash: prevHash } = head;
  return events.map((event) => {
    sequence += 1;
    const unhashed = { ...event, id: randomUUID(), sequence };
    const hash = eventHash(prevHash, unhashed);
    const record: AuditEventRecord = { ...unhashed, prevHash, hash };
    prevHash = hash;
    return record;
  });
}
