import { expect } from "chai";
import { chain } from "../../../src/domain/audit/audit-hash";
import { GroupCommitAuditLog } from "../../../src/domain/audit/group-commit-audit-log";
import { TypeormStorage } from "../../../src/storage/typeorm-storage";
import { decision, verifyChain } from "../../support/audit-chain";
import { databaseKinds, type TestDatabase } from "../../support/databases";

const mysql = databaseKinds().find((kind) => kind.name === "mysql");

(mysql ? describe : describe.skip)("the MySQL/MariaDB audit writer thread", function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let storage: TypeormStorage;

  beforeEach(async () => {
    db = await mysql!.create();
    storage = await TypeormStorage.open(db.config, { migrate: true });
  });
  afterEach(async () => {
    await storage.close();
    await db.drop();
  });

  const count = async (table: string) =>
    Number((await storage.dataSource.query<Array<{ n: string | number }>>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

  it("is the store's own writer, and writes two batches at a time", () => {
    expect(typeof storage.audit.appendChained).to.equal("function");
    expect(storage.audit.concurrentAppends).to.equal(2);
  });

  it("writes a batch past every prepared size (events and role rows) numbered like the request thread", async () => {
    // 1,500 events: prepared chunks of 1,024, 256, 128 and 64 rows, and 28 as text; 750 with two roles, the same for role rows.
    const events = Array.from({ length: 1500 }, (_, i) => decision(i, i % 5 ? { i } : null));
    const written = await storage.audit.appendChained!(events);
    expect(written.map((r) => r.sequence)).to.deep.equal(Array.from({ length: 1500 }, (_, i) => i + 1));
    const stored = await storage.audit.range(1, 1500);
    verifyChain(stored);
    expect(written).to.deep.equal(stored);
    expect(await count("audit_event_roles")).to.equal(1500);
    const roles = await storage.dataSource.query<Array<{ role: string }>>(
      "SELECT `role` FROM `audit_event_roles` WHERE `sequence` = ? ORDER BY `role`",
      [String(stored[1].sequence)],
    );
    expect(roles.map((r) => r.role)).to.deep.equal(["ops", "viewer"]);
    expect(await storage.audit.head()).to.deep.equal({ sequence: 1500, hash: stored[1499].hash });
  });

  it("stores every column, prepared or as text, exactly as typeorm's own path stores it", async () => {
    // 70 events: 64 through a prepared statement, 6 as text. Every third shares one metadata object,
    // as the events of one canMany do (the writer writes a shared object out once).
    const shared = { credential: "token", context: { sourceIp: "10.1.2.3", mfa: false }, decidedBy: { ruleIndex: 0 } };
    const events = Array.from({ length: 70 }, (_, i) =>
      decision(
        i,
        i % 4 === 0 ? null : i % 3 === 0 ? shared : { nested: { b: i, a: [1, "x", null] }, note: "it's \\ \u{1F511}" },
      ),
    );
    const viaWriter = await storage.audit.appendChained!(events);
    const viaTypeorm = await storage.audit.append(events, chain);
    const row = async (sequence: number) => {
      const [found] = await storage.dataSource.query<Array<Record<string, unknown>>>(
        "SELECT * FROM `audit_events` WHERE `sequence` = ?",
        [String(sequence)],
      );
      for (const column of ["sequence", "id", "prev_hash", "hash"]) delete found[column];
      return found;
    };
    for (let i = 0; i < events.length; i++)
      expect(await row(viaWriter[i].sequence), `event ${i}`).to.deep.equal(await row(viaTypeorm[i].sequence));
    verifyChain(await storage.audit.range(1, 140));
    expect(await count("audit_event_roles")).to.equal(140);
  });

  it("rolls back a batch whose prepared insert fails after another was written, and writes the next", async () => {
    await storage.audit.appendChained!([decision(0)]);
    await storage.dataSource.query("RENAME TABLE `audit_event_roles` TO `audit_event_roles_gone`");
    // 130 events: the events' 128-row statement runs, then the role rows' 128-row statement fails.
    const failed = await storage.audit.appendChained!(Array.from({ length: 130 }, (_, i) => decision(i + 1))).then(
      () => null,
      (err: unknown) => err,
    );
    await storage.dataSource.query("RENAME TABLE `audit_event_roles_gone` TO `audit_event_roles`");
    expect(String(failed)).to.match(/audit_event_roles/);
    expect(await storage.audit.head()).to.deep.include({ sequence: 1 });
    expect(await count("audit_events")).to.equal(1);
    const next = await storage.audit.appendChained!(Array.from({ length: 100 }, (_, i) => decision(i + 200)));
    expect(next[0].sequence).to.equal(2);
    verifyChain(await storage.audit.range(1, 200));
  });

  it("commits batches in the order they were sent, beside transactions that append on their own", async () => {
    const batches = [0, 1, 2, 3].map((b) =>
      storage.audit.appendChained!(Array.from({ length: 300 }, (_, i) => decision(b * 1000 + i))),
    );
    const policyWrites = Array.from({ length: 10 }, (_, i) =>
      storage.transaction((repos) => repos.audit.append([decision(10_000 + i)], chain)),
    );
    const [written] = await Promise.all([Promise.all(batches), Promise.all(policyWrites)]);
    for (let b = 1; b < written.length; b++)
      expect(written[b][0].sequence, `batch ${b}`).to.be.greaterThan(written[b - 1][299].sequence);
    verifyChain(await storage.audit.range(1, 1210));
    expect((await storage.audit.head()).sequence).to.equal(1210);
  });

  it("writes on after the server kills its connections, failing closed meanwhile", async () => {
    const log = new GroupCommitAuditLog(storage.audit);
    // Two batches at once: both of the writer's connections open.
    await Promise.all(
      [0, 25].map((from) => storage.audit.appendChained!(Array.from({ length: 25 }, (_, i) => decision(from + i)))),
    );
    const others = await storage.dataSource.query<Array<{ id: string | number }>>(
      "SELECT `id` FROM information_schema.processlist WHERE `db` = DATABASE() AND `id` <> CONNECTION_ID()",
    );
    expect(others.length, "connections to kill").to.be.at.least(2);
    for (const { id } of others) await storage.dataSource.query(`KILL ${Number(id)}`);
    // A batch may still meet a connection the driver has not yet seen closed: it fails, and writes nothing.
    const after = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => log.record(decision(100 + i))));
    const written = after.filter((r) => r.status === "fulfilled").length;
    expect(written === 50 || written === 0, `${written} of a batch of 50`).to.equal(true);
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.record(decision(200 + i))));
    const head = await storage.audit.head();
    expect(head.sequence).to.equal(100 + written);
    verifyChain(await storage.audit.range(1, head.sequence));
  });

  it("serves a group-commit log under concurrent callers with one gapless chain", async () => {
    const log = new GroupCommitAuditLog(storage.audit);
    const written = await Promise.all(Array.from({ length: 3000 }, (_, i) => log.record(decision(i))));
    expect(new Set(written.map((r) => r.sequence)).size).to.equal(3000);
    verifyChain(await storage.audit.range(1, 3000));
  });
});
