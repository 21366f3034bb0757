import { expect } from "chai";
import { databaseKinds } from "../../support/databases";
import { addUser } from "../../support/principals";
import { gql, serverForSuite, type TestServer } from "../../support/server";

const LIST =
  "{ users(first: 100) { email grants { scope role { name policies { name } } createdBy { email } } tokens { hint owner { email } roles { name } } } }";

for (const kind of databaseKinds()) {
  describe(`batched reads on ${kind.name}`, function () {
    this.timeout(60_000);
    let server: TestServer;
    serverForSuite(kind, (s) => (server = s));

    /** Runs the list query (after a warm-up call, so credential lookups are cached) and counts the SQL statements it cost. */
    async function statementsFor(query: string): Promise<{ count: number; users: number }> {
      await gql(server.url, "{ me { id } }", { token: server.adminToken });
      const logger = server.app.storage.dataSource.logger;
      const original = logger.logQuery.bind(logger);
      let count = 0;
      logger.logQuery = (...args: Parameters<typeof original>): void => {
        count++;
        original(...args);
      };
      try {
        const res = await gql<{ users: unknown[] }>(server.url, query, { token: server.adminToken });
        expect(res.errors).to.equal(undefined);
        return { count, users: res.data!.users.length };
      } finally {
        logger.logQuery = original;
      }
    }

    it("lists users with their grants and tokens in a number of queries that does not grow with the list", async () => {
      for (let i = 0; i < 4; i++) await addUser(server, ["viewer", "deployer"]);
      const few = await statementsFor(LIST);
      for (let i = 0; i < 20; i++) await addUser(server, ["viewer", "ops"]);
      const many = await statementsFor(LIST);
      expect(many.users).to.equal(few.users + 20);
      expect(many.count).to.equal(few.count);
      // Audit transactions (break-glass use, the guard's decisions on the root field and, grouped, on the
      // nested fields reaching other users' data) and one read per kind of object.
      expect(many.count).to.be.at.most(36);
    });
  });
}
