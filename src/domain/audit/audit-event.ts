import type { DecisionReason, Effect } from "../../engine/types";

/**
 * Why an audited decision came out as it did: the engine's reasons, and
 * ESCALATION_DENIED for a write refused because it would give more than the
 * actor may do (src/domain/audit/escalation-audit.ts).
 */
export type AuditReason = DecisionReason | "ESCALATION_DENIED";

/** One authorization decision, as handed to the audit log (docs/audit.md). */
export interface AuditEventInput {
  time: Date;
  actorId: string | null;
  actorEmail: string | null;
  actorRoles: string[];
  tokenId: string | null;
  sourceIp: string | null;
  /** `Query.users`, `Mutation.createRole`, `check`, `authenticate`, `login`. */
  operation: string;
  action: string | null;
  resourceType: string | null;
  resourceNamespace: string | null;
  resourceName: string | null;
  subjectId: string | null;
  decision: Effect;
  reason: AuditReason;
  requestId: string | null;
  metadata: Record<string, unknown> | null;
}

/** A written event: numbered from 1 without gaps and chained to the one before. */
export interface AuditEventRecord extends AuditEventInput {
  id: string;
  sequence: number;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = "0".repeat(64);
