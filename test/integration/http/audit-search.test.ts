import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { AuditEventInput, AuditEventRecord } from "../../../src/domain/audit/audit-event";
import { eventHash } from "../../../src/domain/audit/audit-hash";
import { TypeormAuditStore } from "../../../src/storage/typeorm-audit-store";
import { anEvent, recordEvents, searchAudit, type AuditEventView } from "../../support/audit-events";
import { databaseKinds } from "../../support/databases";
import { addUser, type TestUser } from "../../support/principals";
import { gql, serverForSuite, type TestServer } from "../../support/server";

const sequences = (nodes: AuditEventView[]) => nodes.map((n) => n.sequence);
const newestFirst = (records: AuditEventRecord[]) => records.map((r) => r.sequence).sort((a, b) => b - a);

for (const kind of databaseKinds()) {
  describe(`auditEvents on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let auditor: TestUser;

    serverForSuite(kind, (s) => (server = s));
    before(async () => {
      auditor = await addUser(server, ["auditor"]);
    });

    /** Events sharing a fresh resource type, so a search can be confined to them. */
    async function seed(
      specs: Array<Partial<AuditEventInput>>,
    ): Promise<{ type: string; records: AuditEventRecord[] }> {
      const type = `t${randomUUID().slice(0, 8)}`;
      return {
        type,
        records: await recordEvents(
          server,
          specs.map((s) => anEvent({ resourceType: type, ...s })),
        ),
      };
    }

    async function search(filter: Record<string, unknown>, first = 500): Promise<number[]> {
      const res = await searchAudit(server, auditor.token, { filter, first });
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
      return sequences(res.data!.auditEvents.nodes);
    }

    it("returns every contract field of an event, newest first, with the hash the chain rule gives", async () => {
      const { type, records } = await seed([
        { metadata: { nested: { b: 1, a: [true] } }, subjectId: "s-1" },
        { decision: "DENY", reason: "NO_MATCHING_RULE" },
      ]);
      const res = await searchAudit(server, auditor.token, { filter: { resourceType: type } });
      const nodes = res.data!.auditEvents.nodes;
      expect(sequences(nodes)).to.deep.equal(newestFirst(records));
      const oldest = nodes[1];
      const written = records[0];
      expect(oldest).to.deep.include({
        id: written.id,
        actorId: written.actorId,
        actorEmail: written.actorEmail,
        actorRoles: ["viewer"],
        operation: "check",
        resourceName: written.resourceName,
        subjectId: "s-1",
        decision: "ALLOW",
        reason: "ALLOWED",
        prevHash: written.prevHash,
      });
      expect(oldest.metadata).to.deep.equal({ nested: { b: 1, a: [true] } });
      expect(oldest.time).to.equal(written.time.toISOString());
      expect(nodes[0]).to.deep.include({ decision: "DENY", reason: "NO_MATCHING_RULE" });
      expect(eventHash(oldest.prevHash, { ...oldest, time: new Date(oldest.time) } as AuditEventRecord)).to.equal(
        oldest.hash,
      );
    });

    it("filters by actorId and by actorEmail, exactly", async () => {
      const actorId = randomUUID();
      const email = `Exact-${randomUUID().slice(0, 6)}@example.com`;
      const { records } = await seed([
        { actorId },
        { actorId, actorEmail: email },
        { actorEmail: email.toLowerCase() },
        {},
      ]);
      expect(await search({ actorId })).to.deep.equal(newestFirst(records.slice(0, 2)));
      expect(await search({ actorEmail: email })).to.deep.equal([records[1].sequence]);
    });

    it("filters by a role the actor held, through audit_event_roles", async () => {
      const role = `r-${randomUUID().slice(0, 8)}`;
      const { type, records } = await seed([
        { actorRoles: [role, "ops"] },
        { actorRoles: ["ops"] },
        { actorRoles: [] },
        { actorRoles: [role] },
      ]);
      expect(await search({ role })).to.deep.equal(newestFirst([records[0], records[3]]));
      expect(await search({ role: "ops", resourceType: type })).to.deep.equal(newestFirst(records.slice(0, 2)));
    });

    it("filters by decision, operation, resourceType and resourceName", async () => {
      const name = `Name-${randomUUID().slice(0, 8)}`;
      const operation = `Query.op${randomUUID().slice(0, 6)}`;
      const { type, records } = await seed([
        { decision: "DENY", reason: "EXPLICIT_DENY", resourceName: name },
        { operation, resourceName: name.toLowerCase() },
        { operation, decision: "DENY", reason: "NO_MATCHING_RULE" },
        {},
      ]);
      expect(await search({ resourceType: type })).to.deep.equal(newestFirst(records));
      expect(await search({ resourceType: type, decision: "DENY" })).to.deep.equal(
        newestFirst([records[0], records[2]]),
      );
      expect(await search({ operation })).to.deep.equal(newestFirst([records[1], records[2]]));
      expect(await search({ resourceName: name })).to.deep.equal([records[0].sequence]);
      expect(await search({ operation, decision: "ALLOW" })).to.deep.equal([records[1].sequence]);
    });

    it("takes since inclusively and until exclusively, to the millisecond", async () => {
      const base = Date.UTC(2020, 4, 1, 12, 0, 0, 0);
      const at = (ms: number) => new Date(base + ms);
      const { type, records } = await seed([{ time: at(0) }, { time: at(1) }, { time: at(2) }, { time: at(3) }]);
      expect(await search({ resourceType: type, since: at(1).toISOString() })).to.deep.equal(
        newestFirst(records.slice(1)),
      );
      expect(await search({ resourceType: type, until: at(2).toISOString() })).to.deep.equal(
        newestFirst(records.slice(0, 2)),
      );
      expect(
        await search({ resourceType: type, since: at(1).toISOString(), until: at(3).toISOString() }),
      ).to.deep.equal(newestFirst(records.slice(1, 3)));
    });

    it("pages two at a time with an opaque cursor until nextCursor is null", async () => {
      const { type, records } = await seed([{}, {}, {}, {}, {}]);
      const pages: number[][] = [];
      let after: string | null = null;
      do {
        const res = await searchAudit(server, auditor.token, { filter: { resourceType: type }, first: 2, after });
        expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
        pages.push(sequences(res.data!.auditEvents.nodes));
        after = res.data!.auditEvents.nextCursor;
        if (after !== null) expect(after).to.match(/^[A-Za-z0-9_-]+$/);
      } while (after !== null);
      const expected = newestFirst(records);
      expect(pages).to.deep.equal([expected.slice(0, 2), expected.slice(2, 4), expected.slice(4)]);
    });

    it("returns no cursor when the last page is exactly full", async () => {
      const { type } = await seed([{}, {}]);
      const res = await searchAudit(server, auditor.token, { filter: { resourceType: type }, first: 2 });
      expect(res.data!.auditEvents.nodes).to.have.length(2);
      expect(res.data!.auditEvents.nextCursor).to.equal(null);
    });

    it("lists every event exactly once while new events keep arriving during paging", async () => {
      const viewer = await addUser(server, ["viewer"]);
      let writing = true;
      const writer = (async () => {
        let calls = 0;
        while (writing || calls < 5) {
          await gql(
            server.url,
            `{ can(action: "read", resource: { type: "job", namespace: "prod", name: "w" }) { allowed } }`,
            { token: viewer.token },
          );
          calls++;
        }
        return calls;
      })();
      // Let the writer get going before the first page is read.
      await new Promise((r) => setTimeout(r, 50));
      const nodes: AuditEventView[] = [];
      let after: string | null = null;
      do {
        const res = await searchAudit(server, auditor.token, { first: 7, after });
        expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
        nodes.push(...res.data!.auditEvents.nodes);
        after = res.data!.auditEvents.nextCursor;
        await new Promise((r) => setTimeout(r, 5));
      } while (after !== null);
      writing = false;
      expect(await writer).to.be.at.least(5);
      const seen = sequences(nodes);
      expect(new Set(seen).size, "no event twice").to.equal(seen.length);
      // Unfiltered, so from the first page's top down to 1 with nothing skipped.
      expect(seen).to.deep.equal(Array.from({ length: seen[0] }, (_, i) => seen[0] - i));
      const head = await server.app.storage.audit.head();
      expect(head.sequence, "events were written while paging").to.be.greaterThan(seen[0]);
    });

    it("refuses first outside 1..500 and a malformed cursor as BAD_USER_INPUT naming the argument", async () => {
      for (const first of [0, -1, 501]) {
        const res = await searchAudit(server, auditor.token, { first });
        expect(res.errors?.[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "first" });
      }
      for (const after of [
        "not a cursor!",
        Buffer.from("seq:abc").toString("base64url"),
        Buffer.from("page:3").toString("base64url"),
        "",
      ]) {
        const res = await searchAudit(server, auditor.token, { after });
        expect(res.errors?.[0]?.extensions, after).to.deep.include({ code: "BAD_USER_INPUT", field: "after" });
      }
    });

    it("takes the default page size of 100 when first is left out", async () => {
      await recordEvents(
        server,
        Array.from({ length: 101 }, () => anEvent()),
      );
      const res = await searchAudit(server, auditor.token, {});
      expect(res.data!.auditEvents.nodes).to.have.length(100);
      expect(res.data!.auditEvents.nextCursor).to.be.a("string");
    });

    it("refuses a user with no roles with FORBIDDEN, and one without a credential with UNAUTHENTICATED", async () => {
      const nobody = await addUser(server, []);
      const res = await searchAudit(server, nobody.token, {});
      expect(res.errors?.[0]?.extensions).to.deep.include({ code: "FORBIDDEN", capability: "audit:read" });
      expect(res.data).to.equal(null);
      const anonymous = await gql(server.url, "{ auditEvents { nextCursor } }");
      expect(anonymous.errors?.[0]?.extensions?.code).to.equal("UNAUTHENTICATED");
    });

    it("records the guard's decision on auditEvents as an event of its own", async () => {
      const nobody = await addUser(server, []);
      await searchAudit(server, nobody.token, {});
      const res = await searchAudit(server, auditor.token, {
        filter: { actorId: nobody.user.id, operation: "Query.auditEvents" },
      });
      expect(res.data!.auditEvents.nodes.map((n) => [n.decision, n.action, n.resourceType])).to.deep.equal([
        ["DENY", "read", "audit"],
      ]);
    });

    if (kind.name === "mysql") {
      it("serves each filter from an audit index, never by scanning the table (EXPLAIN)", async () => {
        const roles = ["viewer", "ops", "deployer", "auditor"];
        const events = Array.from({ length: 3000 }, (_, i) =>
          anEvent({
            actorId: `actor-${i % 50}`,
            actorEmail: `actor-${i % 50}@example.com`,
            actorRoles: [roles[i % 4]],
            operation: `op-${i % 20}`,
            decision: i % 3 ? "ALLOW" : "DENY",
            resourceType: `type-${i % 10}`,
            resourceName: `name-${i % 300}`,
            time: new Date(Date.UTC(2024, 0, 1) + i * 60_000),
          }),
        );
        await Promise.all(events.map((e) => server.app.services.audit.record(e)));
        const ds = server.app.storage.dataSource;
        await ds.query("ANALYZE TABLE audit_events, audit_event_roles");
        const store = server.app.storage.audit as TypeormAuditStore;
        const indexes = new Set<string>([
          ...(await ds.query<Array<{ Key_name: string }>>("SHOW INDEX FROM audit_events")).map((r) => r.Key_name),
          ...(await ds.query<Array<{ Key_name: string }>>("SHOW INDEX FROM audit_event_roles")).map((r) => r.Key_name),
        ]);
        const filters = [
          {},
          { actorId: "actor-7" },
          { actorEmail: "actor-7@example.com" },
          { role: "ops" },
          { decision: "DENY" as const },
          { operation: "op-3", decision: "ALLOW" as const },
          { resourceType: "type-2" },
          { resourceName: "name-42" },
          { role: "viewer", operation: "op-4" },
          { since: new Date(Date.UTC(2024, 0, 2)), until: new Date(Date.UTC(2024, 0, 2, 6)) },
        ];
        for (const filter of filters) {
          for (const before of [null, 2500]) {
            const [sql, params] = store.searchQuery(filter, before, 101).getQueryAndParameters();
            const plan = await ds.query<Array<{ table: string; type: string; key: string | null }>>(
              `EXPLAIN ${sql}`,
              params,
            );
            for (const row of plan) {
              const where = `${JSON.stringify(filter)} before ${before}: ${JSON.stringify(row)}`;
              expect(row.type, where).to.not.equal("ALL");
              expect(row.key, where).to.be.a("string");
              // index_merge names every index it intersects, comma-separated.
              for (const key of row.key!.split(",")) expect(indexes.has(key), where).to.equal(true);
            }
          }
        }
      });
    }
  });
}
