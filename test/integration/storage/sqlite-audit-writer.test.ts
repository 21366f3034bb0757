import { expect } from "chai";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chain } from "../../../src/domain/audit/audit-hash";
import { GroupCommitAuditLog } from "../../../src/domain/audit/group-commit-audit-log";
import { TypeormStorage } from "../../../src/storage/typeorm-storage";
import { decision, verifyChain } from "../../support/audit-chain";

interface RawConnection {
  prepare(sql: string): { all(...params: unknown[]): Array<Record<string, unknown>> };
  close(): void;
}
const Database = createRequire(__filename)("better-sqlite3") as new (
  path: string,
  options?: { readonly?: boolean },
) => RawConnection;

describe("the SQLite audit writer thread", function () {
  this.timeout(60_000);
  let dir: string;
  let path: string;
  let storage: TypeormStorage;
  let raw: RawConnection;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "portcullis-writer-"));
    path = join(dir, "audit.sqlite");
    storage = await TypeormStorage.open({ kind: "sqlite", path, url: `sqlite:${path}` }, { migrate: true });
    raw = new Database(path, { readonly: true });
  });
  afterEach(async () => {
    raw.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is the store's own writer for a database in a file", () => {
    expect(typeof storage.audit.appendChained).to.equal("function");
  });

  it("hands each caller its event only once another connection can read it committed", async () => {
    const log = new GroupCommitAuditLog(storage.audit);
    const seen = await Promise.all(
      Array.from({ length: 300 }, async (_, i) => {
        const record = await log.record(decision(i));
        const rows = raw.prepare(`SELECT "hash" FROM "audit_events" WHERE "sequence" = ?`).all(record.sequence);
        return rows[0]?.hash === record.hash;
      }),
    );
    expect(seen.every(Boolean)).to.equal(true);
  });

  it("numbers and chains with the same rule as the request thread, and the records match what is stored", async () => {
    const log = new GroupCommitAuditLog(storage.audit);
    const written = await Promise.all(
      Array.from({ length: 1200 }, (_, i) => log.record(decision(i, i % 5 ? { i } : null))),
    );
    const stored = await storage.audit.range(1, 1200);
    verifyChain(stored);
    const bySequence = new Map(written.map((r) => [r.sequence, r]));
    for (const record of stored) expect(bySequence.get(record.sequence)).to.deep.equal(record);
    const roles = raw.prepare(`SELECT "role" FROM "audit_event_roles" WHERE "sequence" = ? ORDER BY "role"`);
    const withRoles = stored.find((r) => r.actorRoles.length > 0)!;
    expect(roles.all(withRoles.sequence).map((r) => r.role)).to.deep.equal(["ops", "viewer"]);
  });

  it("stores every column exactly as the request thread's typeorm path stores it", async () => {
    // The last three share one metadata object, as the events of one canMany do (the writer writes it out once).
    const shared = { credential: "token", context: { sourceIp: "10.1.2.3", mfa: false } };
    const events = [
      decision(1),
      decision(2, null),
      decision(3, { nested: { b: 1, a: [1, "x"] } }),
      decision(4, shared),
      decision(5, shared),
      decision(6, shared),
    ];
    const viaWorker = await storage.audit.appendChained!(events);
    const viaTypeorm = await storage.audit.append(events, chain);
    const select = raw.prepare(`SELECT * FROM "audit_events" WHERE "sequence" = ?`);
    events.forEach((_, i) => {
      const fromWorker = select.all(viaWorker[i].sequence)[0];
      const fromTypeorm = select.all(viaTypeorm[i].sequence)[0];
      for (const column of ["sequence", "id", "prev_hash", "hash"]) {
        delete fromWorker[column];
        delete fromTypeorm[column];
      }
      expect(fromWorker).to.deep.equal(fromTypeorm);
    });
    verifyChain(await storage.audit.range(1, 12));
  });

  it("takes turns with the request thread's transactions: no busy error, one gapless chain", async () => {
    const log = new GroupCommitAuditLog(storage.audit);
    const decisions = Array.from({ length: 2000 }, (_, i) => log.record(decision(i)));
    const policyWrites = Array.from({ length: 20 }, (_, i) =>
      storage.transaction((repos) => repos.audit.append([decision(10_000 + i)], chain)),
    );
    await Promise.all([...decisions, ...policyWrites]);
    verifyChain(await storage.audit.range(1, 2020));
    expect((await storage.audit.head()).sequence).to.equal(2020);
  });

  it("rejects every caller of a batch it could not write, and writes the next batch", async () => {
    const log = new GroupCommitAuditLog(storage.audit);
    await storage.dataSource.query(`UPDATE "audit_head" SET "id" = 2 WHERE "id" = 1`);
    const failed = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => log.record(decision(i))));
    expect(failed.map((r) => r.status)).to.deep.equal(Array(10).fill("rejected"));
    expect(String((failed[0] as PromiseRejectedResult).reason)).to.contain("audit_head row is missing");
    await storage.dataSource.query(`UPDATE "audit_head" SET "id" = 1 WHERE "id" = 2`);
    const next = await log.record(decision(99));
    expect(next.sequence).to.equal(1);
    expect(raw.prepare(`SELECT COUNT(*) AS n FROM "audit_events"`).all()[0].n).to.equal(1);
  });
});
