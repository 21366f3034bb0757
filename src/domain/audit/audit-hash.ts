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

/** A character JSON.stringify would escape in a string: quote, backslash, control characters, and surrogates (lone ones are escaped; the slow path decides). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** One field's canonical JSON. Nearly every field is a plain string or null: those take the short way. */
function field(value: unknown): string {
  if (typeof value === "string") return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
  if (value === null || value === undefined) return "null";
  return canonicalJson(value);
}

/**
 * canonicalJson of the hashed fields (AUDIT_EVENT_FIELDS, keys in sorted
 * order), written out in one template: this runs for every decision, and a
 * generic walk over the field list (or over a sorted copy of the event) cost
 * half as much again. test/unit/domain/audit-hash.test.ts checks it against
 * canonicalJson of the fields picked by AUDIT_EVENT_FIELDS.
 */
export function canonicalEvent(
  e: Omit<AuditEventRecord, "hash" | "prevHash">,
  metadata: string = field(e.metadata),
): string {
  const time = e.time instanceof Date ? `"${e.time.toISOString()}"` : field(e.time);
  return `{"action":${field(e.action)},"actorEmail":${field(e.actorEmail)},"actorId":${field(e.actorId)},"actorRoles":${field(e.actorRoles)},"decision":${field(e.decision)},"id":${field(e.id)},"metadata":${metadata},"operation":${field(e.operation)},"reason":${field(e.reason)},"requestId":${field(e.requestId)},"resourceName":${field(e.resourceName)},"resourceNamespace":${field(e.resourceNamespace)},"resourceType":${field(e.resourceType)},"sequence":${field(e.sequence)},"sourceIp":${field(e.sourceIp)},"subjectId":${field(e.subjectId)},"time":${time},"tokenId":${field(e.tokenId)}}`;
}

export function eventHash(
  prevHash: string,
  event: Omit<AuditEventRecord, "hash" | "prevHash">,
  metadata?: string,
): string {
  // One-shot hash(): about a quarter of createHash's cost per event, same digest.
  return hash("sha256", prevHash + canonicalEvent(event, metadata), "hex");
}

/**
 * The stored record of an event at its place in the chain, built field by field:
 * spreading the event into a new object cost more than hashing it, and only the
 * declared fields are kept.
 */
export function chainedRecord(
  e: AuditEventInput,
  id: string,
  sequence: number,
  prevHash: string,
  hash: string,
): AuditEventRecord {
  return {
    id,
    sequence,
    time: e.time,
    actorId: e.actorId,
    actorEmail: e.actorEmail,
    actorRoles: e.actorRoles,
    tokenId: e.tokenId,
    sourceIp: e.sourceIp,
    operation: e.operation,
    action: e.action,
    resourceType: e.resourceType,
    resourceNamespace: e.resourceNamespace,
    resourceName: e.resourceName,
    subjectId: e.subjectId,
    decision: e.decision,
    reason: e.reason,
    requestId: e.requestId,
    metadata: e.metadata,
    prevHash,
    hash,
  };
}

/**
 * The canonical JSON of metadata objects a writer thread has chained. The
 * events of one call share their metadata object (DecisionService), a
 * structured clone keeps that sharing, and nothing changes a writer's clone:
 * each object is written out once.
 */
const clonedMetadata = new WeakMap<object, string>();

function clonedMetadataJson(metadata: unknown): string {
  if (metadata === null || typeof metadata !== "object") return field(metadata);
  let json = clonedMetadata.get(metadata);
  if (json === undefined) clonedMetadata.set(metadata, (json = canonicalJson(metadata)));
  return json;
}

/**
 * A writer thread's own copy of an event (a structured clone), numbered and
 * hashed in place as the event after `prevHash`: no copy of its fields is made.
 */
export function chainInPlace(event: AuditEventInput, sequence: number, prevHash: string): AuditEventRecord {
  const record = event as AuditEventRecord;
  record.id = randomUUID();
  record.sequence = sequence;
  record.prevHash = prevHash;
  record.hash = eventHash(prevHash, record, clonedMetadataJson(record.metadata));
  return record;
}

/**
 * Numbers and chains a batch after the current head (in the audit writer, which may be a worker thread).
 * Each record is built once (chainedRecord) and hashed in place.
 */
export function chain(head: { sequence: number; hash: string }, events: AuditEventInput[]): AuditEventRecord[] {
  let { sequence, hash: prevHash } = head;
  const records = new Array<AuditEventRecord>(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    sequence += 1;
    const record = chainedRecord(e, randomUUID(), sequence, prevHash, "");
    record.hash = prevHash = eventHash(prevHash, record);
    records[i] = record;
  }
  return records;
}
