import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { GrantRecord } from "../../../src/domain/model";
import { toGrantDef } from "../../../src/domain/policy-state";
import { auditHead, changesSince, ok, refused } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addGrantTestRoles } from "../../support/grant-roles";
import { addUser, setStatus, type TestUser } from "../../support/principals";
import { gql, serverForSuite, type TestServer } from "../../support/server";

const GRANT = `mutation($input: GrantInput!) {
  grantRole(input: $input) { id subjectType user { id email } group role { name } scope active startsAt expiresAt reason source createdBy { id } createdAt }
}`;
const REVOKE = "mutation($id: ID!) { revokeGrant(id: $id) }";
const SET_ROLES = `mutation($userId: ID!, $roles: [String!]!) {
  setUserRoles(userId: $userId, roles: $roles) { id role { name } scope source startsAt expiresAt user { id } }
}`;
const GRANTS = `query($userId: ID, $role: String, $all: Boolean) {
  grants(userId: $userId, role: $role, includeInactive: $all) { id user { id } group role { name } scope source }
}`;
const CAN = `query($subject: SubjectInput, $action: String!, $resource: ResourceInput!) {
  can(subject: $subject, action: $action, resource: $resource) { allowed reason }
}`;

interface Grant {
  id: string;
  subjectType: string;
  user: { id: string; email: string } | null;
  group: string | null;
  role: { name: string };
  scope: string;
  active: boolean;
  startsAt: string | null;
  expiresAt: string | null;
  reason: string | null;
  source: string;
  createdBy: { id: string } | null;
  createdAt: string;
}
type SetRolesGrant = Pick<Grant, "id" | "role" | "scope" | "source" | "startsAt" | "expiresAt"> & {
  user: { id: string };
};
type ListedGrant = Pick<Grant, "id" | "group" | "role" | "scope" | "source"> & { user: { id: string } | null };
interface GrantResult {
  grantRole: Grant;
}
interface RevokeResult {
  revokeGrant: boolean;
}
interface SetRolesResult {
  setUserRoles: SetRolesGrant[];
}
interface GrantsResult {
  grants: ListedGrant[];
}
interface CanResult {
  can: { allowed: boolean; reason: string };
}

const job = (namespace: string) => ({ type: "job", namespace, name: "web" });
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const kind of databaseKinds()) {
  describe(`grants on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let admin: string;

    serverForSuite(kind, (s) => (server = s));
    before(async () => {
      admin = server.adminToken;
      await addGrantTestRoles(server);
    });

    const can = async (user: TestUser, action: string, namespace: string) =>
      (await ok<CanResult>(server, admin, CAN, { subject: { userId: user.user.id }, action, resource: job(namespace) }))
        .can;
    const storedGrants = (userId: string) => server.app.storage.grants.list({ userId, includeInactive: true });

    describe("grantRole", () => {
      it("gives a role to a user, as a MANUAL grant created by the actor, and the user may use it at once", async () => {
        const target = await addUser(server, []);
        const adminId = server.app.bootstrap.created ? server.app.bootstrap.adminId : "";
        expect((await can(target, "submit", "prod")).allowed).to.equal(false);
        const before = await auditHead(server);
        const { grantRole } = await ok<GrantResult>(server, admin, GRANT, {
          input: { userId: target.user.id, role: "deployer", reason: "on call" },
        });
        expect(grantRole).to.deep.include({
          subjectType: "USER",
          user: { id: target.user.id, email: target.user.email },
          group: null,
          role: { name: "deployer" },
          scope: "",
          active: true,
          startsAt: null,
          expiresAt: null,
          reason: "on call",
          source: "MANUAL",
          createdBy: { id: adminId },
        });
        expect((await can(target, "submit", "prod")).allowed).to.equal(true);
        expect((await storedGrants(target.user.id)).map((g) => g.id)).to.deep.equal([grantRole.id]);
        const [change] = await changesSince(server, before, "Mutation.grantRole");
        expect(change?.metadata?.change).to.deep.include({
          grant: grantRole.id,
          role: "deployer",
          user: target.user.email,
          scope: "",
        });
      });

      it("gives a role to a group: the grant has no user, and members of the group may use it", async () => {
        const group = `team-${randomUUID().slice(0, 6)}`;
        const member = await addUser(server, [], { groups: [group] });
        const { grantRole } = await ok<GrantResult>(server, admin, GRANT, {
          input: { group, role: "deployer", scope: "staging" },
        });
        expect(grantRole).to.deep.include({ subjectType: "GROUP", user: null, group, scope: "staging" });
        expect((await can(member, "submit", "staging/web")).allowed).to.equal(true);
        expect((await can(member, "submit", "prod")).allowed).to.equal(false);
      });

      it("limits the grantee to the grant's scope", async () => {
        const target = await addUser(server, []);
        await ok<GrantResult>(server, admin, GRANT, {
          input: { userId: target.user.id, role: "deployer", scope: "prod/payments" },
        });
        expect(await can(target, "submit", "prod/payments")).to.deep.equal({ allowed: true, reason: "ALLOWED" });
        expect(await can(target, "submit", "prod/payments/eu")).to.deep.equal({ allowed: true, reason: "ALLOWED" });
        expect(await can(target, "submit", "prod")).to.deep.equal({ allowed: false, reason: "NO_MATCHING_RULE" });
        expect(await can(target, "submit", "prod/paymentsx")).to.deep.equal({
          allowed: false,
          reason: "NO_MATCHING_RULE",
        });
      });

      it("does not apply a grant that starts in the future, and lists it only with includeInactive", async () => {
        const target = await addUser(server, []);
        const { grantRole } = await ok<GrantResult>(server, admin, GRANT, {
          input: { userId: target.user.id, role: "deployer", startsAt: inSeconds(3600), expiresAt: inSeconds(7200) },
        });
        expect(await can(target, "submit", "prod")).to.deep.equal({ allowed: false, reason: "NO_MATCHING_RULE" });
        expect((await ok<GrantsResult>(server, admin, GRANTS, { userId: target.user.id })).grants).to.deep.equal([]);
        expect(
          (await ok<GrantsResult>(server, admin, GRANTS, { userId: target.user.id, all: true })).grants.map(
            (g) => g.id,
          ),
        ).to.deep.equal([grantRole.id]);
      });

      it("stops applying a grant the moment it expires", async () => {
        const target = await addUser(server, []);
        const expiresAt = new Date(Date.now() + 2000);
        await ok<GrantResult>(server, admin, GRANT, {
          input: { userId: target.user.id, role: "deployer", expiresAt: expiresAt.toISOString() },
        });
        expect((await can(target, "submit", "prod")).allowed).to.equal(true);
        await sleep(expiresAt.getTime() - Date.now() + 20);
        expect(await can(target, "submit", "prod")).to.deep.equal({ allowed: false, reason: "NO_MATCHING_RULE" });
      });

      it("allows a grant to a locked user, which applies once the user is unlocked", async () => {
        const target = await addUser(server, []);
        await setStatus(server, target.user, "LOCKED");
        await ok<GrantResult>(server, admin, GRANT, { input: { userId: target.user.id, role: "deployer" } });
        expect(await can(target, "submit", "prod")).to.deep.equal({ allowed: false, reason: "USER_LOCKED" });
        await setStatus(server, target.user, "ACTIVE");
        expect((await can(target, "submit", "prod")).allowed).to.equal(true);
      });

      it("refuses bad input with BAD_USER_INPUT at the offending field, and changes nothing", async () => {
        const target = await addUser(server, []);
        const gone = await addUser(server, []);
        const later = inSeconds(3600);
        await setStatus(server, gone.user, "DEPROVISIONED");
        const grantsBefore = (await server.app.storage.grants.all()).length;
        const before = await auditHead(server);
        const cases: Array<[Record<string, unknown>, string]> = [
          [{ role: "deployer" }, "input.userId"],
          [{ userId: target.user.id, group: "g", role: "deployer" }, "input.userId"],
          [{ group: "", role: "deployer" }, "input.group"],
          [{ userId: target.user.id, role: "no-such-role" }, "input.role"],
          [{ userId: target.user.id, role: "deployer", scope: "prod/*" }, "input.scope"],
          [{ userId: target.user.id, role: "deployer", scope: "prod/**" }, "input.scope"],
          [{ userId: target.user.id, role: "deployer", scope: "prod//payments" }, "input.scope"],
          [{ userId: target.user.id, role: "deployer", scope: "/prod" }, "input.scope"],
          [{ userId: target.user.id, role: "deployer", scope: "prod/" }, "input.scope"],
          [{ userId: target.user.id, role: "deployer", expiresAt: inSeconds(-1) }, "input.expiresAt"],
          [
            { userId: target.user.id, role: "deployer", startsAt: inSeconds(7200), expiresAt: inSeconds(3600) },
            "input.expiresAt",
          ],
          [{ userId: target.user.id, role: "deployer", startsAt: later, expiresAt: later }, "input.expiresAt"],
          [{ userId: gone.user.id, role: "deployer" }, "input.userId"],
        ];
        for (const [input, field] of cases) {
          const { extensions } = await refused(server, admin, GRANT, { input });
          expect(extensions, JSON.stringify(input)).to.deep.include({ code: "BAD_USER_INPUT", field });
        }
        expect((await server.app.storage.grants.all()).length).to.equal(grantsBefore);
        expect(await changesSince(server, before)).to.deep.equal([]);
      });

      it("answers NOT_FOUND at input.userId for a user that does not exist", async () => {
        const { extensions } = await refused(server, admin, GRANT, {
          input: { userId: randomUUID(), role: "deployer" },
        });
        expect(extensions).to.deep.include({ code: "NOT_FOUND", field: "input.userId" });
      });

      it("lets an actor give a role it covers, within the scope it covers, and refuses one it does not, naming the capability", async () => {
        const granter = await addUser(server, ["granter"]);
        const target = await addUser(server, []);
        await ok<GrantResult>(server, granter.token, GRANT, {
          input: { userId: target.user.id, role: "prod-job-admin" },
        });
        await ok<GrantResult>(server, granter.token, GRANT, {
          input: { userId: target.user.id, role: "job-admin-everywhere", scope: "prod/payments" },
        });
        const before = (await storedGrants(target.user.id)).length;
        const db = await refused(server, granter.token, GRANT, {
          input: { userId: target.user.id, role: "db-querier" },
        });
        expect(db.extensions).to.deep.include({ code: "ESCALATION_DENIED", capability: "db:query" });
        const wide = await refused(server, granter.token, GRANT, {
          input: { userId: target.user.id, role: "job-admin-everywhere" },
        });
        expect(wide.extensions.code).to.equal("ESCALATION_DENIED");
        expect(wide.extensions.capability).to.match(/^job:[a-z_*]+$/);
        const elsewhere = await refused(server, granter.token, GRANT, {
          input: { userId: target.user.id, role: "job-admin-everywhere", scope: "staging" },
        });
        expect(elsewhere.extensions.code).to.equal("ESCALATION_DENIED");
        expect((await storedGrants(target.user.id)).length).to.equal(before);
        expect((await can(target, "query", "prod")).allowed).to.equal(false);
      });

      it("refuses a superuser role to an actor that is not a superuser, naming *:*", async () => {
        const granter = await addUser(server, ["granter"]);
        const target = await addUser(server, []);
        const { extensions } = await refused(server, granter.token, GRANT, {
          input: { userId: target.user.id, role: "root", scope: "prod" },
        });
        expect(extensions).to.deep.include({ code: "ESCALATION_DENIED", capability: "*:*" });
        expect(await storedGrants(target.user.id)).to.deep.equal([]);
      });

      it("lets an actor holding escalate on roles give a role it does not cover", async () => {
        const escalator = await addUser(server, ["escalator"]);
        const target = await addUser(server, []);
        const { grantRole } = await ok<GrantResult>(server, escalator.token, GRANT, {
          input: { userId: target.user.id, role: "db-querier" },
        });
        expect(grantRole.role.name).to.equal("db-querier");
        expect(
          (
            await ok<CanResult>(server, admin, CAN, {
              subject: { userId: target.user.id },
              action: "query",
              resource: { type: "db", namespace: "prod" },
            })
          ).can.allowed,
        ).to.equal(true);
      });

      it("never keeps a grant that was covered only by a grant revoked before it committed", async () => {
        const clerk = await addUser(server, ["grant-clerk"]);
        for (let round = 0; round < 20; round++) {
          const { grantRole: cover } = await ok<GrantResult>(server, admin, GRANT, {
            input: { userId: clerk.user.id, role: "prod-job-admin" },
          });
          const target = await addUser(server, []);
          const before = await auditHead(server);
          const revoke = () => gql<RevokeResult>(server.url, REVOKE, { token: admin, variables: { id: cover.id } });
          // Staggered by 0-8 ms so that rounds land on both sides of the revocation.
          const give = async () => {
            await sleep((round % 5) * 2);
            return gql<GrantResult>(server.url, GRANT, {
              token: clerk.token,
              variables: { input: { userId: target.user.id, role: "prod-job-admin", scope: "prod" } },
            });
          };
          const [revoked, given] = await Promise.all([revoke(), give()]);
          expect(revoked.errors, revoked.raw).to.equal(undefined);
          expect(revoked.data!.revokeGrant).to.equal(true);
          const stored = await storedGrants(target.user.id);
          if (given.errors) {
            expect(given.errors[0].extensions).to.deep.include({ code: "ESCALATION_DENIED" });
            expect(stored, `round ${round}`).to.deep.equal([]);
            continue;
          }
          expect(stored.map((g) => g.id)).to.deep.equal([given.data!.grantRole.id]);
          const changes = await changesSince(server, before);
          const at = (operation: string) => changes.find((e) => e.operation === operation)!.sequence;
          expect(
            at("Mutation.grantRole"),
            `round ${round}: the grant must commit before the revocation`,
          ).to.be.lessThan(at("Mutation.revokeGrant"));
        }
        // After the last revocation the clerk covers nothing: a grant now is refused.
        const late = await addUser(server, []);
        const { extensions } = await refused(server, clerk.token, GRANT, {
          input: { userId: late.user.id, role: "prod-job-admin", scope: "prod" },
        });
        expect(extensions.code).to.equal("ESCALATION_DENIED");
      });
    });

    describe("revokeGrant", () => {
      it("revokes a grant: true, the grantee loses the role at once, and the change is recorded", async () => {
        const target = await addUser(server, []);
        const { grantRole } = await ok<GrantResult>(server, admin, GRANT, {
          input: { userId: target.user.id, role: "deployer" },
        });
        const before = await auditHead(server);
        expect((await ok<RevokeResult>(server, admin, REVOKE, { id: grantRole.id })).revokeGrant).to.equal(true);
        expect(await can(target, "submit", "prod")).to.deep.equal({ allowed: false, reason: "NO_MATCHING_RULE" });
        expect(await storedGrants(target.user.id)).to.deep.equal([]);
        const [change] = await changesSince(server, before, "Mutation.revokeGrant");
        expect(change?.metadata?.change).to.deep.include({
          grant: grantRole.id,
          role: "deployer",
          user: target.user.email,
        });
      });

      it("answers NOT_FOUND at id for a grant that does not exist, or no longer does", async () => {
        const target = await addUser(server, []);
        const { grantRole } = await ok<GrantResult>(server, admin, GRANT, {
          input: { userId: target.user.id, role: "viewer" },
        });
        await ok<RevokeResult>(server, admin, REVOKE, { id: grantRole.id });
        for (const id of [grantRole.id, randomUUID()]) {
          expect((await refused(server, admin, REVOKE, { id })).extensions).to.deep.include({
            code: "NOT_FOUND",
            field: "id",
          });
        }
      });

      it("needs no escalation check: an actor may revoke a grant of a role it does not cover", async () => {
        const granter = await addUser(server, ["granter"]);
        const target = await addUser(server, ["db-querier"]);
        const [grant] = await storedGrants(target.user.id);
        expect((await ok<RevokeResult>(server, granter.token, REVOKE, { id: grant.id })).revokeGrant).to.equal(true);
      });
    });

    describe("setUserRoles", () => {
      async function sso(userId: string, role: string): Promise<GrantRecord> {
        const grant: GrantRecord = {
          id: randomUUID(),
          subjectType: "USER",
          userId,
          group: null,
          role,
          scope: "",
          active: true,
          startsAt: null,
          expiresAt: null,
          reason: null,
          source: "SSO",
          ssoProvider: "okta",
          accessRequestId: null,
          createdById: null,
          createdAt: new Date(),
        };
        await server.app.storage.grants.create(grant);
        server.app.services.runtime.engine().putGrant(toGrantDef(grant));
        return grant;
      }

      it("replaces the manual unscoped grants with one per role, leaving SSO and scoped grants alone", async () => {
        const target = await addUser(server, ["viewer", "auditor"]);
        const ssoGrant = await sso(target.user.id, "cicd");
        const { grantRole: scoped } = await ok<GrantResult>(server, admin, GRANT, {
          input: { userId: target.user.id, role: "operator", scope: "staging" },
        });
        const viewerGrant = (await storedGrants(target.user.id)).find((g) => g.role === "viewer")!;
        const before = await auditHead(server);
        const { setUserRoles } = await ok<SetRolesResult>(server, admin, SET_ROLES, {
          userId: target.user.id,
          roles: ["viewer", "deployer", "deployer", "Deployer"],
        });
        const summary = setUserRoles.map((g) => `${g.role.name}|${g.scope}|${g.source}`).sort();
        expect(summary).to.deep.equal(["cicd||SSO", "deployer||MANUAL", "operator|staging|MANUAL", "viewer||MANUAL"]);
        expect(setUserRoles.every((g) => g.user.id === target.user.id)).to.equal(true);
        const ids = setUserRoles.map((g) => g.id);
        expect(ids).to.include.members([ssoGrant.id, scoped.id, viewerGrant.id]);
        expect((await storedGrants(target.user.id)).map((g) => g.id).sort()).to.deep.equal([...ids].sort());
        expect((await can(target, "submit", "prod")).allowed).to.equal(true);
        const [change] = await changesSince(server, before, "Mutation.setUserRoles");
        expect(change?.metadata?.change).to.deep.include({
          user: target.user.email,
          rolesAdded: ["deployer"],
          rolesRemoved: ["auditor"],
        });
      });

      it("replaces a time-bound manual grant of a listed role with a permanent one, and keeps a permanent one as it is", async () => {
        const target = await addUser(server, ["viewer"]);
        const { grantRole: bounded } = await ok<GrantResult>(server, admin, GRANT, {
          input: { userId: target.user.id, role: "deployer", expiresAt: inSeconds(3600) },
        });
        const viewerGrant = (await storedGrants(target.user.id)).find((g) => g.role === "viewer")!;
        const { setUserRoles } = await ok<SetRolesResult>(server, admin, SET_ROLES, {
          userId: target.user.id,
          roles: ["viewer", "deployer"],
        });
        const deployer = setUserRoles.find((g) => g.role.name === "deployer")!;
        expect(deployer.id).to.not.equal(bounded.id);
        expect(deployer.expiresAt).to.equal(null);
        expect(setUserRoles.find((g) => g.role.name === "viewer")!.id).to.equal(viewerGrant.id);
      });

      it("with no roles removes every manual unscoped grant, and the user loses them at once", async () => {
        const target = await addUser(server, ["deployer", "viewer"]);
        expect(
          (await ok<SetRolesResult>(server, admin, SET_ROLES, { userId: target.user.id, roles: [] })).setUserRoles,
        ).to.deep.equal([]);
        expect(await can(target, "read", "prod")).to.deep.equal({ allowed: false, reason: "NO_MATCHING_RULE" });
      });

      it("refuses an unknown role at roles[i] and an unknown user with NOT_FOUND, changing nothing", async () => {
        const target = await addUser(server, ["viewer"]);
        const grantsBefore = await storedGrants(target.user.id);
        const before = await auditHead(server);
        const unknown = await refused(server, admin, SET_ROLES, {
          userId: target.user.id,
          roles: ["deployer", "viewer", "nope"],
        });
        expect(unknown.extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "roles[2]" });
        const empty = await refused(server, admin, SET_ROLES, { userId: target.user.id, roles: [""] });
        expect(empty.extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "roles[0]" });
        const missing = await refused(server, admin, SET_ROLES, { userId: randomUUID(), roles: ["viewer"] });
        expect(missing.extensions).to.deep.include({ code: "NOT_FOUND", field: "userId" });
        expect(await storedGrants(target.user.id)).to.deep.equal(grantsBefore);
        expect(await changesSince(server, before)).to.deep.equal([]);
      });

      it("checks escalation for every added role, refusing the whole call, but not for a role taken away", async () => {
        const granter = await addUser(server, ["granter"]);
        const target = await addUser(server, ["db-querier"]);
        const grantsBefore = await storedGrants(target.user.id);
        const { extensions } = await refused(server, granter.token, SET_ROLES, {
          userId: target.user.id,
          roles: ["prod-job-admin", "viewer"],
        });
        expect(extensions.code).to.equal("ESCALATION_DENIED");
        expect(extensions.capability).to.match(/^[a-z_*]+:[a-z_*]+$/);
        expect(await storedGrants(target.user.id)).to.deep.equal(grantsBefore);
        // db-querier is not covered by the granter, but taking it away is no escalation.
        const { setUserRoles } = await ok<SetRolesResult>(server, granter.token, SET_ROLES, {
          userId: target.user.id,
          roles: ["prod-job-admin"],
        });
        expect(setUserRoles.map((g) => g.role.name)).to.deep.equal(["prod-job-admin"]);
      });
    });

    describe("grants", () => {
      it("lists grants by user and by role, current ones unless includeInactive", async () => {
        const target = await addUser(server, ["viewer"]);
        await ok<GrantResult>(server, admin, GRANT, {
          input: { userId: target.user.id, role: "db-querier", startsAt: inSeconds(3600) },
        });
        const current = (await ok<GrantsResult>(server, admin, GRANTS, { userId: target.user.id })).grants;
        expect(current.map((g) => g.role.name)).to.deep.equal(["viewer"]);
        const all = (await ok<GrantsResult>(server, admin, GRANTS, { userId: target.user.id, all: true })).grants;
        expect(all.map((g) => g.role.name)).to.deep.equal(["viewer", "db-querier"]);
        const byRole = (await ok<GrantsResult>(server, admin, GRANTS, { role: "DB-QUERIER", all: true })).grants;
        expect(byRole.some((g) => g.user?.id === target.user.id)).to.equal(true);
        expect(byRole.every((g) => g.role.name === "db-querier")).to.equal(true);
      });

      it("refuses an unknown role with BAD_USER_INPUT and an unknown user with NOT_FOUND", async () => {
        expect((await refused(server, admin, GRANTS, { role: "nope" })).extensions).to.deep.include({
          code: "BAD_USER_INPUT",
          field: "role",
        });
        expect((await refused(server, admin, GRANTS, { userId: randomUUID() })).extensions).to.deep.include({
          code: "NOT_FOUND",
          field: "userId",
        });
      });
    });

    it("refuses every grant field to a user with no roles, with FORBIDDEN and the capability", async () => {
      const nobody = await addUser(server, []);
      const target = await addUser(server, ["viewer"]);
      const [grant] = await storedGrants(target.user.id);
      const calls: Array<[string, Record<string, unknown>, string]> = [
        [GRANTS, {}, "grant:list"],
        [GRANT, { input: { userId: target.user.id, role: "viewer" } }, "grant:create"],
        [REVOKE, { id: grant.id }, "grant:delete"],
        [SET_ROLES, { userId: target.user.id, roles: [] }, "grant:create"],
      ];
      for (const [query, variables, capability] of calls) {
        const { extensions } = await refused(server, nobody.token, query, variables);
        expect(extensions, capability).to.deep.include({ code: "FORBIDDEN", capability });
      }
      expect(await storedGrants(target.user.id)).to.deep.equal([grant]);
    });
  });
}
