import { expect } from "chai";
import type { AuditEventInput } from "../../../src/domain/audit/audit-event";
import { GroupCommitAuditLog } from "../../../src/domain/audit/group-commit-audit-log";
import { TypeormStorage } from "../../../src/storage/typeorm-storage";
import { verifyChain } from "../../support/audit-chain";
import { databaseKinds, type TestDatabase } from "../../support/databases";

function decision(i: number): AuditEventInput {
  return {
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i % 1000)),
    actorId: `u${i}`,
    actorEmail: `u${i}@example.com`,
    actorRoles: i % 2 ? ["viewer", "ops"] : [],
    tokenId: null,
    sourceIp: "127.0.0.1",
    operation: "check",
    action: "read",
    resourceType: "job",
    resourceNamespace: "prod",
    resourceName: `job-${i}`,
    subjectId: null,
    decision: i % 3 ? "ALLOW" : "DENY",
    reason: i % 3 ? "ALLOWED" : "NO_MATCHING_RULE",
    requestId: `r${i}`,
    metadata: { i },
  };
}

for (const kind of databaseKinds()) {
  describe(`group-commit audit log on ${kind.name}`, function () {
    this.timeout(120_000);
    let db: TestDatabase;
    let storage: TypeormStorage;
    beforeEach(async () => {
      db = await kind.create();
      storage = await TypeormStorage.open(db.config, { migrate: true });
    });
    afterEach(async () => {
      await storage.close();
      await db.drop();
    });

    it("writes 500 concurrent events numbered 1..500 without gaps, in far fewer transactions, with an intact chain", async () => {
      const log = new GroupCommitAuditLog(storage.audit);
      let batches = 0;
      log.onCommitted(() => batches++);
      const written = await Promise.all(Array.from({ length: 500 }, (_, i) => log.record(decision(i))));
      expect(written.map((r) => r.sequence).sort((a, b) => a - b)).to.deep.equal(
        Array.from({ length: 500 }, (_, i) => i + 1),
      );
      written.forEach((r, i) => expect(r.resourceName).to.equal(`job-${i}`));
      expect(batches).to.be.lessThan(50);
      const stored = await storage.audit.range(1, 500);
      expect(stored).to.have.length(500);
      verifyChain(stored);
      expect(await storage.audit.head()).to.deep.equal({ sequence: 500, hash: stored[499].hash });
      const sample = stored.find((r) => r.resourceName === "job-7")!;
      expect(sample).to.deep.include({
        actorRoles: ["viewer", "ops"],
        metadata: { i: 7 },
        decision: "ALLOW",
        reason: "ALLOWED",
      });
    });

    it("continues the chain across batches and restarts", async () => {
      await new GroupCommitAuditLog(storage.audit).record(decision(1));
      await storage.close();
      storage = await TypeormStorage.open(db.config, { migrate: true });
      await Promise.all([2, 3, 4].map((i) => new GroupCommitAuditLog(storage.audit).record(decision(i))));
      verifyChain(await storage.audit.range(1, 10));
    });

    it("rejects every event of a batch that cannot be written, and writes none of it", async () => {
      const log = new GroupCommitAuditLog(storage.audit);
      await log.record(decision(0));
      await storage.dataSource.query(
        kind.name === "mysql"
          ? "RENAME TABLE audit_events TO audit_events_gone"
          : "ALTER TABLE audit_events RENAME TO audit_events_gone",
      );
      const results = await Promise.allSettled([1, 2, 3].map((i) => log.record(decision(i))));
      expect(results.map((r) => r.status)).to.deep.equal(["rejected", "rejected", "rejected"]);
      await storage.dataSource.query(
        kind.name === "mysql"
          ? "RENAME TABLE audit_events_gone TO audit_events"
          : "ALTER TABLE audit_events_gone RENAME TO audit_events",
      );
      expect(await storage.audit.head()).to.deep.include({ sequence: 1 });
      await log.record(decision(4));
      verifyChain(await storage.audit.range(1, 10));
    });

    it("stores quotes, backslashes, statement separators and non-BMP characters exactly as given", async () => {
      const log = new GroupCommitAuditLog(storage.audit);
      const odd = "it's \\' \"x\"; COMMIT; DROP TABLE audit_head; -- \u{1F511} \u0000 end";
      const event = { ...decision(1), resourceName: odd, reason: "ALLOWED", metadata: { note: odd, [odd]: [odd] } };
      const written = await log.record(event as AuditEventInput);
      const [stored] = await storage.audit.range(written.sequence, written.sequence);
      expect(stored.resourceName).to.equal(odd);
      expect(stored.metadata).to.deep.equal({ note: odd, [odd]: [odd] });
      verifyChain(await storage.audit.range(1, 10));
    });

    if (kind.name === "mysql") {
      it("rolls back a group commit whose second statement fails after the first was written", async () => {
        const log = new GroupCommitAuditLog(storage.audit);
        await log.record(decision(0));
        await storage.dataSource.query("RENAME TABLE audit_event_roles TO audit_event_roles_gone");
        // decision(1) has roles: its event row goes in, then the roles' insert fails.
        const results = await Promise.allSettled([1, 3].map((i) => log.record(decision(i))));
        await storage.dataSource.query("RENAME TABLE audit_event_roles_gone TO audit_event_roles");
        expect(results.map((r) => r.status)).to.deep.equal(["rejected", "rejected"]);
        expect(await storage.audit.head()).to.deep.include({ sequence: 1 });
        expect(await storage.audit.range(1, 10)).to.have.length(1);
        await Promise.all([5, 7].map((i) => log.record(decision(i))));
        const stored = await storage.audit.range(1, 10);
        expect(stored.map((r) => r.resourceName)).to.deep.equal(["job-0", "job-5", "job-7"]);
        verifyChain(stored);
      });

      it("keeps one statement per query on the shared connections", async () => {
        let refused: unknown = null;
        await storage.dataSource.query("SELECT 1; SELECT 2").catch((err: unknown) => (refused = err));
        expect(String(refused)).to.match(/syntax/i);
      });

      it("keeps one gapless chain when two instances write to the same database at once", async () => {
        const other = await TypeormStorage.open(db.config, { migrate: true });
        try {
          const logs = [new GroupCommitAuditLog(storage.audit, 50), new GroupCommitAuditLog(other.audit, 50)];
          await Promise.all(Array.from({ length: 1000 }, (_, i) => logs[i % 2].record(decision(i))));
          const stored = await storage.audit.range(1, 2000);
          expect(stored).to.have.length(1000);
          verifyChain(stored);
        } finally {
          await other.close();
        }
      });
    }
  });
}
