// Nobody may lock, deprovision or take the last superuser grant from the last
// ACTIVE superuser, on any path: GraphQL, SCIM Users, SCIM Groups, role edits
// and SSO mapping changes. Each suite has its own server, so who the last
// superuser is stays under the test's control.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { ok, refused } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser, type TestUser } from "../../support/principals";
import { aScimUser, expectScimError, GROUP_SCHEMA, patchOp, scim, type ScimResponse } from "../../support/scim";
import { gql, serverForSuite, type TestServer } from "../../support/server";
import { DomainError } from "../../../src/domain/errors";
import { loginRequest } from "../../support/sso";

const LOCK = "mutation($id: ID!) { lockUser(id: $id) { id status } }";
const DEPROVISION = "mutation($id: ID!) { deprovisionUser(id: $id) { id status } }";
const REVOKE = "mutation($id: ID!) { revokeGrant(id: $id) }";
const SET_ROLES = "mutation($userId: ID!, $roles: [String!]!) { setUserRoles(userId: $userId, roles: $roles) { id } }";
const GRANT = "mutation($input: GrantInput!) { grantRole(input: $input) { id } }";
const UPDATE_ROLE = "mutation($n: String!, $d: String!) { updateRole(name: $n, document: $d) { name } }";
const SET_MAPPINGS =
  "mutation($mappings: [SsoMappingInput!]!, $provider: String) { setSsoMappings(mappings: $mappings, provider: $provider) { group } }";

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const ROOT_ROLE = (superuser: boolean) => `kind: role\nname: root\nsuperuser: ${superuser}\npolicies: [nothing]\n`;

/** The id of the resource a SCIM call created or returned. */
function idOf(res: ScimResponse): string {
  const id: unknown = res.body.id;
  if (typeof id !== "string") throw new Error(`no id in the SCIM answer: ${res.raw}`);
  return id;
}

/** Every user, grant, role and SSO capability, and nothing else: no superuser. */
async function addHelpdesk(server: TestServer): Promise<TestUser> {
  await addRole(
    server,
    'kind: policy\nname: helpdesk\nrules:\n  - resource: user\n    capabilities: ["*"]\n  - resource: grant\n    capabilities: ["*"]\n' +
      '  - resource: role\n    capabilities: ["*"]\n  - resource: sso\n    capabilities: ["*"]\n',
    "kind: role\nname: helpdesk\npolicies: [helpdesk]\n",
  );
  return addUser(server, ["helpdesk"]);
}

async function addRootRole(server: TestServer): Promise<void> {
  await addRole(server, "kind: policy\nname: nothing\nrules: []\n", ROOT_ROLE(true));
}

function expectLastSuperuser(err: { message: string; extensions: Record<string, unknown> }): void {
  expect(err.extensions.code).to.equal("CONFLICT");
  expect(err.message).to.contain("would leave no ACTIVE superuser");
}

for (const kind of databaseKinds()) {
  describe(`the last superuser on ${kind.name}: the bootstrap admin`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let helpdesk: TestUser;
    let adminId: string;

    serverForSuite(kind, (s) => (server = s));
    before(async () => {
      helpdesk = await addHelpdesk(server);
      adminId = server.app.bootstrap.created ? server.app.bootstrap.adminId : "";
    });

    const adminIsActive = async () => {
      expect((await server.app.storage.users.get(adminId))!.status).to.equal("ACTIVE");
      const me = await gql<{ me: { id: string } }>(server.url, "{ me { id } }", { token: server.adminToken });
      expect(me.data?.me.id, me.raw).to.equal(adminId);
    };

    it("refuses to lock or deprovision the last superuser over GraphQL", async () => {
      expectLastSuperuser(await refused(server, helpdesk.token, LOCK, { id: adminId }));
      expectLastSuperuser(await refused(server, helpdesk.token, DEPROVISION, { id: adminId }));
      await adminIsActive();
    });

    it("refuses to revoke its superuser grant or replace its roles", async () => {
      const [grant] = await server.app.storage.grants.list({ userId: adminId });
      expectLastSuperuser(await refused(server, helpdesk.token, REVOKE, { id: grant.id }));
      expectLastSuperuser(await refused(server, helpdesk.token, SET_ROLES, { userId: adminId, roles: ["viewer"] }));
      expect((await server.app.storage.grants.list({ userId: adminId })).map((g) => g.role)).to.deep.equal(["admin"]);
      await adminIsActive();
    });

    it("refuses SCIM active=false and DELETE of the last superuser with 409", async () => {
      const off = await scim(
        server,
        helpdesk.token,
        "PATCH",
        `/Users/${adminId}`,
        patchOp({ op: "replace", path: "active", value: false }),
      );
      expect(expectScimError(off, 409).detail).to.contain("would leave no ACTIVE superuser");
      expectScimError(await scim(server, helpdesk.token, "DELETE", `/Users/${adminId}`), 409);
      await adminIsActive();
    });

    it("lets the bootstrap admin be locked once another user is a superuser", async () => {
      const other = await addUser(server, ["admin"]);
      expect(
        (await ok<{ lockUser: { status: string } }>(server, helpdesk.token, LOCK, { id: adminId })).lockUser.status,
      ).to.equal("LOCKED");
      expectLastSuperuser(await refused(server, helpdesk.token, LOCK, { id: other.user.id }));
    });
  });

  describe(`the last superuser on ${kind.name}: through a group and a superuser role`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let helpdesk: TestUser;
    let last: string;
    let groupId: string;
    let groupGrant: string;

    serverForSuite(kind, (s) => (server = s));
    before(async () => {
      helpdesk = await addHelpdesk(server);
      await addRootRole(server);
      const root = await addUser(server, ["root"]);
      const group = unique("roots");
      groupGrant = (
        await ok<{ grantRole: { id: string } }>(server, root.token, GRANT, { input: { group, role: "root" } })
      ).grantRole.id;
      last = idOf(await scim(server, root.token, "POST", "/Users", aScimUser()));
      const created = await scim(server, root.token, "POST", "/Groups", {
        schemas: [GROUP_SCHEMA],
        displayName: group,
        members: [{ value: last }],
      });
      expect(created.status, created.raw).to.equal(201);
      groupId = idOf(created);
      const adminId = server.app.bootstrap.created ? server.app.bootstrap.adminId : "";
      await ok(server, root.token, SET_ROLES, { userId: adminId, roles: [] });
      // The root user's own grant may go: the group member is still a superuser.
      const [own] = await server.app.storage.grants.list({ userId: root.user.id });
      await ok(server, helpdesk.token, REVOKE, { id: own.id });
    });

    it("refuses to take the last superuser out of the group that makes it one, over SCIM", async () => {
      const res = await scim(
        server,
        helpdesk.token,
        "PATCH",
        `/Groups/${groupId}`,
        patchOp({ op: "remove", path: `members[value eq "${last}"]` }),
      );
      expect(expectScimError(res, 409).detail).to.contain("would leave no ACTIVE superuser");
      expectScimError(await scim(server, helpdesk.token, "DELETE", `/Groups/${groupId}`), 409);
      expect((await server.app.storage.users.get(last))!.groups).to.have.length(1);
    });

    it("refuses an SSO login whose groups leave out the group that makes the last superuser one", async () => {
      const user = (await server.app.storage.users.get(last))!;
      const identity = {
        provider: "saml",
        source: "SAML" as const,
        externalId: user.externalId!,
        email: user.email,
        displayName: null,
        groups: ["staff"],
        mfa: false,
      };
      const err = await server.app.services.ssoLogin.login(identity, loginRequest()).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(DomainError);
      expect([(err as DomainError).code, (err as DomainError).details.reason]).to.deep.equal([
        "UNAUTHENTICATED",
        "LAST_SUPERUSER",
      ]);
      expect((await server.app.storage.users.get(last))!.groups).to.deep.equal(user.groups);
    });

    it("refuses to revoke the group's grant, and to make the role an ordinary one", async () => {
      expectLastSuperuser(await refused(server, helpdesk.token, REVOKE, { id: groupGrant }));
      expectLastSuperuser(await refused(server, helpdesk.token, UPDATE_ROLE, { n: "root", d: ROOT_ROLE(false) }));
      expect((await server.app.storage.roles.get("root"))!.superuser).to.equal(true);
      expect(server.app.services.runtime.engine().isSuperuser({ kind: "user", userId: last })).to.equal(true);
    });
  });

  describe(`the last superuser on ${kind.name}: through an SSO mapping`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let helpdesk: TestUser;
    let last: string;
    let groupId: string;

    serverForSuite(kind, (s) => (server = s));
    before(async () => {
      helpdesk = await addHelpdesk(server);
      await addRootRole(server);
      const root = await addUser(server, ["root"]);
      const group = unique("platform-admins");
      await ok(server, root.token, SET_MAPPINGS, {
        provider: "saml",
        mappings: [{ provider: "saml", group, role: "root" }],
      });
      last = idOf(await scim(server, root.token, "POST", "/Users", aScimUser()));
      groupId = idOf(
        await scim(server, root.token, "POST", "/Groups", {
          schemas: [GROUP_SCHEMA],
          displayName: group,
          members: [{ value: last }],
        }),
      );
      expect(server.app.services.runtime.engine().rolesOf(last)).to.deep.equal(["root"]);
      const adminId = server.app.bootstrap.created ? server.app.bootstrap.adminId : "";
      await ok(server, root.token, SET_ROLES, { userId: adminId, roles: [] });
      const [own] = await server.app.storage.grants.list({ userId: root.user.id });
      await ok(server, helpdesk.token, REVOKE, { id: own.id });
    });

    it("refuses to drop the mapping that makes the last superuser one", async () => {
      expectLastSuperuser(await refused(server, helpdesk.token, SET_MAPPINGS, { provider: "saml", mappings: [] }));
      expect(await server.app.storage.ssoMappings.forProvider("saml")).to.have.length(1);
    });

    it("refuses an SSO login whose groups would take the mapped superuser role from the last superuser", async () => {
      const user = (await server.app.storage.users.get(last))!;
      const identity = {
        provider: "saml",
        source: "SAML" as const,
        externalId: user.externalId!,
        email: user.email,
        displayName: null,
        groups: [],
        mfa: false,
      };
      let error: unknown;
      try {
        await server.app.services.ssoLogin.login(identity, loginRequest());
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(DomainError);
      expect([(error as DomainError).code, (error as DomainError).details.reason]).to.deep.equal([
        "UNAUTHENTICATED",
        "LAST_SUPERUSER",
      ]);
      expect(server.app.services.runtime.engine().rolesOf(last)).to.deep.equal(["root"]);
      expect((await server.app.storage.users.get(last))!.groups).to.have.length(1);
    });

    it("refuses to take the last superuser out of the mapped group, SSO grants and membership alike", async () => {
      const res = await scim(
        server,
        helpdesk.token,
        "PATCH",
        `/Groups/${groupId}`,
        patchOp({ op: "remove", path: `members[value eq "${last}"]` }),
      );
      expectScimError(res, 409);
      expect(server.app.services.runtime.engine().rolesOf(last)).to.deep.equal(["root"]);
      expect((await server.app.storage.users.get(last))!.groups).to.have.length(1);
    });
  });
}
