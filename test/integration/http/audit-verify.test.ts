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
      await recordEvents(
        server,
        Array.from({ length: 12 }, (_, i) => anEvent({ resourceName: `job-${i}` })),
      );
    });
    afterEach(async () => {
      await server?.close();
    });

    async function verify(): Promise<{ ok: boolean; checked: number; firstBrokenSequence: number | null }> {
      const res = await gql<{ verifyAuditChain: { ok: boolean; checked: number; firstBrokenSequence: number | null } }>(
        server.url,
        VERIFY,
        { token: auditor.token },
      );
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
      for (let s = 8; s <= head.sequence; s++)
        await sql(`UPDATE ${q("audit_events")} SET ${q("sequence")} = ? WHERE ${q("sequence")} = ?`, [s - 1, s]);
      const report = await verify();
      expect(report).to.deep.include({ ok: false, firstBrokenSequence: 7 });
    });

    it("finds two rows whose contents were swapped", async () => {
      const [a, b] = await server.app.storage.audit.range(4, 5);
      const contents = (r: typeof a) => {
        const { sequence: _s, ...rest } = r;
        return rest;
      };
      const update = (sequence: number, values: Record<string, unknown>) =>
        server.app.storage.dataSource
          .createQueryBuilder()
          .update(AuditEventEntity)
          .set(values)
          .where("sequence = :sequence", { sequence })
          .execute();
      await update(4, { id: "swapping" });
      await update(5, contents(a));
      await update(4, contents(b));
      const stored = await server.app.storage.audit.range(4, 5);
      expect(stored.map((r) => r.id)).to.deep.equal([b.id, a.id]);
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
      const forged = { ...last, resourceName: "forged" };
      await sql(
        `UPDATE ${q("audit_events")} SET ${q("resource_name")} = ?, ${q("hash")} = ? WHERE ${q("sequence")} = ?`,
        ["forged", eventHash(forged.prevHash, forged), head.sequence],
      );
      // The verification's own guard event is chained to the head's hash, not the forged one.
      expect(await verify()).to.deep.include({ ok: false, firstBrokenSequence: head.sequence + 1 });
    });

    it("reports a row whose metadata is not valid JSON as broken at its sequence, not as an internal error", async () => {
      await sql(`UPDATE ${q("audit_events")} SET ${q("metadata")} = ? WHERE ${q("sequence")} = 6`, ["{not json"]);
      expect(await verify()).to.deep.equal({ ok: false, checked: 6, firstBrokenSequence: 6 });
    });

    it("finds role-index rows deleted (events hidden from role: searches) or added", async () => {
      await sql(`DELETE FROM ${q("audit_event_roles")} WHERE ${q("sequence")} = 8`);
      expect(await verify()).to.deep.equal({ ok: false, checked: 8, firstBrokenSequence: 8 });
      await sql(
        `INSERT INTO ${q("audit_event_roles")} (${q("sequence")}, ${q("role")}) VALUES (8, 'viewer'), (3, 'admin')`,
      );
      expect(await verify()).to.deep.equal({ ok: false, checked: 3, firstBrokenSequence: 3 });
    });

    it("keeps a stored checkpoint: a second call checks only what was added, across restarts; full: true checks everything", async () => {
      const first = await verify();
      expect(first.ok).to.equal(true);
      const second = await verify();
      // The one event since: the second call's own guard decision (the first call's was in what it checked).
      expect(second).to.deep.equal({ ok: true, checked: 1, firstBrokenSequence: null });
      // Tampering behind the checkpoint goes unseen by the incremental check, not by a full one.
      await sql(`UPDATE ${q("audit_events")} SET ${q("resource_name")} = ? WHERE ${q("sequence")} = 3`, ["job-edited"]);
      expect((await verify()).ok).to.equal(true);
      const full = await gql(server.url, "{ verifyAuditChain(full: true) { ok checked firstBrokenSequence } }", {
        token: auditor.token,
      });
      expect(full.data!.verifyAuditChain).to.deep.equal({ ok: false, checked: 3, firstBrokenSequence: 3 });
      // The checkpoint is in the database: another instance (or this one restarted) starts from it.
      const db = server.db;
      const other = await startServer(kind, {}, db);
      try {
        const res = await gql<{
          verifyAuditChain: { ok: boolean; checked: number; firstBrokenSequence: number | null };
        }>(other.url, VERIFY, { token: auditor.token });
        expect(res.data!.verifyAuditChain.ok).to.equal(true);
        expect(res.data!.verifyAuditChain.checked).to.be.below(10);
      } finally {
        await other.close();
      }
      // The event at the checkpoint itself rewritten: the incremental check sees it.
      const checkpoint = (await server.app.storage.audit.checkpoint())!;
      await sql(`UPDATE ${q("audit_events")} SET ${q("hash")} = ? WHERE ${q("sequence")} = ?`, [
        "0".repeat(64),
        checkpoint.sequence,
      ]);
      expect(await verify()).to.deep.include({ ok: false, firstBrokenSequence: checkpoint.sequence });
    });

    it("runs once per request: aliases are refused with a 400 before anything runs", async () => {
      const before = (await server.app.storage.audit.head()).sequence;
      const res = await gql(server.url, "{ a: verifyAuditChain { ok } b: verifyAuditChain(full: true) { ok } }", {
        token: auditor.token,
      });
      expect(res.status).to.equal(400);
      expect(res.errors?.[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "verifyAuditChain" });
      const events = await server.app.storage.audit.range(before + 1, (await server.app.storage.audit.head()).sequence);
      expect(events.filter((e) => e.operation === "Query.verifyAuditChain")).to.deep.equal([]);
    });

    it("refuses a user with no roles with FORBIDDEN", async () => {
      const nobody = await addUser(server, []);
      const res = await gql(server.url, VERIFY, { token: nobody.token });
      expect(res.errors?.[0]?.extensions).to.deep.include({ code: "FORBIDDEN", capability: "audit:read" });
      expect(res.data).to.equal(null);
    });
  });
}
