import type { Effect } from "../../engine/types";

/**
 * What `auditEvents`, the export and the subscription select on (docs/audit.md).
 * Every field left out matches everything; the ones given must all match.
 */
export interface AuditFilter {
  actorId?: string | null;
  /** Exact match. */
  actorEmail?: string | null;
  /** Events whose actorRoles include this role. */
  role?: string | null;
  decision?: Effect | null;
  operation?: string | null;
  resourceType?: string | null;
  /** Exact match. */
  resourceName?: string | null;
  /** Inclusive. */
  since?: Date | null;
  /** Exclusive. */
  until?: Date | null;
}
