// The in-memory twin of the SQL filter in storage (docs/audit.md), for events
// that never touch a query: the live subscription. Same semantics: every field
// left out matches everything; `actorEmail`, `resourceName` and the others match
// exactly; `role` matches events whose actorRoles include it; `since` is
// inclusive and `until` exclusive.
import type { AuditEventRecord } from "./audit-event";
import type { AuditFilter } from "./audit-filter";

export function matchesAuditFilter(filter: AuditFilter, event: AuditEventRecord): boolean {
  if (filter.actorId != null && event.actorId !== filter.actorId) return false;
  if (filter.actorEmail != null && event.actorEmail !== filter.actorEmail) return false;
  if (filter.role != null && !event.actorRoles.includes(filter.role)) return false;
  if (filter.decision != null && event.decision !== filter.decision) return false;
  if (filter.operation != null && event.operation !== filter.operation) return false;
  if (filter.resourceType != null && event.resourceType !== filter.resourceType) return false;
  if (filter.resourceName != null && event.resourceName !== filter.resourceName) return false;
  if (filter.since != null && event.time.getTime() < filter.since.getTime()) return false;
  if (filter.until != null && event.time.getTime() >= filter.until.getTime()) return false;
  return true;
}
