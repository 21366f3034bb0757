import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { anEvent, allPages, recordEvents, ndjsonEvents, type AuditEventView } from "../../support/audit-events";
import { databaseKinds } from "../../support/databases";
import { addUser, type TestUser } from "../../support/principals";
import { serverForSuite, type TestServer } from "../../support/server";

/** The JSON error body of the non-GraphQL routes. */
type ErrorBody = { errors: Array<{ message: string; extensions: Record<string, unknown> }> };

for (const kind of databaseKinds()) {
  describe(`GET /audit/export on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let auditor: TestUser;

    serverForSuite(kind, (s) => (server = s));
    before(async () => {
      auditor = await addUser(server, ["auditor"]);
    });

    async function exportAudit(query: string, token: string | null = auditor.token): Promise<Response> {
      return fetch(`${server.url}/audit/export${query}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    }

    async function lines(res: Response): Promise<AuditEventView[]> {
      const text = await res.text();
      expect(text === "" || text.endsWith("\n"), "every line ends with a newline").to.equal(true);
      return ndjsonEvents(text);
    }

    it("streams the same events as auditEvents for the same filter, oldest first, one contract object per line", async () => {
      const type = `t${randomUUID().slice(0, 8)}`;
      const role = `r-${randomUUID().slice(0, 6)}`;
      await recordEvents(server, [
        anEvent({ resourceType: type, actorRoles: [role], metadata: { n: 1 } }),
        anEvent({ resourceType: type, decision: "DENY", reason: "EXPLICIT_DENY" }),
        anEvent({
          resourceType: type,
          actorRoles: [role],
          decision: "DENY",
          reason: "NO_MATCHING_RULE",
          metadata: null,
        }),
        anEvent({ resourceType: "other", actorRoles: [role] }),
      ]);
      for (const filter of [
        { resourceType: type },
        { resourceType: type, decision: "DENY" },
        { role },
        { role, resourceType: type, decision: "DENY" },
      ]) {
        const res = await exportAudit(`?${new URLSearchParams(filter as Record<string, string>).toString()}`);
        expect(res.status).to.equal(200);
        expect(res.headers.get("content-type")).to.match(/^application\/x-ndjson/);
        const exported = await lines(res);
        const searched = await allPages(server, auditor.token, filter, 2);
        expect(exported, JSON.stringify(filter)).to.deep.equal([...searched].reverse());
        expect(exported.length).to.be.greaterThan(0);
      }
    });

    it("writes the contract's field names, time in ISO-8601 UTC with milliseconds, metadata as an object", async () => {
      const [written] = await recordEvents(server, [
        anEvent({ time: new Date(Date.UTC(2021, 1, 3, 4, 5, 6, 7)), metadata: { a: { b: [1] } } }),
      ]);
      const [line] = await lines(await exportAudit(`?resourceName=${written.resourceName}`));
      expect(Object.keys(line)).to.have.members([
        "id",
        "sequence",
        "time",
        "actorId",
        "actorEmail",
        "actorRoles",
        "tokenId",
        "sourceIp",
        "operation",
        "action",
        "resourceType",
        "resourceNamespace",
        "resourceName",
        "subjectId",
        "decision",
        "reason",
        "requestId",
        "metadata",
        "prevHash",
        "hash",
      ]);
      expect(line).to.deep.include({
        sequence: written.sequence,
        time: "2021-02-03T04:05:06.007Z",
        metadata: { a: { b: [1] } },
        hash: written.hash,
      });
    });

    it("takes since, until and days", async () => {
      const name = `n-${randomUUID().slice(0, 8)}`;
      const now = Date.now();
      const records = await recordEvents(server, [
        anEvent({ resourceName: name, time: new Date(now - 10 * 86_400_000) }),
        anEvent({ resourceName: name, time: new Date(now - 2 * 86_400_000) }),
        anEvent({ resourceName: name, time: new Date(now - 1000) }),
      ]);
      const seqs = async (q: string) =>
        (await lines(await exportAudit(`?resourceName=${name}&${q}`))).map((l) => l.sequence);
      expect(await seqs("days=3")).to.deep.equal([records[1].sequence, records[2].sequence]);
      expect(await seqs(`since=${records[1].time.toISOString()}`)).to.deep.equal([
        records[1].sequence,
        records[2].sequence,
      ]);
      expect(await seqs(`until=${records[1].time.toISOString()}`)).to.deep.equal([records[0].sequence]);
    });

    it("streams more events than one batch holds, in order, without losing any", async () => {
      const operation = `op-${randomUUID().slice(0, 8)}`;
      await Promise.all(Array.from({ length: 2500 }, () => server.app.services.audit.record(anEvent({ operation }))));
      const exported = await lines(await exportAudit(`?operation=${operation}`));
      expect(exported).to.have.length(2500);
      const seqs = exported.map((l) => l.sequence);
      expect(seqs).to.deep.equal([...seqs].sort((a, b) => a - b));
    });

    it("answers 401 JSON without a credential or with a bad one", async () => {
      for (const token of [null, "ptc_not-a-real-token"]) {
        const res = await exportAudit("", token);
        expect(res.status).to.equal(401);
        const body = (await res.json()) as ErrorBody;
        expect(body.errors[0].extensions.code).to.equal("UNAUTHENTICATED");
      }
    });

    it("answers 403 JSON to a viewer and a user with no roles, and audits the refusal", async () => {
      for (const roles of [["viewer"], []]) {
        const user = await addUser(server, roles);
        const res = await exportAudit("?days=1", user.token);
        expect(res.status).to.equal(403);
        expect(((await res.json()) as ErrorBody).errors[0].extensions).to.deep.include({
          code: "FORBIDDEN",
          capability: "audit:read",
        });
        const events = await allPages(server, auditor.token, { actorId: user.user.id }, 10);
        expect(events.map((e) => [e.operation, e.decision, e.action, e.resourceType])).to.deep.equal([
          ["GET /audit/export", "DENY", "read", "audit"],
        ]);
      }
    });

    it("audits an allowed export as a decision of its own", async () => {
      const reader = await addUser(server, ["auditor"]);
      await (await exportAudit("?operation=nothing-matches", reader.token)).text();
      const events = await allPages(server, auditor.token, { actorId: reader.user.id }, 10);
      expect(events.map((e) => [e.operation, e.decision])).to.deep.equal([["GET /audit/export", "ALLOW"]]);
    });

    it("answers 400 JSON naming the parameter for bad input", async () => {
      const cases: Array<[string, string]> = [
        ["?since=yesterday", "since"],
        ["?until=2026-01-01", "until"],
        ["?decision=MAYBE", "decision"],
        ["?days=0", "days"],
        ["?days=two", "days"],
        ["?days=1&since=2026-01-01T00:00:00Z", "days"],
        ["?actor=me", "actor"],
        ["?role=a&role=b", "role"],
      ];
      for (const [query, field] of cases) {
        const res = await exportAudit(query);
        expect(res.status, query).to.equal(400);
        expect(((await res.json()) as ErrorBody).errors[0].extensions, query).to.deep.include({
          code: "BAD_USER_INPUT",
          field,
        });
      }
    });

    it("stops reading batches when the client goes away mid-stream, and keeps serving", async () => {
      const operation = `op-${randomUUID().slice(0, 8)}`;
      const total = 6000;
      await Promise.all(
        Array.from({ length: total }, () =>
          server.app.services.audit.record(anEvent({ operation, metadata: { pad: "x".repeat(2000) } })),
        ),
      );
      const store = server.app.storage.audit;
      const scan = store.scanAfter.bind(store);
      let batches = 0;
      store.scanAfter = (filter, ...rest) => {
        if (filter.operation === operation) batches++;
        return scan(filter, ...rest);
      };
      try {
        const controller = new AbortController();
        const res = await fetch(`${server.url}/audit/export?operation=${operation}`, {
          headers: { authorization: `Bearer ${auditor.token}` },
          signal: controller.signal,
        });
        const reader = res.body!.getReader();
        expect((await reader.read()).done).to.equal(false);
        controller.abort();
        await reader.read().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 300));
        // A full export reads total/1000 batches and one empty one.
        expect(batches)
          .to.be.greaterThan(0)
          .and.lessThan(total / 1000 + 1);
      } finally {
        store.scanAfter = scan;
      }
      const after = await exportAudit(`?operation=${operation}&days=1`);
      expect(after.status).to.equal(200);
      expect(await lines(after)).to.have.length(total);
    });
  });
}
