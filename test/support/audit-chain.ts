// Checks stored audit records against the chain rule: numbered from 1 without
// gaps, each one's prevHash the hash before it (64 zeros for the first), each
// hash recomputed from its fields.
import { expect } from "chai";
import { GENESIS_HASH, type AuditEventRecord } from "../../src/domain/audit/audit-event";
import { eventHash } from "../../src/domain/audit/audit-hash";

export function verifyChain(records: AuditEventRecord[]): void {
  let prev = GENESIS_HASH;
  records.forEach((r, i) => {
    expect(r.sequence, "sequence").to.equal(i + 1);
    expect(r.prevHash, `prevHash of ${r.sequence}`).to.equal(prev);
    expect(eventHash(r.prevHash, r), `hash of ${r.sequence}`).to.equal(r.hash);
    prev = r.hash;
  });
}
