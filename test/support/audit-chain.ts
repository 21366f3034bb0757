// What the audit writer tests append and check: events whose fields vary with
// their number, and the chain rule stored records must follow.
import { expect } from "chai";
import { GENESIS_HASH, type AuditEventInput, type AuditEventRecord } from "../../src/domain/audit/audit-event";
import { eventHash } from "../../src/domain/audit/audit-hash";

/**
 * Check event `i`: roles (with a repeat) on odd numbers, a token on every
 * third, a resource name full of quotes, a backslash, SQL and an emoji on
 * every seventh, and `metadata` as given.
 */
export function decision(i: number, metadata: Record<string, unknown> | null = { i }): AuditEventInput {
  return {
    time: new Date(Date.UTC(2026, 4, 17, 9, 30, 0, i % 1000)),
    actorId: `u${i}`,
    actorEmail: `u${i}@example.com`,
    actorRoles: i % 2 ? ["viewer", "ops", "viewer"] : [],
    tokenId: i % 3 ? null : `t${i}`,
    sourceIp: "10.1.2.3",
    operation: "check",
    action: "read",
    resourceType: "job",
    resourceNamespace: "prod",
    resourceName: i % 7 ? `job-${i}` : `it's "job" \\ ${i}; COMMIT; \u{1F511}`,
    subjectId: null,
    decision: i % 3 ? "ALLOW" : "DENY",
    reason: i % 3 ? "ALLOWED" : "NO_MATCHING_RULE",
    requestId: null,
    metadata,
  };
}

/**
 * Checks stored audit records against the chain rule: numbered from 1 without
 * gaps, each one's prevHash the hash before it (64 zeros for the first), each
 * hash recomputed from its fields.
 */
export function verifyChain(records: AuditEventRecord[]): void {
  let prev = GENESIS_HASH;
  records.forEach((r, i) => {
    expect(r.sequence, "sequence").to.equal(i + 1);
    expect(r.prevHash, `prevHash of ${r.sequence}`).to.equal(prev);
    expect(eventHash(r.prevHash, r), `hash of ${r.sequence}`).to.equal(r.hash);
    prev = r.hash;
  });
}
