import { expect } from "chai";
import {
  addAccessRequestRoles,
  call,
  LIST,
  mayRestart,
  REQUEST,
  requestOk,
  REVIEW,
  reviewOk,
  TestClock,
  type AccessRequestView,
} from "../../support/access-requests";
import { auditHead, eventsSince as eventsSinceIn } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addUser } from "../../support/principals";
import { serverForSuite, type TestServer } from "../../support/server";

for (const kind of databaseKinds()) {
  describe(`access requests on ${kind.name}`, function () {
    this.timeout(60_000);
    let server: TestServer;
    const clock = new TestClock();
    serverForSuite(kind, (s) => (server = s), {}, { now: clock.now });
    before(async () => addAccessRequestRoles(server));

    const eventsSince = (since: number, operation: string) => eventsSinceIn(server, since, operation);

    describe("requestAccess", () => {
      it("records a pending request with the thresholds and deadline, audited with its id", async () => {
        const alice = await addUser(server, ["requester"]);
        const since = await auditHead(server);
        const before = clock.now().getTime();
        const r = await requestOk(server, alice.token, { roles: ["on-call"], ttlSeconds: 1800, scope: "prod" });
        expect(r).to.deep.include({
          status: "PENDING",
          reason: "deploy hotfix",
          scope: "prod",
          ttlSeconds: 1800,
          approvalsRequired: 1,
          denialsRequired: 1,
          decidedAt: null,
          reviews: [],
          grants: [],
        });
        expect(r.requester.id).to.equal(alice.user.id);
        expect(r.roles).to.deep.equal([{ name: "on-call" }]);
        const deadline = new Date(r.expiresAt).getTime() - before;
        expect(deadline).to.be.within(24 * 3600 * 1000 - 5000, 24 * 3600 * 1000 + 5000);
        const [event] = await eventsSince(since, "Mutation.requestAccess");
        expect(event).to.deep.include({
          decision: "ALLOW",
          resourceType: "access_request",
          resourceName: r.id,
          actorId: alice.user.id,
        });
        expect(event.metadata).to.deep.include({
          requestId: r.id,
          roles: ["on-call"],
          scope: "prod",
          ttlSeconds: 1800,
          reason: "deploy hotfix",
        });
      });

      it("defaults ttlSeconds to one hour and answers a repeated request with the pending one", async () => {
        const alice = await addUser(server, ["requester"]);
        const first = await requestOk(server, alice.token, { roles: ["on-call"] });
        expect(first.ttlSeconds).to.equal(3600);
        const again = await requestOk(server, alice.token, { roles: ["ON-CALL"], reason: "still need it" });
        expect(again.id).to.equal(first.id);
        const other = await requestOk(server, alice.token, { roles: ["on-call"], scope: "dev" });
        expect(other.id).to.not.equal(first.id);
      });

      it("lets a role inherited from the caller's roles make a role requestable, with the strictest thresholds", async () => {
        const bob = await addUser(server, ["pair-requester"]);
        expect((await requestOk(server, bob.token, { roles: ["on-call"] })).approvalsRequired).to.equal(1);
        const both = await requestOk(server, bob.token, { roles: ["on-call", "on-call-pair"] });
        expect(both).to.deep.include({ approvalsRequired: 2, denialsRequired: 1 });
      });

      it("refuses a role none of the caller's roles makes requestable, FORBIDDEN and audited", async () => {
        const alice = await addUser(server, ["requester"]);
        const since = await auditHead(server);
        const res = await call(server, alice.token, REQUEST, { roles: ["on-call-pair"], reason: "x" });
        expect(res.errors![0].extensions).to.deep.include({ code: "FORBIDDEN" });
        const [event] = await eventsSince(since, "Mutation.requestAccess");
        expect(event).to.deep.include({ decision: "DENY", reason: "NO_MATCHING_RULE", actorId: alice.user.id });
        expect(await server.app.storage.accessRequests.list({ requesterId: alice.user.id })).to.deep.equal([]);
      });

      it("lets a token limited to some roles ask only for what those roles make requestable", async () => {
        const limited = await addUser(server, ["requester", "bystander"], { tokenRoles: ["bystander"] });
        const res = await call(server, limited.token, REQUEST, { roles: ["on-call"], reason: "x" });
        expect(res.errors![0].extensions).to.deep.include({ code: "FORBIDDEN" });
        const full = await addUser(server, ["requester", "bystander"], { tokenRoles: ["requester"] });
        expect((await requestOk(server, full.token, { roles: ["on-call"] })).status).to.equal("PENDING");
      });

      for (const [what, variables, field] of [
        ["an empty reason", { roles: ["on-call"], reason: "" }, "reason"],
        ["a reason over 1000 characters", { roles: ["on-call"], reason: "x".repeat(1001) }, "reason"],
        [
          "a ttl above the role's maxSessionTtl",
          { roles: ["on-call"], reason: "x", ttlSeconds: 2 * 3600 + 1 },
          "ttlSeconds",
        ],
        ["a ttl of zero", { roles: ["on-call"], reason: "x", ttlSeconds: 0 }, "ttlSeconds"],
        [
          "a ttl above 12h for roles without maxSessionTtl",
          { roles: ["on-call-pair"], reason: "x", ttlSeconds: 12 * 3600 + 1 },
          "ttlSeconds",
        ],
        ["a glob as scope", { roles: ["on-call"], reason: "x", scope: "prod/*" }, "scope"],
        ["an unknown role", { roles: ["on-call", "nope"], reason: "x" }, "roles[1]"],
        ["no role", { roles: [], reason: "x" }, "roles"],
      ] as const) {
        it(`refuses ${what} with BAD_USER_INPUT at ${field}, writing nothing`, async () => {
          const bob = await addUser(server, ["pair-requester"]);
          const res = await call(server, bob.token, REQUEST, variables);
          expect(res.errors![0].extensions).to.deep.include({ code: "BAD_USER_INPUT", field });
          expect(await server.app.storage.accessRequests.list({ requesterId: bob.user.id })).to.deep.equal([]);
        });
      }
    });

    describe("reviewAccessRequest", () => {
      it("grants on the deciding approval: one ACCESS_REQUEST grant per role, in scope, until now + ttl", async () => {
        const [alice, rita] = [await addUser(server, ["requester"]), await addUser(server, ["reviewer"])];
        const r = await requestOk(server, alice.token, { roles: ["on-call"], ttlSeconds: 1800, scope: "prod" });
        expect((await mayRestart(server, server.adminToken, alice.user.id)).allowed).to.equal(false);
        const since = await auditHead(server);
        const at = clock.now().getTime();
        const approved = await reviewOk(server, rita.token, r.id, true, "go ahead");
        expect(approved.status).to.equal("APPROVED");
        expect(approved.reviews).to.deep.equal([
          {
            reviewer: { id: rita.user.id },
            approve: true,
            comment: "go ahead",
            createdAt: approved.reviews[0].createdAt,
          },
        ]);
        expect(approved.grants).to.have.length(1);
        const [grant] = approved.grants;
        expect(grant).to.deep.include({
          role: { name: "on-call" },
          scope: "prod",
          source: "ACCESS_REQUEST",
          reason: "deploy hotfix",
          user: { id: alice.user.id },
        });
        expect(new Date(grant.expiresAt!).getTime() - new Date(grant.startsAt!).getTime()).to.equal(1800 * 1000);
        expect(new Date(grant.startsAt!).getTime()).to.be.within(at - 1000, at + 5000);
        expect(approved.expiresAt).to.equal(grant.expiresAt);
        expect(await mayRestart(server, server.adminToken, alice.user.id)).to.deep.equal({
          allowed: true,
          reason: "ALLOWED",
        });
        expect((await mayRestart(server, server.adminToken, alice.user.id, "dev")).allowed).to.equal(false);
        const [decided] = await eventsSince(since, "accessRequest.approved");
        expect(decided).to.deep.include({ decision: "ALLOW", resourceName: r.id, actorId: rita.user.id });
        expect(decided.metadata).to.deep.include({
          requestId: r.id,
          roles: ["on-call"],
          scope: "prod",
          ttlSeconds: 1800,
          grants: [grant.id],
        });
        expect((await eventsSince(since, "Mutation.reviewAccessRequest")).map((e) => e.action)).to.deep.equal([
          "review",
          "change",
        ]);
      });

      it("shows the grant in effectivePermissions with its expiry", async () => {
        const [alice, rita] = [await addUser(server, ["requester"]), await addUser(server, ["reviewer"])];
        const r = await requestOk(server, alice.token, { roles: ["on-call"], scope: "prod" });
        const {
          grants: [grant],
        } = await reviewOk(server, rita.token, r.id, true);
        const res = await call(
          server,
          alice.token,
          `{ effectivePermissions(resourceType: "job") { capabilities scope expiresAt via { role } } }`,
          {},
        );
        expect(res.data!.effectivePermissions).to.deep.include({
          capabilities: ["logs", "restart"],
          scope: "prod",
          expiresAt: grant.expiresAt,
          via: { role: "on-call" },
        });
      });

      it("needs two approvals when the settings say so: the first does not grant", async () => {
        const [bob, rita, ravi] = [
          await addUser(server, ["pair-requester"]),
          await addUser(server, ["reviewer"]),
          await addUser(server, ["reviewer"]),
        ];
        const r = await requestOk(server, bob.token, { roles: ["on-call-pair"] });
        const first = await reviewOk(server, rita.token, r.id, true);
        expect(first).to.deep.include({ status: "PENDING", grants: [] });
        const again = await call(server, rita.token, REVIEW, { id: r.id, approve: true });
        expect(again.errors![0].extensions).to.deep.include({ code: "CONFLICT" });
        const second = await reviewOk(server, ravi.token, r.id, true);
        expect(second.status).to.equal("APPROVED");
        expect(second.grants.map((g) => g.role.name)).to.deep.equal(["on-call-pair"]);
        expect(second.reviews.map((v) => v.reviewer.id)).to.deep.equal([rita.user.id, ravi.user.id]);
      });

      it("is decided by denials when they reach the threshold, and then cannot be reviewed", async () => {
        const [bob, rita, ravi, rosa] = [
          await addUser(server, ["pair-requester"]),
          await addUser(server, ["reviewer"]),
          await addUser(server, ["reviewer"]),
          await addUser(server, ["reviewer"]),
        ];
        const r = await requestOk(server, bob.token, { roles: ["on-call-pair"] });
        expect((await reviewOk(server, rita.token, r.id, false, "why?")).status).to.equal("PENDING");
        const since = await auditHead(server);
        const denied = await reviewOk(server, ravi.token, r.id, false, "not now");
        expect(denied).to.deep.include({ status: "DENIED", grants: [], expiresAt: null });
        expect(denied.decidedAt).to.be.a("string");
        expect((await eventsSince(since, "accessRequest.denied"))[0].metadata).to.deep.include({
          requestId: r.id,
          denials: 2,
        });
        const late = await call(server, rosa.token, REVIEW, { id: r.id, approve: true });
        expect(late.errors![0].extensions).to.deep.include({ code: "CONFLICT" });
      });

      it("refuses approving one's own request: FORBIDDEN with reason SELF_APPROVAL, audited", async () => {
        const both = await addUser(server, ["requester", "reviewer"]);
        const r = await requestOk(server, both.token, { roles: ["on-call"] });
        const since = await auditHead(server);
        const res = await call(server, both.token, REVIEW, { id: r.id, approve: true });
        expect(res.errors![0].extensions).to.deep.include({ code: "FORBIDDEN", reason: "SELF_APPROVAL" });
        const [event] = (await eventsSince(since, "Mutation.reviewAccessRequest")).filter((e) => e.decision === "DENY");
        expect(event).to.deep.include({ reason: "SELF_APPROVAL", resourceName: r.id, actorId: both.user.id });
        expect(
          (await call<{ accessRequests: AccessRequestView[] }>(server, both.token, LIST, {})).data!.accessRequests.find(
            (x) => x.id === r.id,
          ),
        ).to.deep.include({ status: "PENDING", reviews: [] });
      });

      it("refuses a reviewer whose roles do not review the requested role, audited", async () => {
        const [alice, bo] = [await addUser(server, ["requester"]), await addUser(server, ["bystander"])];
        const r = await requestOk(server, alice.token, { roles: ["on-call"] });
        const since = await auditHead(server);
        const res = await call(server, bo.token, REVIEW, { id: r.id, approve: true });
        expect(res.errors![0].extensions).to.deep.include({ code: "FORBIDDEN", reason: "NO_MATCHING_RULE" });
        expect((await eventsSince(since, "Mutation.reviewAccessRequest")).map((e) => e.decision)).to.deep.equal([
          "ALLOW",
          "DENY",
        ]);
      });

      it("refuses approval by a reviewer who could not grant the role themselves (ESCALATION_DENIED), but lets them deny", async () => {
        const [alice, wes] = [await addUser(server, ["requester"]), await addUser(server, ["weak-reviewer"])];
        const r = await requestOk(server, alice.token, { roles: ["on-call"] });
        const res = await call(server, wes.token, REVIEW, { id: r.id, approve: true });
        expect(res.errors![0].extensions).to.deep.include({ code: "ESCALATION_DENIED" });
        expect((await server.app.storage.accessRequests.get(r.id))!.reviews).to.deep.equal([]);
        expect((await reviewOk(server, wes.token, r.id, false)).status).to.equal("DENIED");
      });

      it("checks escalation at the request's scope: a reviewer holding the role only in prod cannot approve it everywhere", async () => {
        const [alice, pat] = [await addUser(server, ["requester"]), await addUser(server, ["weak-reviewer"])];
        const grant = await call(
          server,
          server.adminToken,
          `mutation($u: ID!) { grantRole(input: { userId: $u, role: "on-call", scope: "prod" }) { id } }`,
          { u: pat.user.id },
        );
        expect(grant.errors).to.equal(undefined);
        const everywhere = await requestOk(server, alice.token, { roles: ["on-call"] });
        expect(
          (await call(server, pat.token, REVIEW, { id: everywhere.id, approve: true })).errors![0].extensions,
        ).to.deep.include({ code: "ESCALATION_DENIED" });
        const inProd = await requestOk(server, alice.token, { roles: ["on-call"], scope: "prod/payments" });
        expect((await reviewOk(server, pat.token, inProd.id, true)).status).to.equal("APPROVED");
      });

      it("needs access_request:review: refused by the guard otherwise", async () => {
        const [alice, plain] = [await addUser(server, ["requester"]), await addUser(server, ["requester"])];
        const r = await requestOk(server, alice.token, { roles: ["on-call"] });
        const res = await call(server, plain.token, REVIEW, { id: r.id, approve: false });
        expect(res.errors![0].extensions).to.deep.include({ code: "FORBIDDEN", capability: "access_request:review" });
      });
    });
  });
}
