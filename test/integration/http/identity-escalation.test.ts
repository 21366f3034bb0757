// Changing who a user is (unlocking, reactivating, putting it in groups) hands
// over the roles it holds: the actor must be able to give each of them.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { ok, refused } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser } from "../../support/principals";
import { serverForSuite, type TestServer } from "../../support/server";

const LOCK = "mutation($id: ID!) { lockUser(id: $id) { id status } }";
const UNLOCK = "mutation($id: ID!) { unlockUser(id: $id) { id status } }";
const DEPROVISION = "mutation($id: ID!) { deprovisionUser(id: $id) { id status } }";
const REACTIVATE = "mutation($id: ID!) { reactivateUser(id: $id) { id status } }";
const CREATE = "mutation($input: CreateUserInput!) { createUser(input: $input) { id groups } }";
const GRANT = "mutation($input: GrantInput!) { grantRole(input: $input) { id } }";

const group = () => `team-${randomUUID().slice(0, 8)}`;

for (const kind of databaseKinds()) {
  describe(`identity changes are escalation checks on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let admin: string;
    /** Holds every user capability and nothing else: the delegated user administrator. */
    let clerk: string;

    serverForSuite(kind, (s) => (server = s));
    before(async () => {
      admin = server.adminToken;
      await addRole(
        server,
        'kind: policy\nname: users-only\nrules:\n  - resource: user\n    capabilities: ["*"]\n',
        "kind: role\nname: users-only\npolicies: [users-only]\n",
      );
      await addRole(
        server,
        "kind: policy\nname: db-query\nrules:\n  - resource: db\n    capabilities: [query]\n",
        "kind: role\nname: db-querier\npolicies: [db-query]\n",
      );
      clerk = (await addUser(server, ["users-only"])).token;
    });

    const statusOf = async (id: string) => (await server.app.storage.users.get(id))!.status;

    it("refuses to unlock a user holding a role the actor may not give, and leaves it LOCKED", async () => {
      const target = await addUser(server, ["db-querier"]);
      await ok(server, admin, LOCK, { id: target.user.id });
      const err = await refused(server, clerk, UNLOCK, { id: target.user.id });
      expect(err.extensions.code).to.equal("ESCALATION_DENIED");
      expect(err.extensions.capability).to.equal("db:query");
      expect(err.message).to.contain("unlocking").and.to.contain("db-querier");
      expect(await statusOf(target.user.id)).to.equal("LOCKED");
      expect(
        (await ok<{ unlockUser: { status: string } }>(server, admin, UNLOCK, { id: target.user.id })).unlockUser.status,
      ).to.equal("ACTIVE");
    });

    it("lets the same actor unlock a user whose roles it covers", async () => {
      const target = await addUser(server, []);
      await ok(server, admin, LOCK, { id: target.user.id });
      expect(
        (await ok<{ unlockUser: { status: string } }>(server, clerk, UNLOCK, { id: target.user.id })).unlockUser.status,
      ).to.equal("ACTIVE");
    });

    it("refuses to unlock a user whose group holds a role the actor may not give", async () => {
      const name = group();
      await ok(server, admin, GRANT, { input: { group: name, role: "db-querier" } });
      const target = await addUser(server, [], { groups: [name] });
      await ok(server, admin, LOCK, { id: target.user.id });
      expect((await refused(server, clerk, UNLOCK, { id: target.user.id })).extensions.code).to.equal(
        "ESCALATION_DENIED",
      );
      expect(await statusOf(target.user.id)).to.equal("LOCKED");
    });

    it("refuses reactivateUser when the user's groups bring roles that createUser by the same actor refuses", async () => {
      const name = group();
      await ok(server, admin, GRANT, { input: { group: name, role: "db-querier" } });
      const created = await refused(server, clerk, CREATE, {
        input: { email: `${group()}@example.com`, groups: [name] },
      });
      expect(created.extensions.code).to.equal("ESCALATION_DENIED");
      const target = await addUser(server, [], { groups: [name] });
      await ok(server, admin, DEPROVISION, { id: target.user.id });
      const err = await refused(server, clerk, REACTIVATE, { id: target.user.id });
      expect(err.extensions.code).to.equal("ESCALATION_DENIED");
      expect(err.message).to.contain("reactivating");
      expect(await statusOf(target.user.id)).to.equal("DEPROVISIONED");
      expect(
        (await ok<{ reactivateUser: { status: string } }>(server, admin, REACTIVATE, { id: target.user.id }))
          .reactivateUser.status,
      ).to.equal("ACTIVE");
    });

    it("lets the actor reactivate a user whose groups bring nothing it could not give", async () => {
      const target = await addUser(server, [], { groups: [group()] });
      await ok(server, admin, DEPROVISION, { id: target.user.id });
      expect(
        (await ok<{ reactivateUser: { status: string } }>(server, clerk, REACTIVATE, { id: target.user.id }))
          .reactivateUser.status,
      ).to.equal("ACTIVE");
    });
  });
}
