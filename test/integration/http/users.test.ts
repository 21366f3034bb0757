import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { auditHead, changesSince, ok, refused } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser, setStatus } from "../../support/principals";
import { addSession } from "../../support/sessions";
import { gql, serverForSuite, type TestServer } from "../../support/server";

const USER_FIELDS =
  "id email displayName kind status source groups grants { role { name } scope source createdBy { id } } tokens { id revokedAt }";
const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { ${USER_FIELDS} } }`;
const LOCK = `mutation($id: ID!, $reason: String) { lockUser(id: $id, reason: $reason) { id status } }`;
const UNLOCK = "mutation($id: ID!) { unlockUser(id: $id) { id status } }";
const REVOKE_SESSIONS = "mutation($userId: ID!) { revokeSessions(userId: $userId) }";
const DEPROVISION = `mutation($id: ID!) { deprovisionUser(id: $id) { ${USER_FIELDS} } }`;
const REACTIVATE = `mutation($id: ID!) { reactivateUser(id: $id) { ${USER_FIELDS} } }`;
const CAN = `query($subject: SubjectInput, $action: String!, $resource: ResourceInput!) {
  can(subject: $subject, action: $action, resource: $resource) { allowed reason }
}`;

const email = () => `new-${randomUUID().slice(0, 8)}@example.com`;

/** A User as USER_FIELDS selects it. */
type UserView = {
  id: string;
  email: string;
  displayName: string | null;
  kind: string;
  status: string;
  source: string;
  groups: string[];
  grants: Array<{ role: { name: string }; scope: string; source: string; createdBy: { id: string } }>;
  tokens: Array<{ id: string; revokedAt: string | null }>;
};

for (const kind of databaseKinds()) {
  describe(`users on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let admin: string;

    serverForSuite(kind, (s) => (server = s));
    before(async () => {
      admin = server.adminToken;
      // May create users and do anything to jobs under prod: it may give out only what it covers.
      await addRole(
        server,
        'kind: policy\nname: user-clerk\nrules:\n  - resource: user\n    capabilities: [create, read]\n  - resource: job\n    namespace: "prod/**"\n    capabilities: ["*"]\n',
        "kind: role\nname: user-clerk\npolicies: [user-clerk]\n",
      );
      await addRole(
        server,
        'kind: policy\nname: prod-jobs\nrules:\n  - resource: job\n    namespace: "prod/**"\n    capabilities: ["*"]\n',
        "kind: role\nname: prod-job-admin\npolicies: [prod-jobs]\n",
      );
      await addRole(
        server,
        "kind: policy\nname: db-query\nrules:\n  - resource: db\n    capabilities: [query]\n",
        "kind: role\nname: db-querier\npolicies: [db-query]\n",
      );
    });

    const can = async (userId: string, action = "submit") =>
      (
        await ok<{ can: { allowed: boolean; reason: string } }>(server, admin, CAN, {
          subject: { userId },
          action,
          resource: { type: "job", namespace: "prod", name: "web" },
        })
      ).can;
    const authenticates = async (secret: string) => {
      const res = await gql(server.url, "{ me { id } }", { token: secret });
      return res.errors ? res.errors[0].extensions!.code : "OK";
    };

    describe("createUser", () => {
      it("creates a LOCAL user, lower-casing the email, with unscoped MANUAL grants of its roles", async () => {
        const address = email();
        const before = await auditHead(server);
        const { createUser } = await ok<{ createUser: UserView }>(server, admin, CREATE, {
          input: {
            email: address.toUpperCase(),
            displayName: "Build Bot",
            kind: "SERVICE",
            roles: ["deployer", "viewer", "deployer"],
            groups: ["ci", "ci", "build"],
          },
        });
        expect(createUser).to.deep.include({
          email: address,
          displayName: "Build Bot",
          kind: "SERVICE",
          status: "ACTIVE",
          source: "LOCAL",
          groups: ["ci", "build"],
          tokens: [],
        });
        const adminId = server.app.bootstrap.created ? server.app.bootstrap.adminId : "";
        expect(
          createUser.grants.map((g) => `${g.role.name}|${g.scope}|${g.source}|${g.createdBy.id}`).sort(),
        ).to.deep.equal([`deployer||MANUAL|${adminId}`, `viewer||MANUAL|${adminId}`]);
        expect((await server.app.storage.users.getByEmail(address))?.id).to.equal(createUser.id);
        expect((await can(createUser.id)).allowed).to.equal(true);
        const [change] = await changesSince(server, before, "Mutation.createUser");
        expect(change?.metadata?.change).to.deep.include({
          user: address,
          kind: "SERVICE",
          roles: ["deployer", "viewer"],
        });
      });

      it("defaults to a HUMAN with no roles and no groups", async () => {
        const { createUser } = await ok<{ createUser: UserView }>(server, admin, CREATE, { input: { email: email() } });
        expect(createUser).to.deep.include({ kind: "HUMAN", displayName: null, groups: [], grants: [] });
      });

      it("refuses bad input at the offending field and creates nothing", async () => {
        const usersBefore = await server.app.storage.users.count();
        const before = await auditHead(server);
        const cases: Array<[Record<string, unknown>, string]> = [
          [{ email: "not-an-email" }, "input.email"],
          [{ email: "@example.com" }, "input.email"],
          [{ email: "someone@" }, "input.email"],
          [{ email: "two@at@example.com" }, "input.email"],
          [{ email: "with space@example.com" }, "input.email"],
          [{ email: "someone@exa_mple.com" }, "input.email"],
          [{ email: `${"a".repeat(65)}@example.com` }, "input.email"],
          [{ email: email(), roles: ["viewer", "no-such-role"] }, "input.roles[1]"],
          [{ email: email(), groups: ["ok", ""] }, "input.groups[1]"],
          [{ email: email(), groups: ["g".repeat(256)] }, "input.groups[0]"],
          [{ email: email(), displayName: "d".repeat(256) }, "input.displayName"],
        ];
        for (const [input, field] of cases) {
          const { extensions } = await refused(server, admin, CREATE, { input });
          expect(extensions, JSON.stringify(input)).to.deep.include({ code: "BAD_USER_INPUT", field });
        }
        expect(await server.app.storage.users.count()).to.equal(usersBefore);
        expect(await changesSince(server, before)).to.deep.equal([]);
      });

      it("refuses an email that is taken, in any case, with CONFLICT", async () => {
        const taken = await addUser(server, []);
        const { extensions } = await refused(server, admin, CREATE, {
          input: { email: taken.user.email.toUpperCase(), roles: ["viewer"] },
        });
        expect(extensions).to.deep.include({ code: "CONFLICT", field: "input.email" });
        expect(await server.app.storage.grants.list({ userId: taken.user.id, includeInactive: true })).to.deep.equal(
          [],
        );
      });

      it("gives initial roles only within the actor's own rights, refusing the whole call otherwise", async () => {
        const clerk = await addUser(server, ["user-clerk"]);
        const fine = email();
        await ok<{ createUser: UserView }>(server, clerk.token, CREATE, {
          input: { email: fine, roles: ["prod-job-admin"] },
        });
        expect((await server.app.storage.users.getByEmail(fine))?.status).to.equal("ACTIVE");
        const refusedEmail = email();
        const { extensions } = await refused(server, clerk.token, CREATE, {
          input: { email: refusedEmail, roles: ["prod-job-admin", "db-querier"] },
        });
        expect(extensions).to.deep.include({ code: "ESCALATION_DENIED", capability: "db:query" });
        expect(await server.app.storage.users.getByEmail(refusedEmail)).to.equal(null);
      });

      it("counts the roles a group already holds as given: joining a group the actor could not grant is refused", async () => {
        const group = `dbas-${randomUUID().slice(0, 6)}`;
        await ok(server, admin, "mutation($input: GrantInput!) { grantRole(input: $input) { id } }", {
          input: { group, role: "db-querier" },
        });
        const clerk = await addUser(server, ["user-clerk"]);
        const address = email();
        const { extensions } = await refused(server, clerk.token, CREATE, {
          input: { email: address, groups: [group] },
        });
        expect(extensions).to.deep.include({ code: "ESCALATION_DENIED", capability: "db:query" });
        expect(await server.app.storage.users.getByEmail(address)).to.equal(null);
        await ok<{ createUser: UserView }>(server, admin, CREATE, { input: { email: address, groups: [group] } });
      });
    });

    describe("lockUser and unlockUser", () => {
      it("locks a user: sessions end at once, tokens fail with UNAUTHENTICATED, and can answers USER_LOCKED", async () => {
        const target = await addUser(server, ["deployer"]);
        const session = await addSession(server, target.user.id);
        expect(await authenticates(session.secret)).to.equal("OK");
        expect(await authenticates(target.token)).to.equal("OK");
        const before = await auditHead(server);
        const { lockUser } = await ok<{ lockUser: { id: string; status: string } }>(server, admin, LOCK, {
          id: target.user.id,
          reason: "laptop stolen",
        });
        expect(lockUser).to.deep.equal({ id: target.user.id, status: "LOCKED" });
        expect(await authenticates(session.secret)).to.equal("UNAUTHENTICATED");
        expect(await authenticates(target.token)).to.equal("UNAUTHENTICATED");
        expect(await can(target.user.id)).to.deep.equal({ allowed: false, reason: "USER_LOCKED" });
        const stored = await server.app.storage.users.get(target.user.id);
        expect(stored).to.deep.include({ status: "LOCKED", lockedReason: "laptop stolen" });
        const [change] = await changesSince(server, before, "Mutation.lockUser");
        expect(change?.metadata?.change).to.deep.include({
          user: target.user.email,
          to: "LOCKED",
          reason: "laptop stolen",
          sessionsRevoked: 1,
        });
      });

      it("unlocks a locked user: tokens work again and grants apply, but ended sessions stay ended", async () => {
        const target = await addUser(server, ["deployer"]);
        const session = await addSession(server, target.user.id);
        await ok<{ lockUser: { id: string; status: string } }>(server, admin, LOCK, { id: target.user.id });
        const { unlockUser } = await ok<{ unlockUser: { id: string; status: string } }>(server, admin, UNLOCK, {
          id: target.user.id,
        });
        expect(unlockUser).to.deep.equal({ id: target.user.id, status: "ACTIVE" });
        expect(await authenticates(target.token)).to.equal("OK");
        expect(await authenticates(session.secret)).to.equal("UNAUTHENTICATED");
        expect((await can(target.user.id)).allowed).to.equal(true);
        expect((await server.app.storage.users.get(target.user.id))?.lockedReason).to.equal(null);
      });

      it("refuses to lock oneself, an unknown user, or with a reason too long, changing nothing", async () => {
        const me = (await ok<{ me: { id: string } }>(server, admin, "{ me { id } }")).me.id;
        expect((await refused(server, admin, LOCK, { id: me })).extensions).to.deep.include({
          code: "BAD_USER_INPUT",
          field: "id",
        });
        expect((await refused(server, admin, LOCK, { id: randomUUID() })).extensions).to.deep.include({
          code: "NOT_FOUND",
          field: "id",
        });
        const target = await addUser(server, ["viewer"]);
        expect(
          (await refused(server, admin, LOCK, { id: target.user.id, reason: "r".repeat(256) })).extensions,
        ).to.deep.include({ code: "BAD_USER_INPUT", field: "reason" });
        expect((await server.app.storage.users.get(target.user.id))?.status).to.equal("ACTIVE");
        expect(await authenticates(server.adminToken)).to.equal("OK");
      });

      it("refuses to unlock a user who is not locked (CONFLICT) or does not exist (NOT_FOUND)", async () => {
        const target = await addUser(server, []);
        expect((await refused(server, admin, UNLOCK, { id: target.user.id })).extensions).to.deep.include({
          code: "CONFLICT",
        });
        expect((await refused(server, admin, UNLOCK, { id: randomUUID() })).extensions).to.deep.include({
          code: "NOT_FOUND",
          field: "id",
        });
      });

      it("refuses to lock or unlock a deprovisioned user with CONFLICT", async () => {
        const target = await addUser(server, []);
        await setStatus(server, target.user, "DEPROVISIONED");
        expect((await refused(server, admin, LOCK, { id: target.user.id })).extensions).to.deep.include({
          code: "CONFLICT",
        });
        expect((await refused(server, admin, UNLOCK, { id: target.user.id })).extensions).to.deep.include({
          code: "CONFLICT",
        });
        expect((await server.app.storage.users.get(target.user.id))?.status).to.equal("DEPROVISIONED");
      });
    });

    describe("revokeSessions", () => {
      it("ends every live session, returns how many, and leaves the user's tokens working", async () => {
        const target = await addUser(server, ["viewer"]);
        const sessions = [await addSession(server, target.user.id), await addSession(server, target.user.id)];
        await addSession(server, target.user.id, { expiresAt: new Date(Date.now() - 1000) });
        expect((await ok(server, admin, REVOKE_SESSIONS, { userId: target.user.id })).revokeSessions).to.equal(2);
        for (const s of sessions) expect(await authenticates(s.secret)).to.equal("UNAUTHENTICATED");
        expect(await authenticates(target.token)).to.equal("OK");
        expect((await ok(server, admin, REVOKE_SESSIONS, { userId: target.user.id })).revokeSessions).to.equal(0);
      });

      it("answers NOT_FOUND at userId for an unknown user", async () => {
        expect((await refused(server, admin, REVOKE_SESSIONS, { userId: randomUUID() })).extensions).to.deep.include({
          code: "NOT_FOUND",
          field: "userId",
        });
      });
    });

    describe("deprovisionUser", () => {
      it("removes every grant and revokes every token and session at once", async () => {
        const target = await addUser(server, ["deployer", "viewer"]);
        const session = await addSession(server, target.user.id);
        const before = await auditHead(server);
        const { deprovisionUser } = await ok<{ deprovisionUser: UserView }>(server, admin, DEPROVISION, {
          id: target.user.id,
        });
        expect(deprovisionUser).to.deep.include({ status: "DEPROVISIONED", grants: [] });
        expect(deprovisionUser.tokens).to.have.length(1);
        expect(deprovisionUser.tokens[0].revokedAt).to.be.a("string");
        expect(await authenticates(target.token)).to.equal("UNAUTHENTICATED");
        expect(await authenticates(session.secret)).to.equal("UNAUTHENTICATED");
        expect(await can(target.user.id)).to.deep.equal({ allowed: false, reason: "USER_LOCKED" });
        expect(await server.app.storage.grants.list({ userId: target.user.id, includeInactive: true })).to.deep.equal(
          [],
        );
        const who = await ok<{ whoCan: Array<{ id: string }> }>(
          server,
          admin,
          `{ whoCan(action: "submit", resource: { type: "job", namespace: "prod" }) { id } }`,
        );
        expect(who.whoCan.map((u) => u.id)).to.not.include(target.user.id);
        const [change] = await changesSince(server, before, "Mutation.deprovisionUser");
        expect(change?.metadata?.change).to.deep.include({
          user: target.user.email,
          grantsRemoved: 2,
          tokensRevoked: 1,
          sessionsRevoked: 1,
        });
        expect(JSON.stringify(change)).to.not.contain(target.token);
      });

      it("succeeds again on a deprovisioned user, changing nothing more", async () => {
        const target = await addUser(server, ["viewer"]);
        await ok<{ deprovisionUser: UserView }>(server, admin, DEPROVISION, { id: target.user.id });
        const before = await auditHead(server);
        expect(
          (await ok<{ deprovisionUser: UserView }>(server, admin, DEPROVISION, { id: target.user.id })).deprovisionUser
            .status,
        ).to.equal("DEPROVISIONED");
        const [change] = await changesSince(server, before, "Mutation.deprovisionUser");
        expect(change?.metadata?.change).to.deep.include({ grantsRemoved: 0, tokensRevoked: 0, sessionsRevoked: 0 });
      });

      it("refuses to deprovision oneself or an unknown user", async () => {
        const me = (await ok<{ me: { id: string } }>(server, admin, "{ me { id } }")).me.id;
        expect((await refused(server, admin, DEPROVISION, { id: me })).extensions).to.deep.include({
          code: "BAD_USER_INPUT",
          field: "id",
        });
        expect((await refused(server, admin, DEPROVISION, { id: randomUUID() })).extensions).to.deep.include({
          code: "NOT_FOUND",
          field: "id",
        });
        expect(await authenticates(server.adminToken)).to.equal("OK");
      });
    });

    describe("reactivateUser", () => {
      it("makes a deprovisioned user ACTIVE again with no grants, its old credentials still revoked", async () => {
        const target = await addUser(server, ["deployer"]);
        await ok<{ deprovisionUser: UserView }>(server, admin, DEPROVISION, { id: target.user.id });
        const before = await auditHead(server);
        const { reactivateUser } = await ok<{ reactivateUser: UserView }>(server, admin, REACTIVATE, {
          id: target.user.id,
        });
        expect(reactivateUser).to.deep.include({ status: "ACTIVE", grants: [] });
        expect(await authenticates(target.token)).to.equal("UNAUTHENTICATED");
        expect(await can(target.user.id)).to.deep.include({ allowed: false });
        const [change] = await changesSince(server, before, "Mutation.reactivateUser");
        expect(change?.metadata?.change).to.deep.include({
          user: target.user.email,
          from: "DEPROVISIONED",
          to: "ACTIVE",
        });
      });

      it("refuses a user that is not deprovisioned with CONFLICT, and an unknown one with NOT_FOUND", async () => {
        const target = await addUser(server, ["viewer"]);
        expect((await refused(server, admin, REACTIVATE, { id: target.user.id })).extensions).to.deep.include({
          code: "CONFLICT",
          field: "id",
        });
        expect((await refused(server, admin, REACTIVATE, { id: randomUUID() })).extensions).to.deep.include({
          code: "NOT_FOUND",
          field: "id",
        });
      });
    });

    it("refuses every user field to a user with no roles, with FORBIDDEN and the capability", async () => {
      const nobody = await addUser(server, []);
      const target = await addUser(server, ["viewer"]);
      const calls: Array<[string, Record<string, unknown>, string]> = [
        [CREATE, { input: { email: email() } }, "user:create"],
        [LOCK, { id: target.user.id }, "user:lock"],
        [UNLOCK, { id: target.user.id }, "user:unlock"],
        [REVOKE_SESSIONS, { userId: target.user.id }, "user:lock"],
        [DEPROVISION, { id: target.user.id }, "user:deprovision"],
        [REACTIVATE, { id: target.user.id }, "user:create"],
      ];
      for (const [query, variables, capability] of calls) {
        const { extensions } = await refused(server, nobody.token, query, variables);
        expect(extensions, capability).to.deep.include({ code: "FORBIDDEN", capability });
      }
      expect((await server.app.storage.users.get(target.user.id))?.status).to.equal("ACTIVE");
    });
  });
}
