import { expect } from "chai";
import { anEvent } from "../../support/audit-events";
import { databaseKinds } from "../../support/databases";
import { measureBlocking, withinBlockingLimit, type Blocking } from "../../support/event-loop";
import { addUser, type TestUser } from "../../support/principals";
import { gql, serverForSuite, type TestServer } from "../../support/server";

const checks = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    action: "read",
    resource: { type: "job", namespace: "prod", name: `web-${i}` },
  }));
const aliased = (aliases: number) =>
  `query($c: [CheckInput!]!) { ${Array.from({ length: aliases }, (_, i) => `a${i}: canMany(checks: $c) { allowed }`).join(" ")} }`;

const describeBlocking = (b: Blocking) => `held ${b.maxMs.toFixed(0)} ms, machine slowdown ${b.slowdown.toFixed(2)}`;

for (const kind of databaseKinds()) {
  describe(`per-request limits on ${kind.name}`, function () {
    this.timeout(180_000);
    let server: TestServer;
    let viewer: TestUser;
    serverForSuite(kind, (s) => (server = s));
    before(async () => {
      viewer = await addUser(server, ["viewer"]);
    });

    const head = async () => (await server.app.storage.audit.head()).sequence;
    async function checkEventsSince(sequence: number) {
      return (await server.app.storage.audit.range(sequence + 1, await head())).filter(
        (e) => e.operation === "check" || e.operation === "Query.canMany",
      );
    }

    it("refuses 30 aliases of canMany x 1000 with a 400 naming the limit, before any check is decided or audited", async () => {
      const before = await head();
      const res = await gql(server.url, aliased(30), { token: viewer.token, variables: { c: checks(1000) } });
      expect(res.status).to.equal(400);
      expect(res.errors?.[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "checks" });
      expect(res.errors?.[0]?.message).to.contain("30000 checks").and.contain("at most 1000");
      expect(res.data ?? null).to.equal(null);
      expect(await checkEventsSince(before)).to.deep.equal([]);
    });

    it("counts every alias, fragment, literal list and can: 1,000 in all is allowed, 1,001 is not", async () => {
      const ok = await gql(server.url, aliased(2), { token: viewer.token, variables: { c: checks(500) } });
      expect(ok.errors).to.equal(undefined);
      expect(ok.data!.a0).to.have.length(500);
      const literal = `[${checks(2)
        .map((c) => `{ action: "${c.action}", resource: { type: "job", name: "${c.resource.name}" } }`)
        .join(", ")}]`;
      const refusals = [
        [
          `query($c: [CheckInput!]!) { can(action: "read", resource: { type: "job" }) { allowed } ...F } fragment F on Query { canMany(checks: $c) { allowed } }`,
          1000,
        ],
        [
          `query($c: [CheckInput!]!) { x: canMany(checks: ${literal}) { allowed } ... on Query { y: canMany(checks: $c) { allowed } } }`,
          999,
        ],
      ] as const;
      for (const [query, n] of refusals) {
        const before = await head();
        const res = await gql(server.url, query, { token: viewer.token, variables: { c: checks(n) } });
        expect(res.status, query).to.equal(400);
        expect(res.errors?.[0]?.message).to.contain("1001 checks");
        expect(await checkEventsSince(before)).to.deep.equal([]);
      }
    });

    it("holds the event loop at most 100 ms for the worst case of canMany: 30 aliases x 1000, and 1000 checks decided", async () => {
      const refused = await measureBlocking(() =>
        gql(server.url, aliased(30), { token: viewer.token, variables: { c: checks(1000) } }),
      );
      const before = await head();
      let answered = 0;
      const decided = await measureBlocking(async () => {
        const res = await gql<{ a0: unknown[] }>(server.url, aliased(1), {
          token: viewer.token,
          variables: { c: checks(1000) },
        });
        answered = res.data?.a0.length ?? 0;
      });
      expect(answered).to.equal(1000);
      expect((await checkEventsSince(before)).filter((e) => e.operation === "check")).to.have.length(1000);
      expect(withinBlockingLimit(refused, 100), `refused request: ${describeBlocking(refused)}`).to.equal(true);
      expect(withinBlockingLimit(decided, 100), `1000 checks: ${describeBlocking(decided)}`).to.equal(true);
    });

    it("holds the event loop at most 100 ms while verifying a large trail, whole and incrementally", async () => {
      const auditor = await addUser(server, ["auditor"]);
      const total = 30_000;
      for (let i = 0; i < total; i += 1000)
        await Promise.all(Array.from({ length: 1000 }, () => server.app.services.audit.record(anEvent())));
      let report: Record<string, unknown> = {};
      const whole = await measureBlocking(async () => {
        const res = await gql<{ verifyAuditChain: Record<string, unknown> }>(
          server.url,
          "{ verifyAuditChain(full: true) { ok checked } }",
          { token: auditor.token },
        );
        report = res.data!.verifyAuditChain;
      });
      expect(report.ok).to.equal(true);
      expect(report.checked).to.be.greaterThan(total);
      const again = await gql(server.url, "{ verifyAuditChain { ok checked } }", { token: auditor.token });
      expect(again.data!.verifyAuditChain).to.deep.equal({ ok: true, checked: 1 });
      expect(withinBlockingLimit(whole, 100), `full verification: ${describeBlocking(whole)}`).to.equal(true);
    });
  });
}
