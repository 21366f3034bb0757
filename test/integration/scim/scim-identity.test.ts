// SCIM with a token holding only user capabilities: renaming a user or giving it
// a new externalId hands over its roles, and so does putting it in a group that
// SSO mappings turn into roles. Each needs the roles covered, as granting them would.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { ok } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser, type TestUser } from "../../support/principals";
import { aScimUser, expectScimError, GROUP_SCHEMA, patchOp, scim, USER_SCHEMA } from "../../support/scim";
import { serverForSuite, type TestServer } from "../../support/server";

const SET_MAPPINGS =
  "mutation($mappings: [SsoMappingInput!]!, $provider: String) { setSsoMappings(mappings: $mappings, provider: $provider) { group } }";
const GRANT = "mutation($input: GrantInput!) { grantRole(input: $input) { id } }";
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

for (const kind of databaseKinds()) {
  describe(`SCIM identity changes on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let admin: string;
    let adminId: string;
    /** The SCIM integration: every user capability, nothing else. */
    let integration: TestUser;

    serverForSuite(kind, (s) => (server = s));
    before(async () => {
      admin = server.adminToken;
      adminId = server.app.bootstrap.created ? server.app.bootstrap.adminId : "";
      await addRole(
        server,
        'kind: policy\nname: users-only\nrules:\n  - resource: user\n    capabilities: ["*"]\n',
        "kind: role\nname: users-only\npolicies: [users-only]\n",
      );
      integration = await addUser(server, ["users-only"]);
    });

    const emailOf = async (id: string) => (await server.app.storage.users.get(id))!.email;

    it("refuses to rename the bootstrap admin with PATCH userName, 403, and changes nothing", async () => {
      const before = await emailOf(adminId);
      const res = await scim(
        server,
        integration.token,
        "PATCH",
        `/Users/${adminId}`,
        patchOp({ op: "replace", path: "userName", value: "attacker@example.com" }),
      );
      expect(expectScimError(res, 403).detail).to.contain("hands over every role").and.to.contain("admin");
      expect(await emailOf(adminId)).to.equal(before);
    });

    it("refuses PUT with another userName or externalId of a user holding roles the caller cannot give", async () => {
      const target = await addUser(server, ["viewer"]);
      const put = (body: Record<string, unknown>) =>
        scim(server, integration.token, "PUT", `/Users/${target.user.id}`, { schemas: [USER_SCHEMA], ...body });
      expectScimError(await put({ userName: `${unique("new")}@example.com` }), 403);
      expectScimError(await put({ userName: target.user.email, externalId: "idp-account-of-the-attacker" }), 403);
      const stored = (await server.app.storage.users.get(target.user.id))!;
      expect([stored.email, stored.externalId]).to.deep.equal([target.user.email, null]);
    });

    it("still lets the integration rename a user whose roles it covers, and change anyone's display name", async () => {
      const created = await scim(server, integration.token, "POST", "/Users", aScimUser());
      const renamed = `${unique("renamed")}@example.com`;
      const res = await scim(
        server,
        integration.token,
        "PATCH",
        `/Users/${created.body.id}`,
        patchOp({ op: "replace", path: "userName", value: renamed }),
      );
      expect(res.status, res.raw).to.equal(200);
      expect(res.body.userName).to.equal(renamed);
      const display = await scim(
        server,
        integration.token,
        "PATCH",
        `/Users/${adminId}`,
        patchOp({ op: "replace", path: "displayName", value: "The Admin" }),
      );
      expect(display.status, display.raw).to.equal(200);
    });

    it("refuses a group whose SSO mapping gives a role the caller cannot give, creating nothing", async () => {
      const group = unique("platform-admins");
      await ok(server, admin, SET_MAPPINGS, {
        provider: "saml",
        mappings: [{ provider: "saml", group, role: "admin" }],
      });
      const member = (await scim(server, integration.token, "POST", "/Users", aScimUser())).body.id as string;
      const res = await scim(server, integration.token, "POST", "/Groups", {
        schemas: [GROUP_SCHEMA],
        displayName: group,
        members: [{ value: member }],
      });
      expect(expectScimError(res, 403).detail).to.contain("SSO mappings").and.to.contain("admin");
      expect((await server.app.storage.users.get(member))!.groups).to.deep.equal([]);
      expect(await server.app.storage.grants.list({ userId: member })).to.deep.equal([]);
      expect(server.app.services.runtime.engine().rolesOf(member)).to.deep.equal([]);
    });

    it("never gives a mapping's role to a LOCAL user put in the mapped group", async () => {
      const group = unique("mapped");
      await ok(server, admin, SET_MAPPINGS, {
        provider: "saml",
        mappings: [{ provider: "saml", group, role: "admin" }],
      });
      // The integration puts itself (a LOCAL user) in the group.
      const res = await scim(server, integration.token, "POST", "/Groups", {
        schemas: [GROUP_SCHEMA],
        displayName: group,
        members: [{ value: integration.user.id }],
      });
      expect(res.status, res.raw).to.equal(201);
      expect(server.app.services.runtime.engine().rolesOf(integration.user.id)).to.deep.equal(["users-only"]);
      expect(
        (await server.app.storage.grants.list({ userId: integration.user.id })).map((g) => g.source),
      ).to.deep.equal(["MANUAL"]);
    });

    it("refuses to add a member to a group holding a grant the caller cannot give, with PATCH", async () => {
      const group = unique("viewers");
      const member = (await scim(server, integration.token, "POST", "/Users", aScimUser())).body.id as string;
      const created = await scim(server, integration.token, "POST", "/Groups", {
        schemas: [GROUP_SCHEMA],
        displayName: group,
        members: [{ value: member }],
      });
      await ok(server, admin, GRANT, { input: { group, role: "viewer" } });
      const other = (await scim(server, integration.token, "POST", "/Users", aScimUser())).body.id as string;
      const res = await scim(
        server,
        integration.token,
        "PATCH",
        `/Groups/${created.body.id}`,
        patchOp({ op: "add", path: "members", value: [{ value: other }] }),
      );
      expectScimError(res, 403);
      expect((await server.app.storage.users.get(other))!.groups).to.deep.equal([]);
    });
  });
}
