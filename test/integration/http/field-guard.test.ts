import { expect } from "chai";
import { eventsSince as eventsSinceIn } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser, type TestUser } from "../../support/principals";
import { gql, serverForSuite, type TestServer } from "../../support/server";

const GATEWAY_POLICY =
  "kind: policy\nname: gateway-check\nrules:\n  - resource: permission\n    capabilities: [check]\n";
const GATEWAY_ROLE = "kind: role\nname: gateway\npolicies: [gateway-check]\n";

for (const kind of databaseKinds()) {
  describe(`the guard on object fields on ${kind.name}`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let adminId: string;
    serverForSuite(kind, (s) => (server = s));

    before(async () => {
      await addRole(server, GATEWAY_POLICY, GATEWAY_ROLE);
      const me = await gql<{ me: { id: string } }>(server.url, "{ me { id } }", { token: server.adminToken });
      adminId = me.data!.me.id;
    });

    const eventsSince = (sequence: number) => eventsSinceIn(server, sequence);

    /** A viewer whose grant the bootstrap admin gave (so Grant.createdBy is the admin). */
    async function viewerGrantedByAdmin(): Promise<TestUser> {
      const viewer = await addUser(server, []);
      const res = await gql(
        server.url,
        `mutation($u: ID!) { grantRole(input: { userId: $u, role: "viewer" }) { id } }`,
        { token: server.adminToken, variables: { u: viewer.user.id } },
      );
      expect(res.errors).to.equal(undefined);
      return viewer;
    }

    it("refuses a viewer the admin's tokens and grants through me { grants { createdBy { … } } }, audited once each", async () => {
      const viewer = await viewerGrantedByAdmin();
      const adminTokens = await gql<{ tokens: Array<{ id: string }> }>(server.url, "{ tokens { id } }", {
        token: server.adminToken,
      });
      const adminTokenId = adminTokens.data!.tokens[0].id;
      const before = (await server.app.storage.audit.head()).sequence;
      const res = await gql(
        server.url,
        "{ me { grants { createdBy { email tokens { id hint lastUsedIp breakGlass } grants { id } } } } }",
        { token: viewer.token },
      );
      expect(res.raw).to.not.contain(adminTokenId);
      const codes = (res.errors ?? []).map((e) => [e.path?.join("."), e.extensions?.code, e.extensions?.capability]);
      expect(codes).to.deep.include.members([["me.grants.0.createdBy", "FORBIDDEN", "user:read"]]);
      const events = (await eventsSince(before)).filter(
        (e) => e.operation.startsWith("Grant.") || e.operation.startsWith("User."),
      );
      expect(events.map((e) => [e.operation, e.decision, e.action, e.resourceType, e.resourceName])).to.deep.equal([
        ["Grant.createdBy", "DENY", "read", "user", "admin@portcullis.local"],
      ]);
      expect(events[0]).to.deep.include({ actorId: viewer.user.id, reason: "NO_MATCHING_RULE" });
    });

    it("refuses the nested tokens and grants of another user even when the user itself may be read", async () => {
      // user:read but neither token:list nor grant:list.
      await addRole(
        server,
        "kind: policy\nname: user-reader\nrules:\n  - resource: user\n    capabilities: [read, list]\n",
        "kind: role\nname: user-reader\npolicies: [user-reader]\n",
      );
      const reader = await addUser(server, ["user-reader"]);
      const before = (await server.app.storage.audit.head()).sequence;
      const listed = await gql(server.url, "{ users { id tokens { id } } }", { token: reader.token });
      expect(listed.data ?? null).to.equal(null);
      expect(new Set((listed.errors ?? []).map((e) => e.extensions?.capability))).to.deep.equal(
        new Set(["token:list"]),
      );
      const one = await gql(server.url, `{ user(email: "admin@portcullis.local") { email grants { id } } }`, {
        token: reader.token,
      });
      expect(one.data?.user ?? null).to.equal(null);
      expect(one.errors?.map((e) => [e.path?.join("."), e.extensions])).to.deep.equal([
        ["user.grants", { code: "FORBIDDEN", capability: "grant:list", reason: "NO_MATCHING_RULE" }],
      ]);
      // One decision per field and request, however many users the list holds.
      const events = (await eventsSince(before)).filter((e) => e.operation.startsWith("User."));
      expect(events.map((e) => [e.operation, e.decision, e.action, e.resourceType])).to.deep.equal([
        ["User.tokens", "DENY", "list", "token"],
        ["User.grants", "DENY", "list", "grant"],
      ]);
    });

    it("refuses a gateway token (only permission:check) the tokens and grants of whoCan's users", async () => {
      const gateway = await addUser(server, ["gateway"]);
      for (const [field, capability] of [
        ["tokens { id hint }", "token:list"],
        ["grants { id scope }", "grant:list"],
      ]) {
        const res = await gql(
          server.url,
          `{ whoCan(action: "read", resource: { type: "job", namespace: "prod" }) { id email ${field} } }`,
          { token: gateway.token },
        );
        expect(res.raw).to.not.match(/"hint"|"scope"/);
        const refusals = new Set(
          (res.errors ?? []).map((e) => `${String(e.extensions?.code)} ${String(e.extensions?.capability)}`),
        );
        expect([...refusals]).to.deep.equal([`FORBIDDEN ${capability}`]);
      }
      const plain = await gql<{ whoCan: Array<{ id: string }> }>(
        server.url,
        `{ whoCan(action: "read", resource: { type: "job", namespace: "prod" }) { id email } }`,
        { token: gateway.token },
      );
      expect(plain.errors).to.equal(undefined);
      expect(plain.data!.whoCan.map((u) => u.id)).to.include(adminId);
    });

    it("keeps what is about the caller readable: me { tokens grants }, a grant's own user and a token's own owner", async () => {
      const viewer = await viewerGrantedByAdmin();
      const res = await gql<{
        me: { tokens: Array<{ owner: { id: string } }>; grants: Array<{ user: { id: string } }> };
      }>(
        server.url,
        "{ me { tokens { id owner { id } } grants { id user { id } role { name } } } tokens { owner { email } } }",
        { token: viewer.token },
      );
      expect(res.errors).to.equal(undefined);
      expect(res.data!.me.tokens[0].owner.id).to.equal(viewer.user.id);
      expect(res.data!.me.grants[0].user.id).to.equal(viewer.user.id);
    });

    it("lets a mutation's caller read back what the mutation returned, and guards what that reaches", async () => {
      const clerk = await addUser(server, ["user-reader"]);
      await addRole(
        server,
        'kind: policy\nname: viewer-giver\nrules:\n  - resource: grant\n    capabilities: [create]\n  - resource: "*"\n    level: READ\n  - resource: secret\n    capabilities: []\n  - resource: role\n    capabilities: [list, read]\n  - resource: policy\n    capabilities: [list, read]\n  - resource: resource_type\n    capabilities: [list, read]\n',
        "kind: role\nname: viewer-giver\npolicies: [viewer-giver]\n",
      );
      const giver = await addUser(server, ["viewer-giver"]);
      const res = await gql(
        server.url,
        `mutation($u: ID!) { grantRole(input: { userId: $u, role: "viewer" }) { user { email tokens { id } } createdBy { id } } }`,
        { token: giver.token, variables: { u: clerk.user.id } },
      );
      expect(res.errors?.map((e) => [e.path?.join("."), e.extensions?.capability])).to.deep.equal([
        ["grantRole.user.tokens", "token:list"],
      ]);
      // What a mutation returns without having written it stays guarded: user:lock is not token:list.
      await addRole(
        server,
        "kind: policy\nname: locker\nrules:\n  - resource: user\n    capabilities: [lock, unlock]\n",
        "kind: role\nname: locker\npolicies: [locker]\n",
      );
      const locker = await addUser(server, ["locker"]);
      const locked = await gql(
        server.url,
        `mutation($u: ID!) { lockUser(id: $u) { id tokens { id hint } grants { id } } }`,
        { token: locker.token, variables: { u: clerk.user.id } },
      );
      expect(locked.raw).to.not.contain(clerk.tokenId);
      expect(locked.errors?.[0]?.extensions).to.deep.include({ code: "FORBIDDEN" });
      expect(["token:list", "grant:list"]).to.include(locked.errors?.[0]?.extensions?.capability);
    });

    it("still shows a holder of the capabilities everything nested, and the token a mutation just issued", async () => {
      const res = await gql(
        server.url,
        "{ users { email tokens { id owner { email } } grants { createdBy { email } user { email } } } }",
        { token: server.adminToken },
      );
      expect(res.errors).to.equal(undefined);
      const viewer = await addUser(server, ["viewer"]);
      const issued = await gql<{ createToken: { token: { owner: { id: string } } } }>(
        server.url,
        `mutation { createToken(input: { name: "ci" }) { secret token { id owner { id } } } }`,
        { token: viewer.token },
      );
      expect(issued.errors).to.equal(undefined);
      expect(issued.data!.createToken.token.owner.id).to.equal(viewer.user.id);
    });
  });
}
