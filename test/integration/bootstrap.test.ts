import { expect } from "chai";
import { createApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { generateSecret, TOKEN_PREFIX } from "../../src/domain/credentials/secret-format";
import { DomainError } from "../../src/domain/errors";
import { createLogger } from "../../src/http/logger";
import { TypeormStorage } from "../../src/storage/typeorm-storage";
import { databaseKinds, type TestDatabase } from "../support/databases";
import { gql, startServer } from "../support/server";

async function counts(db: TestDatabase) {
  const storage = await TypeormStorage.open(db.config, { migrate: false });
  try {
    return {
      users: await storage.users.count(),
      roles: (await storage.roles.all()).length,
      policies: (await storage.policies.all()).length,
      types: (await storage.resourceTypes.all()).length,
      tokens: (await storage.tokens.allActive()).length,
      grants: (await storage.grants.all()).length,
    };
  } finally {
    await storage.close();
  }
}

for (const kind of databaseKinds()) {
  describe(`bootstrap on ${kind.name}`, function () {
    this.timeout(60_000);
    let db: TestDatabase;
    beforeEach(async () => {
      db = await kind.create();
    });
    afterEach(async () => {
      await db.drop();
    });

    it("seeds an empty database once, prints the generated secret once, and re-creates nothing on the next start", async () => {
      const first = await startServer(kind, {}, db);
      expect(first.announced).to.have.length(1);
      expect(first.announced[0]).to.match(/ptc_[0-9A-Za-z]{46}/);
      await first.close();
      const seeded = await counts(db);
      expect(seeded).to.deep.equal({ users: 1, roles: 7, policies: 7, types: 17, tokens: 1, grants: 1 });

      const second = await startServer(kind, {}, db);
      try {
        expect(second.announced).to.deep.equal([]);
        expect(second.app.bootstrap).to.deep.equal({ created: false, bootstrapTokenIgnored: false });
        const res = await gql<{ me: { email: string } }>(second.url, "{ me { email } }", { token: first.adminToken });
        expect(res.data?.me.email).to.equal("admin@portcullis.local");
      } finally {
        await second.close();
      }
      expect(await counts(db)).to.deep.equal(seeded);
    });

    it("uses PORTCULLIS_BOOTSTRAP_TOKEN as the break-glass secret and prints nothing", async () => {
      const secret = generateSecret(TOKEN_PREFIX);
      const server = await startServer(
        kind,
        { PORTCULLIS_BOOTSTRAP_TOKEN: secret, PORTCULLIS_ADMIN_EMAIL: "Root@Example.com" },
        db,
      );
      try {
        expect(server.announced).to.deep.equal([]);
        const res = await gql(server.url, "{ me { email tokens { breakGlass } } }", { token: secret });
        expect(res.data?.me).to.deep.equal({ email: "root@example.com", tokens: [{ breakGlass: true }] });
      } finally {
        await server.close();
      }
    });

    it("refuses a PORTCULLIS_BOOTSTRAP_TOKEN with a bad checksum and writes nothing", async () => {
      const secret = generateSecret(TOKEN_PREFIX);
      const bad = secret.slice(0, -1) + (secret.endsWith("0") ? "1" : "0");
      const config = loadConfig({ DATABASE_URL: db.url, PORT: "0", PORTCULLIS_BOOTSTRAP_TOKEN: bad });
      try {
        await createApp({ config, logger: createLogger("silent"), announce: () => undefined });
        expect.fail("start-up should have been refused");
      } catch (err) {
        expect(err).to.be.instanceOf(DomainError);
        expect((err as Error).message).to.match(/^PORTCULLIS_BOOTSTRAP_TOKEN: .*checksum/);
      }
      expect((await counts(db)).users).to.equal(0);
    });

    it("ignores PORTCULLIS_BOOTSTRAP_TOKEN on a database that is not empty", async () => {
      const first = await startServer(kind, {}, db);
      await first.close();
      const other = generateSecret(TOKEN_PREFIX);
      const second = await startServer(kind, { PORTCULLIS_BOOTSTRAP_TOKEN: other }, db);
      try {
        expect(second.app.bootstrap).to.deep.equal({ created: false, bootstrapTokenIgnored: true });
        const res = await gql(second.url, "{ me { email } }", { token: other });
        expect(res.errors?.[0]?.extensions?.code).to.equal("UNAUTHENTICATED");
      } finally {
        await second.close();
      }
    });

    it("creates exactly one admin when two instances start on the same empty database at once", async () => {
      const servers = await Promise.all([startServer(kind, {}, db), startServer(kind, {}, db)]);
      try {
        expect(servers.flatMap((s) => s.announced)).to.have.length(1);
      } finally {
        await Promise.all(servers.map((s) => s.close()));
      }
      expect((await counts(db)).users).to.equal(1);
    });
  });
}
