import { expect } from "chai";
import { eventHash } from "../../../src/domain/audit/audit-hash";
import { AuditEventEntity } from "../../../src/storage/entities";
import { anEvent, recordEvents } from "../../support/audit-events";
import { databaseKinds } from "../../support/databases";
import { addUser, type TestUser } from "../../support/principals";
import { gql, startServer, type TestServer } from "../../support/server";

const VERIFY = "{ verifyAuditChain { ok checked firstBrokenSequence } }";

for (const kind of databaseKinds()) {
  describe(`verifyAuditChain on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let auditor: TestUser;

    // Each test tampers with the trail in its own way: a fresh database each.
    beforeEach(async () => {
      server = await startServer(kind);
      auditor = await addUser(server, ["auditor"]);
      await recordEvents(server, Array.from({ length: 12 }, (_, i) => anEvent({ resourceName: `job-${i}` })));
    });
    afterEach(async () => {
      await server?.close();
    });

    async function verify(): Promise<{ ok: boolean; checked: number; firstBrokenSequence: number | null }> {
      const res = await gql(server.url, VERIFY, { token: auditor.token });
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
      return res.data!.verifyAuditChain;
    }

    const q = (name: string) => (kind.name === "sqlite" ? `"${name}"` : `\`${name}\``);
    const sql = (text: string, params: unknown[] = []) => server.app.storage.dataSource.query(text, params);

    it("reports an untouched chain as ok, having checked every event up to the head", async () => {
      const report = await verify();
      const head = await server.app.storage.audit.head();
      expect(report).to.deep.equal({ ok: true, checked: head.sequence, firstBrokenSequence: null });
      expect(head.sequence).to.be.at.least(13);
    });

    it("checks a chain longer than one batch", async () => {
      await Promise.all(Array.from({ length: 2500 }, () => server.app.services.audit.record(anEvent())));
      const report = await verify();
      expect(report.ok).to.equal(true);
      expect(report.checked).to.equal((await server.app.storage.audit.head()).sequence);
      expect(report.checked).to.be.greaterThan(2500);
    });

    it("finds a row whose resource_name was edited", async () => {
      await sql(`UPDATE ${q("audit_events")} SET ${q("resource_name")} = ? WHERE ${q("sequence")} = 5`, ["job-edited"]);
      expect(await verify()).to.deep.equal({ ok: false, checked: 5, firstBrokenSequence: 5 });
    });

    it("finds a deleted row", async () => {
      await sql(`DELETE FROM ${q("audit_events")} WHERE ${q("sequence")} = 7`);
      expect(await verify()).to.deep.include({ ok: false, firstBrokenSequence: 7 });
    });

    it("finds a deleted row even when the rows after it were renumbered", async () => {
      const head = await server.app.storage.audit.head();
      // The role rows reference the sequence: out of the way first, as someone covering tracks would do.
      await sql(`DELETE FROM ${q("audit_event_roles")} WHERE ${q("sequence")} >= 7`);
      await sql(`DELETE FROM ${q("audit_events")} WHERE ${q("sequence")} = 7`);
      for (let s = 8; s <= head.sequence; s++) await sql(`UPDATE ${q("audit_events")} SET ${q("sequence")} = ? WHERE ${q("sequence")} = ?`, [s - 1, s]);
      const report = await verify();
      expect(report).to.deep.include({ ok: false, firstBrokenSequence: 7 });
    });

    it("finds two rows whose contents were swapped", async () => {
      const [a, b] = await server.app.storage.audit.range(4, 5);
      const contents = (r: typeof a) => { const { sequence: _s, ...rest } = r!; return rest; };
      const update = (sequence: number, values: Record<string, unknown>) => server.app.storage.dataSource.createQueryBuilder()
        .update(AuditEventEntity).set(values).where("sequence = :sequence", { sequence }).execute();
      await update(4, { id: "swapping" });
      await update(5, contents(a));
      await update(4, contents(b));
      const stored = await server.app.storage.audit.range(4, 5);
      expect(stored.map((r) => r.id)).to.deep.equal([b!.id, a!.id]);
      expect(await verify()).to.deep.include({ ok: false, firstBrokenSequence: 4 });
    });

    it("finds rows cut off the tail: audit_head still points past them", async () => {
      const head = await server.app.storage.audit.head();
      await sql(`DELETE FROM ${q("audit_events")} WHERE ${q("sequence")} > ?`, [head.sequence - 2]);
      expect(await verify()).to.deep.include({ ok: false, firstBrokenSequence: head.sequence - 1 });
    });

    it("finds the newest row rewritten with a recomputed hash: what came after was chained to the original", async () => {
      // The forged row is consistent in itself; audit_head (and the next event,
      // chained from it) still carry the original hash.
      const head = await server.app.storage.audit.head();
      const [last] = await server.app.storage.audit.range(head.sequence, head.sequence);
      const forged = { ...last!, resourceName: "forged" };
      await sql(`UPDATE ${q("audit_events")} SET ${q("resource_name")} = ?, ${q("hash")} = ? WHERE ${q("sequence")} = ?`,
        ["forged", eventHash(forged.prevHash, forged), head.sequence]);
      // The verification's own guard event is chained to the head's hash, not the forged one.
      expect(await verify()).to.deep.include({ ok: false, firstBrokenSequence: head.sequence + 1 });
    });

    it("refuses a user with no roles with FORBIDDEN", async () => {
      const nobody = await addUser(server, []);
      const res = await gql(server.url, VERIFY, { token: nobody.token });
      expect(res.errors?.[0]?.extensions).to.deep.include({ code: "FORBIDDEN", capability: "audit:read" });
      expect(res.data).to.equal(null);
    });
  });
}
