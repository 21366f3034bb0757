// An audit event as a row of the SQLite audit tables, exactly as typeorm would
// store it (test/unit/storage/sqlite-audit-row.test.ts compares the two): the
// audit writer thread inserts rows without loading typeorm.
import type { AuditEventRecord } from "../domain/audit/audit-event";

/** The audit_events columns, in the order sqliteAuditRow returns their values. */
export const SQLITE_AUDIT_COLUMNS = [
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

/** Column values in SQLITE_AUDIT_COLUMNS order. JSON columns hold JSON text ("null" for a null value, as typeorm's transformer writes it). */
export function sqliteAuditRow(r: AuditEventRecord): unknown[] {
  const row: unknown[] = [];
  pushSqliteAuditRow(row, r);
  return row;
}

/** sqliteAuditRow's values appended to `out`: the writer fills one parameter list for a multi-row INSERT. */
export function pushSqliteAuditRow(out: unknown[], r: AuditEventRecord): void {
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
    r.metadata === undefined ? null : JSON.stringify(r.metadata),
    r.prevHash,
    r.hash,
  );
}
