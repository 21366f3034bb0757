// The built-in admin role administers through its policies (admin-all), not a
// superuser flag: no policy, role or bundle write may take from it what its
// holders need to repair access (grant it, edit it and its policies) while
// they are the only ones who administer. Each suite has its own server, so
// who administers stays under the test's control.
import { expect } from "chai";
import { ok, refused } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser } from "../../support/principals";
import { serverForSuite, type TestServer } from "../../support/server";

const UPDATE_POLICY = "mutation($n: String!, $d: String!) { updatePolicy(name: $n, document: $d) { name version } }";
const UPDATE_ROLE = "mutation($n: String!, $d: String!) { updateRole(name: $n, document: $d) { name } }";
const CREATE_POLICY = "mutation($d: String!) { createPolicy(document: $d) { name } }";
const APPLY = "mutation($d: String!) { applyBundle(document: $d, dryRun: false) { applied } }";
const ADMIN_ROLE = (policies: string[]) =>
  `kind: role\nname: admin\ndescription: Administers portcullis\npolicies: [${policies.join(", ")}]\nreviewRequests: { roles: [ops] }\n`;
const SYSTEM_TYPES = ["user", "role", "policy", "grant", "token", "audit", "sso", "access_request", "resource_type"];
const rules = (types: string[]) => types.map((t) => `  - resource: ${t}\n    capabilities: ["*"]\n`).join("");

function expectAdminPowersKept(err: { message: string; extensions: Record<string, unknown> }, lost: string): void {
  expect(err.extensions.code).to.equal("CONFLICT");
  expect(err.extensions.reason).to.equal("LAST_SUPERUSER");
  expect(err.message).to.contain("from the built-in admin role");
  expect(err.message).to.contain(lost);
}

for (const kind of databaseKinds()) {
  describe(`the built-in admin role's powers on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    serverForSuite(kind, (s) => (server = s));

    const adminAll = async () => (await server.app.storage.policies.get("admin-all"))!;
    const adminRole = async () => (await server.app.storage.roles.get("admin"))!;

    it("refuses to empty admin-all, and changes nothing", async () => {
      const before = await adminAll();
      const err = await refused(server, server.adminToken, UPDATE_POLICY, {
        n: "admin-all",
        d: "kind: policy\nname: admin-all\nrules: []\n",
      });
      expectAdminPowersKept(err, "policy:update on 'admin-all'");
      const after = await adminAll();
      expect(after.version).to.equal(before.version);
      expect(after.document).to.equal(before.document);
    });

    it("refuses a deny rule in admin-all that takes grant:create", async () => {
      const err = await refused(server, server.adminToken, UPDATE_POLICY, {
        n: "admin-all",
        d: `kind: policy\nname: admin-all\nrules:\n${rules(SYSTEM_TYPES)}  - resource: grant\n    capabilities: [create]\n    effect: DENY\n`,
      });
      expectAdminPowersKept(err, "grant:create on 'admin'");
    });

    it("refuses to take admin-all from the admin role, or to attach a policy that denies it role:update", async () => {
      expectAdminPowersKept(
        await refused(server, server.adminToken, UPDATE_ROLE, { n: "admin", d: ADMIN_ROLE([]) }),
        "role:update on 'admin'",
      );
      await ok(server, server.adminToken, CREATE_POLICY, {
        d: "kind: policy\nname: no-role-edits\nrules:\n  - resource: role\n    capabilities: [update]\n    effect: DENY\n",
      });
      expectAdminPowersKept(
        await refused(server, server.adminToken, UPDATE_ROLE, {
          n: "admin",
          d: ADMIN_ROLE(["admin-all", "no-role-edits"]),
        }),
        "role:update on 'admin'",
      );
      expect((await adminRole()).policies).to.deep.equal(["admin-all"]);
    });

    it("accepts narrowing admin-all to the server's own types", async () => {
      const res = await ok<{ updatePolicy: { version: number } }>(server, server.adminToken, UPDATE_POLICY, {
        n: "admin-all",
        d: `kind: policy\nname: admin-all\nrules:\n${rules(SYSTEM_TYPES)}`,
      });
      expect(res.updatePolicy.version).to.be.above(1);
    });

    it("refuses a bundle that empties admin-all and applies none of it", async () => {
      const before = await adminAll();
      const err = await refused(server, server.adminToken, APPLY, {
        d: "kind: policy\nname: team-x\nrules: []\n---\nkind: policy\nname: admin-all\nrules: []\n",
      });
      expectAdminPowersKept(err, "policy:update on 'admin-all'");
      expect((await adminAll()).version).to.equal(before.version);
      expect(await server.app.storage.policies.get("team-x")).to.equal(null);
    });

    it("judges a bundle on the state it leaves: grant rules moved from admin-all to another policy of the role", async () => {
      await ok(server, server.adminToken, CREATE_POLICY, {
        d: `kind: policy\nname: admin-grants\nrules:\n${rules(["grant"])}`,
      });
      // Alone, the first document would take grant:create from the admin role; the second gives it back.
      await ok(server, server.adminToken, APPLY, {
        d:
          `kind: policy\nname: admin-all\nrules:\n${rules(SYSTEM_TYPES.filter((t) => t !== "grant"))}---\n` +
          ADMIN_ROLE(["admin-all", "admin-grants"]),
      });
      expect((await adminRole()).policies).to.deep.equal(["admin-all", "admin-grants"]);
      expectAdminPowersKept(
        await refused(server, server.adminToken, UPDATE_ROLE, { n: "admin", d: ADMIN_ROLE(["admin-all"]) }),
        "grant:create on 'admin'",
      );
    });

    it("lets the admin role lose its powers once an ACTIVE user holds a superuser role", async () => {
      await addRole(
        server,
        "kind: policy\nname: nothing\nrules: []\n",
        "kind: role\nname: root\nsuperuser: true\npolicies: [nothing]\n",
      );
      await addUser(server, ["root"]);
      await ok(server, server.adminToken, UPDATE_ROLE, { n: "admin", d: ADMIN_ROLE(["admin-all"]) });
      expect((await adminRole()).policies).to.deep.equal(["admin-all"]);
    });
  });
}
