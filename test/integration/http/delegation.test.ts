import { expect } from "chai";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser } from "../../support/principals";
import { gql, serverForSuite, type TestServer } from "../../support/server";

const GRANT = `mutation($u: ID!, $r: String!) { grantRole(input: { userId: $u, role: $r }) { role { name } } }`;

for (const kind of databaseKinds()) {
  describe(`delegating built-in roles on ${kind.name}`, function () {
    this.timeout(60_000);
    let server: TestServer;
    serverForSuite(kind, (s) => (server = s));
    before(async () => {
      await addRole(
        server,
        "kind: policy\nname: hands-out-roles\nrules:\n  - resource: grant\n    capabilities: [create]\n",
        "kind: role\nname: granter\npolicies: [hands-out-roles]\n",
      );
    });

    it("lets a viewer who may grant hand out viewer, whose own deny takes secrets away", async () => {
      const delegate = await addUser(server, ["viewer", "granter"]);
      const newcomer = await addUser(server, []);
      const res = await gql<{ grantRole: { role: { name: string } } }>(server.url, GRANT, {
        token: delegate.token,
        variables: { u: newcomer.user.id, r: "viewer" },
      });
      expect(res.errors).to.equal(undefined);
      expect(res.data!.grantRole.role.name).to.equal("viewer");
    });

    it("still refuses that delegate a role allowing more than it holds", async () => {
      const delegate = await addUser(server, ["viewer", "granter"]);
      const newcomer = await addUser(server, []);
      const res = await gql<{ grantRole: { role: { name: string } } }>(server.url, GRANT, {
        token: delegate.token,
        variables: { u: newcomer.user.id, r: "deployer" },
      });
      expect(res.errors?.[0]?.extensions).to.deep.include({ code: "ESCALATION_DENIED", capability: "job:restart" });
      const grants = await gql(server.url, `query($u: ID) { grants(userId: $u, includeInactive: true) { id } }`, {
        token: server.adminToken,
        variables: { u: newcomer.user.id },
      });
      expect(grants.data!.grants).to.deep.equal([]);
    });
  });
}
