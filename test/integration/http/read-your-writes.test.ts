import { expect } from "chai";
import { databaseKinds } from "../../support/databases";
import { gql, serverForSuite, type TestServer } from "../../support/server";

const POLICY = "kind: policy\nname: ryw-policy\nrules:\n  - resource: job\n    capabilities: [read]\n";

for (const kind of databaseKinds()) {
  describe(`read-your-writes within one request on ${kind.name}`, function () {
    this.timeout(60_000);
    let server: TestServer;
    serverForSuite(kind, (s) => (server = s));

    it("shows a later mutation's result the writes of the earlier ones", async () => {
      const res = await gql<{ a: { roles: unknown[] }; c: unknown }>(
        server.url,
        `mutation($p: String!, $r: String!, $p2: String!) {
        a: createPolicy(document: $p) { name roles { name } }
        b: createRole(document: $r) { name }
        c: updatePolicy(name: "ryw-policy", document: $p2) { version roles { name } }
      }`,
        {
          token: server.adminToken,
          variables: {
            p: POLICY,
            r: "kind: role\nname: ryw-role\npolicies: [ryw-policy]\n",
            p2: POLICY + "description: now used by ryw-role\n",
          },
        },
      );
      expect(res.errors).to.equal(undefined);
      expect(res.data!.a.roles).to.deep.equal([]);
      expect(res.data!.c).to.deep.equal({ version: 2, roles: [{ name: "ryw-role" }] });
    });

    it("leaves the stored policy-state version alone when a write changes nothing", async () => {
      const doc = "kind: policy\nname: ryw-noop\nrules:\n  - resource: job\n    capabilities: [list]\n";
      const write = (d: string) =>
        gql<{ updatePolicy: { version: number } }>(
          server.url,
          `mutation($d: String!) { updatePolicy(name: "ryw-noop", document: $d) { version } }`,
          {
            token: server.adminToken,
            variables: { d },
          },
        );
      await gql(server.url, `mutation($d: String!) { createPolicy(document: $d) { name } }`, {
        token: server.adminToken,
        variables: { d: doc },
      });
      const before = await server.app.storage.policyState.version();
      expect((await write(doc)).data!.updatePolicy.version).to.equal(1);
      expect(await server.app.storage.policyState.version()).to.equal(before);
      expect((await write(doc + "description: changed\n")).data!.updatePolicy.version).to.equal(2);
      expect(await server.app.storage.policyState.version()).to.equal(before + 1);
    });

    it("decides the next request with the write", async () => {
      await gql(server.url, `mutation($d: String!) { createPolicy(document: $d) { name } }`, {
        token: server.adminToken,
        variables: {
          d: "kind: policy\nname: ryw-deny\nrules:\n  - resource: job\n    namespace: frozen\n    capabilities: []\n",
        },
      });
      const before = await gql<{ can: { allowed: boolean } }>(
        server.url,
        `{ can(action: "read", resource: { type: "job", namespace: "frozen" }) { allowed } }`,
        { token: server.adminToken },
      );
      expect(before.data!.can.allowed).to.equal(true);
      const attach = await gql(
        server.url,
        `mutation($d: String!) { updateRole(name: "admin", document: $d) { name } }`,
        {
          token: server.adminToken,
          variables: {
            d: "kind: role\nname: admin\ndescription: Administers portcullis and everything behind it; deny rules still apply\npolicies: [admin-all, ryw-deny]\n",
          },
        },
      );
      expect(attach.errors).to.equal(undefined);
      const after = await gql(
        server.url,
        `{ can(action: "read", resource: { type: "job", namespace: "frozen" }) { allowed reason } }`,
        { token: server.adminToken },
      );
      expect(after.data!.can).to.deep.equal({ allowed: false, reason: "EXPLICIT_DENY" });
    });
  });
}
