import { expect } from "chai";
import {
  addAccessRequestRoles,
  call,
  CANCEL,
  LIST,
  mayRestart,
  REQUEST_FIELDS,
  requestOk,
  REVIEW,
  reviewOk,
  TestClock,
  type AccessRequestView,
} from "../../support/access-requests";
import { auditHead, changesSince, eventsSince as eventsSinceIn } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addUser } from "../../support/principals";
import { serverForSuite, type TestServer } from "../../support/server";
import { subscribe, type TestSubscription } from "../../support/subscriptions";

type List = { accessRequests: AccessRequestView[] };
type Reviewed = { reviewAccessRequest: AccessRequestView };

for (const kind of databaseKinds()) {
  describe(`the life of an access request on ${kind.name}`, function () {
    this.timeout(60_000);
    let server: TestServer;
    const clock = new TestClock();
    serverForSuite(kind, (s) => (server = s), {}, { now: clock.now });
    before(async () => addAccessRequestRoles(server));

    const eventsSince = (since: number, operation: string) => eventsSinceIn(server, since, operation);
    const ids = async (token: string, status?: string) =>
      (await call<List>(server, token, LIST, { status })).data!.accessRequests.map((r) => r.id);

    it("grants exactly once when two reviewers approve at the same moment", async () => {
      for (let round = 0; round < 5; round++) {
        const [alice, rita, ravi] = [
          await addUser(server, ["requester"]),
          await addUser(server, ["reviewer"]),
          await addUser(server, ["reviewer"]),
        ];
        const r = await requestOk(server, alice.token, { roles: ["on-call"] });
        const answers = await Promise.all(
          [rita, ravi].map((x) => call<Reviewed>(server, x.token, REVIEW, { id: r.id, approve: true })),
        );
        const codes = answers.map((a) => a.errors?.[0]?.extensions?.code ?? "OK").sort();
        expect(codes).to.deep.equal(["CONFLICT", "OK"]);
        const grants = (await server.app.storage.grants.forAccessRequests([r.id])).get(r.id)!;
        expect(grants.map((g) => g.role)).to.deep.equal(["on-call"]);
        expect((await server.app.storage.accessRequests.get(r.id))!.reviews).to.have.length(1);
      }
    });

    it("grants exactly one set when the two approvals a request needs arrive at once", async () => {
      const [bob, rita, ravi] = [
        await addUser(server, ["pair-requester"]),
        await addUser(server, ["reviewer"]),
        await addUser(server, ["reviewer"]),
      ];
      const r = await requestOk(server, bob.token, { roles: ["on-call-pair"] });
      const answers = await Promise.all(
        [rita, ravi].map((x) => call<Reviewed>(server, x.token, REVIEW, { id: r.id, approve: true })),
      );
      expect(answers.map((a) => a.errors)).to.deep.equal([undefined, undefined]);
      expect(answers.map((a) => a.data!.reviewAccessRequest.status).sort()).to.deep.equal(["APPROVED", "PENDING"]);
      expect((await server.app.storage.grants.forAccessRequests([r.id])).get(r.id)).to.have.length(1);
    });

    it("stops the grant counting at its expiry, with nothing having to run", async () => {
      const [alice, rita] = [await addUser(server, ["requester"]), await addUser(server, ["reviewer"])];
      const r = await requestOk(server, alice.token, { roles: ["on-call"], ttlSeconds: 600, scope: "prod" });
      await reviewOk(server, rita.token, r.id, true);
      expect((await mayRestart(server, server.adminToken, alice.user.id)).allowed).to.equal(true);
      clock.advance(599);
      expect((await mayRestart(server, server.adminToken, alice.user.id)).allowed).to.equal(true);
      clock.advance(2);
      expect(await mayRestart(server, server.adminToken, alice.user.id)).to.deep.equal({
        allowed: false,
        reason: "NO_MATCHING_RULE",
      });
      const [mine] = (await call<List>(server, alice.token, LIST, {})).data!.accessRequests.filter(
        (x) => x.id === r.id,
      );
      expect(mine.status).to.equal("APPROVED");
    });

    it("reads a pending request past its deadline as EXPIRED at once, refuses reviews, and the sweep records the expiry", async () => {
      const [alice, rita] = [await addUser(server, ["requester"]), await addUser(server, ["reviewer"])];
      const r = await requestOk(server, alice.token, { roles: ["on-call"] });
      expect(await ids(alice.token, "PENDING")).to.include(r.id);
      clock.advance(24 * 3600 + 1);
      expect(await ids(alice.token, "PENDING")).to.not.include(r.id);
      expect(await ids(alice.token, "EXPIRED")).to.include(r.id);
      expect(await ids(rita.token, "EXPIRED")).to.include(r.id);
      const late = await call(server, rita.token, REVIEW, { id: r.id, approve: true });
      expect(late.errors![0].extensions).to.deep.include({ code: "CONFLICT" });
      expect((await server.app.storage.accessRequests.get(r.id))!.status).to.equal("PENDING");
      const since = await auditHead(server);
      expect(await server.app.services.accessRequests.expireDue()).to.be.greaterThan(0);
      expect((await server.app.storage.accessRequests.get(r.id))!.status).to.equal("EXPIRED");
      const events = (await eventsSince(since, "accessRequest.expired")).filter((e) => e.resourceName === r.id);
      expect(events).to.have.length(1);
      expect(events[0]).to.deep.include({ actorId: "system:access-request-expiry", decision: "ALLOW" });
      expect(events[0].metadata).to.deep.include({ requestId: r.id, roles: ["on-call"] });
      expect(await server.app.services.accessRequests.expireDue()).to.equal(0);
    });

    it("expires each due request once when several sweeps run at the same time", async () => {
      const alice = await addUser(server, ["requester"]);
      const made = [
        await requestOk(server, alice.token, { roles: ["on-call"], scope: "a" }),
        await requestOk(server, alice.token, { roles: ["on-call"], scope: "b" }),
      ];
      clock.advance(24 * 3600 + 1);
      const since = await auditHead(server);
      const counts = await Promise.all([1, 2, 3].map(() => server.app.services.accessRequests.expireDue()));
      expect(counts.reduce((a, b) => a + b, 0)).to.be.greaterThanOrEqual(2);
      const expired = (await eventsSince(since, "accessRequest.expired")).map((e) => e.resourceName);
      for (const r of made) expect(expired.filter((id) => id === r.id)).to.have.length(1);
    });

    it("lets the requester cancel a pending request, and nobody else", async () => {
      const [alice, rita] = [await addUser(server, ["requester"]), await addUser(server, ["reviewer"])];
      const r = await requestOk(server, alice.token, { roles: ["on-call"] });
      const since = await auditHead(server);
      const foreign = await call(server, rita.token, CANCEL, { id: r.id });
      expect(foreign.errors![0].extensions).to.deep.include({ code: "FORBIDDEN" });
      const cancelled = (
        await call<{ cancelAccessRequest: AccessRequestView }>(server, alice.token, CANCEL, { id: r.id })
      ).data!.cancelAccessRequest;
      expect(cancelled).to.deep.include({ status: "CANCELLED", expiresAt: null });
      expect(cancelled.decidedAt).to.be.a("string");
      expect((await eventsSince(since, "Mutation.cancelAccessRequest")).map((e) => e.decision)).to.deep.equal([
        "DENY",
        "ALLOW",
      ]);
      expect((await call(server, alice.token, CANCEL, { id: r.id })).errors![0].extensions).to.deep.include({
        code: "CONFLICT",
      });
      expect(
        (await call(server, rita.token, REVIEW, { id: r.id, approve: true })).errors![0].extensions,
      ).to.deep.include({ code: "CONFLICT" });
    });

    it("lists one's own requests to everyone, and others' only to a lister who could review them", async () => {
      const [alice, bob, rita, bo, wes] = [
        await addUser(server, ["requester"]),
        await addUser(server, ["pair-requester"]),
        await addUser(server, ["reviewer"]),
        await addUser(server, ["bystander"]),
        await addUser(server, ["weak-reviewer"]),
      ];
      const a = await requestOk(server, alice.token, { roles: ["on-call"], scope: "list-test" });
      const b = await requestOk(server, bob.token, { roles: ["on-call-pair"], scope: "list-test" });
      expect(await ids(alice.token))
        .to.include(a.id)
        .and.not.include(b.id);
      expect(await ids(bob.token))
        .to.include(b.id)
        .and.not.include(a.id);
      expect(await ids(rita.token)).to.include.members([a.id, b.id]);
      expect(await ids(bo.token))
        .to.not.include.members([a.id])
        .and.not.include(b.id);
      expect(await ids(wes.token))
        .to.include(a.id)
        .and.not.include(b.id);
      expect(await ids(server.adminToken)).to.include.members([a.id, b.id]);
      await reviewOk(server, rita.token, a.id, true, "ok for an hour");
      const seen = (await call<List>(server, wes.token, LIST, { status: "APPROVED" })).data!.accessRequests.find(
        (x) => x.id === a.id,
      )!;
      expect(seen.reviews).to.deep.equal([
        {
          reviewer: { id: rita.user.id },
          approve: true,
          comment: "ok for an hour",
          createdAt: seen.reviews[0].createdAt,
        },
      ]);
    });

    it("ends access-request grants at once when the requester is locked", async () => {
      const [alice, rita] = [await addUser(server, ["requester"]), await addUser(server, ["reviewer"])];
      const r = await requestOk(server, alice.token, { roles: ["on-call"], scope: "prod" });
      await reviewOk(server, rita.token, r.id, true);
      const lock = await call(
        server,
        server.adminToken,
        `mutation($id: ID!) { lockUser(id: $id, reason: "offboarding") { status } }`,
        { id: alice.user.id },
      );
      expect(lock.errors).to.equal(undefined);
      expect(await mayRestart(server, server.adminToken, alice.user.id)).to.deep.equal({
        allowed: false,
        reason: "USER_LOCKED",
      });
    });

    it("ends access-request grants at once when the requester is deprovisioned, and expires their pending requests in the same write", async () => {
      const [alice, rita] = [await addUser(server, ["requester"]), await addUser(server, ["reviewer"])];
      const r = await requestOk(server, alice.token, { roles: ["on-call"], scope: "prod" });
      const pending = await requestOk(server, alice.token, { roles: ["on-call"], scope: "prod/other" });
      await reviewOk(server, rita.token, r.id, true);
      expect(await ids(rita.token, "PENDING")).to.include(pending.id);
      const since = await auditHead(server);
      const gone = await call(server, server.adminToken, `mutation($id: ID!) { deprovisionUser(id: $id) { status } }`, {
        id: alice.user.id,
      });
      expect(gone.errors).to.equal(undefined);
      expect((await mayRestart(server, server.adminToken, alice.user.id)).allowed).to.equal(false);
      expect((await server.app.storage.grants.forAccessRequests([r.id])).get(r.id)).to.deep.equal([]);
      // The approved one keeps its decision; the pending one leaves the reviewer's inbox.
      expect((await server.app.storage.accessRequests.get(r.id))!.status).to.equal("APPROVED");
      expect((await server.app.storage.accessRequests.get(pending.id))!.status).to.equal("EXPIRED");
      expect(await ids(rita.token, "PENDING")).to.not.include(pending.id);
      const expired = await eventsSince(since, "accessRequest.expired");
      expect(expired.map((e) => e.metadata?.requestId)).to.deep.equal([pending.id]);
      expect(expired[0].metadata?.why).to.equal(`the requester ${alice.user.email} was deprovisioned`);
      const [change] = await changesSince(server, since, "Mutation.deprovisionUser");
      expect(change?.metadata?.change).to.deep.include({ requestsExpired: 1 });
      const review = await call(server, rita.token, REVIEW, { id: pending.id, approve: true });
      expect(review.errors![0].extensions).to.deep.include({ code: "CONFLICT" });
      expect(review.errors![0].message).to.contain("EXPIRED");
    });

    it("expires pending requests for a role when the role is deleted", async () => {
      const alice = await addUser(server, ["requester"]);
      await call(server, server.adminToken, `mutation($d: String!) { createRole(document: $d) { name } }`, {
        d: "kind: role\nname: temp-target\npolicies: [on-call-ops]\n",
      });
      await call(server, server.adminToken, `mutation($d: String!) { createRole(document: $d) { name } }`, {
        d: "kind: role\nname: temp-requester\npolicies: []\nrequest: { roles: [temp-target] }\n",
      });
      const grant = await call<{ grantRole: { id: string } }>(
        server,
        server.adminToken,
        `mutation($u: ID!) { grantRole(input: { userId: $u, role: "temp-requester" }) { id } }`,
        { u: alice.user.id },
      );
      const r = await requestOk(server, alice.token, { roles: ["temp-target"] });
      await call(server, server.adminToken, `mutation($id: ID!) { revokeGrant(id: $id) }`, {
        id: grant.data!.grantRole.id,
      });
      expect(
        (await call(server, server.adminToken, `mutation { deleteRole(name: "temp-requester") }`, {})).errors,
      ).to.equal(undefined);
      const since = await auditHead(server);
      const deleted = await call(server, server.adminToken, `mutation { deleteRole(name: "temp-target") }`, {});
      expect(deleted.errors).to.equal(undefined);
      expect((await server.app.storage.accessRequests.get(r.id))!.status).to.equal("EXPIRED");
      const [event] = await eventsSince(since, "accessRequest.expired");
      expect(event.metadata).to.deep.include({ requestId: r.id, roles: ["temp-target"] });
    });

    describe("with a listening client", () => {
      let sub: TestSubscription | null = null;
      afterEach(async () => sub?.dispose());

      it("delivers the request and the approval to an auditEvents subscriber within a second", async () => {
        const [alice, rita] = [await addUser(server, ["requester"]), await addUser(server, ["reviewer"])];
        const head = await auditHead(server);
        sub = subscribe(
          server,
          `subscription($after: String) { auditEvents(filter: { resourceType: "access_request", decision: ALLOW }, resumeAfter: $after) { operation actorEmail resourceName metadata } }`,
          { token: server.adminToken, variables: { after: String(head) } },
        );
        // Live once a probe request arrives (replayed if written before the subscription started).
        const probe = await requestOk(server, alice.token, { roles: ["on-call"], scope: "probe" });
        await sub.waitFor((e) => e.auditEvents.resourceName === probe.id, 5000);
        let started = Date.now();
        const r = await requestOk(server, alice.token, { roles: ["on-call"], scope: "chat", reason: "deploy hotfix" });
        const asked = await sub.waitFor(
          (e) => e.auditEvents.operation === "Mutation.requestAccess" && e.auditEvents.resourceName === r.id,
          1000,
        );
        expect(Date.now() - started).to.be.lessThan(1000);
        expect(asked.auditEvents).to.deep.include({ actorEmail: alice.user.email });
        expect(asked.auditEvents.metadata).to.deep.include({
          roles: ["on-call"],
          ttlSeconds: 3600,
          reason: "deploy hotfix",
        });
        started = Date.now();
        await reviewOk(server, rita.token, r.id, true, "approved");
        const approved = await sub.waitFor(
          (e) => e.auditEvents.operation === "accessRequest.approved" && e.auditEvents.resourceName === r.id,
          1000,
        );
        expect(Date.now() - started).to.be.lessThan(1000);
        expect(approved.auditEvents).to.deep.include({ actorEmail: rita.user.email });
      });
    });

    it("serves the built-in defaults: a deployer asks for ops for up to 4h and an ops holder approves", async () => {
      const [dee, otto] = [await addUser(server, ["deployer"]), await addUser(server, ["ops"])];
      const tooLong = await call(
        server,
        dee.token,
        `mutation { requestAccess(roles: ["ops"], reason: "incident", ttlSeconds: 14401) { id } }`,
        {},
      );
      expect(tooLong.errors![0].extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "ttlSeconds" });
      const r = (
        await call<{ requestAccess: AccessRequestView }>(
          server,
          dee.token,
          `mutation { requestAccess(roles: ["ops"], reason: "incident", ttlSeconds: 14400) { ${REQUEST_FIELDS} } }`,
          {},
        )
      ).data!.requestAccess;
      expect(r).to.deep.include({ approvalsRequired: 1, denialsRequired: 1 });
      const approved = await reviewOk(server, otto.token, r.id, true);
      expect(approved.grants.map((g) => [g.role.name, g.source])).to.deep.equal([["ops", "ACCESS_REQUEST"]]);
    });
  });
}
