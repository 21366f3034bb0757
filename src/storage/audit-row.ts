// An audit event as a row of the audit tables, exactly as typeorm would store it
// on SQLite and on MySQL/MariaDB (the writer tests compare the two): the audit
// writer threads insert rows without loading typeorm. `time` is the UTC text a
// datetime(3) column holds on both (MySQL stores a DATETIME string as given, and
// typeorm's own writes format dates in UTC).
import type { AuditEventRecord } from "../domain/audit/audit-event";

/** The audit_events columns, in the order pushAuditRow appends their values. */
export const AUDIT_ROW_COLUMNS = [
  "sequence",
  "id",
  "time",
  "actor_id",
  "actor_email",
  "actor_roles",
  "token_id",
  "source_ip",
  "operation",
  "action",
  "resource_type",
  "resource_namespace",
  "resource_name",
  "subject_id",
  "decision",
  "reason",
  "request_id",
  "metadata",
  "prev_hash",
  "hash",
] as const;

/** A datetime(3) column's text: UTC, "YYYY-MM-DD HH:MM:SS.mmm". */
function datetimeText(time: Date): string {
  const iso = time.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** The stored JSON of metadata objects: the events of one call share theirs, and a writer's clones are not changed. */
const metadataText = new WeakMap<object, string>();

function metadataJson(metadata: AuditEventRecord["metadata"]): string | null {
  if (metadata === undefined) return null;
  if (metadata === null || typeof metadata !== "object") return JSON.stringify(metadata);
  let text = metadataText.get(metadata);
  if (text === undefined) metadataText.set(metadata, (text = JSON.stringify(metadata)));
  return text;
}

/**
 * A record's column values, in AUDIT_ROW_COLUMNS order, appended to `out` (a
 * writer thread fills one parameter list for a multi-row INSERT, from its own
 * clones of the events). JSON columns hold JSON text ("null" for a null value,
 * as typeorm's transformer writes it).
 */
export function pushAuditRow(out: unknown[], r: AuditEventRecord): void {
  out.push(
    String(r.sequence),
    r.id,
    datetimeText(r.time),
    r.actorId ?? null,
    r.actorEmail ?? null,
    JSON.stringify(r.actorRoles),
    r.tokenId ?? null,
    r.sourceIp ?? null,
    r.operation,
    r.action ?? null,
    r.resourceType ?? null,
    r.resourceNamespace ?? null,
    r.resourceName ?? null,
    r.subjectId ?? null,
    r.decision,
    r.reason,
    r.requestId ?? null,
    metadataJson(r.metadata),
    r.prevHash,
    r.hash,
  );
}

/** The record's rows of audit_event_roles, (sequence, role) one per distinct role, appended to `out`. */
export function pushAuditRoleRows(out: unknown[], r: AuditEventRecord): void {
  const roles = r.actorRoles;
  if (roles.length === 0) return;
  const key = String(r.sequence);
  for (let i = 0; i < roles.length; i++) if (roles.indexOf(roles[i]) === i) out.push(key, roles[i]);
}
