import { expect } from "chai";
import { createDataSource, detectDatabase } from "../../../src/storage/data-source";
import { TypeormStorage } from "../../../src/storage/typeorm-storage";
import { databaseKinds, type TestDatabase } from "../../support/databases";

const TABLES = [
  "access_request_roles",
  "access_requests",
  "access_reviews",
  "audit_checkpoint",
  "audit_event_roles",
  "audit_events",
  "audit_head",
  "grants",
  "one_time_values",
  "policies",
  "policy_state",
  "policy_versions",
  "resource_capabilities",
  "resource_types",
  "role_links",
  "role_policies",
  "roles",
  "sessions",
  "sso_mappings",
  "tokens",
  "users",
];

for (const kind of databaseKinds()) {
  describe(`migrations on ${kind.name}`, function () {
    this.timeout(120_000);
    let db: TestDatabase;
    beforeEach(async () => {
      db = await kind.create();
    });
    afterEach(async () => {
      await db.drop();
    });

    async function tables(ds: ReturnType<typeof createDataSource>): Promise<string[]> {
      const sql =
        ds.options.type === "better-sqlite3"
          ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
          : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()";
      const rows: Array<{ name: string }> = await ds.query(sql);
      return rows
        .map((r) => r.name)
        .filter((n) => n !== "schema_migrations")
        .sort();
    }

    it("build every table, and the schema they build is exactly what the entities describe", async () => {
      const ds = createDataSource(await detectDatabase(db.config));
      await ds.initialize();
      try {
        const applied = await ds.runMigrations();
        expect(applied.length).to.be.greaterThan(0);
        expect(await tables(ds)).to.deep.equal(TABLES);
        const drift = await ds.driver.createSchemaBuilder().log();
        expect(drift.upQueries.map((q) => q.query)).to.deep.equal([]);
      } finally {
        await ds.destroy();
      }
    });

    it("revert to an empty schema and apply again", async () => {
      const ds = createDataSource(await detectDatabase(db.config));
      await ds.initialize();
      try {
        await ds.runMigrations();
        for (let i = 0; i < ds.migrations.length; i++) await ds.undoLastMigration();
        expect(await tables(ds)).to.deep.equal([]);
        await ds.runMigrations();
        expect(await tables(ds)).to.deep.equal(TABLES);
      } finally {
        await ds.destroy();
      }
    });

    it("keep the rows of a database built by an earlier release: users and the sessions that hang off them survive", async () => {
      const ds = createDataSource(await detectDatabase(db.config));
      await ds.initialize();
      try {
        await ds.runMigrations();
        for (let i = 1; i < ds.migrations.length; i++) await ds.undoLastMigration();
        const q = (name: string) => (ds.options.type === "better-sqlite3" ? `"${name}"` : `\`${name}\``);
        await ds.query(
          `INSERT INTO users (id, email, kind, status, source, ${q("groups")}, mfa_enrolled, created_at) VALUES ('u1', 'old@example.com', 'HUMAN', 'ACTIVE', 'LOCAL', '["eng"]', 0, '2026-01-01 00:00:00.000')`,
        );
        await ds.query(
          "INSERT INTO sessions (id, user_id, secret_hash, source, mfa, created_at, expires_at) VALUES ('s1', 'u1', 'h', 'LOCAL', 0, '2026-01-01 00:00:00.000', '2026-01-01 08:00:00.000')",
        );
        await ds.runMigrations();
        expect((await ds.query<Array<{ id: string }>>("SELECT id FROM users")).map((r) => r.id)).to.deep.equal(["u1"]);
        expect((await ds.query<Array<{ id: string }>>("SELECT id FROM sessions")).map((r) => r.id)).to.deep.equal([
          "s1",
        ]);
      } finally {
        await ds.destroy();
      }
    });

    it("give users of an earlier release a null external provider, keeping their external ids, and take it away again", async () => {
      const ds = createDataSource(await detectDatabase(db.config));
      await ds.initialize();
      try {
        await ds.runMigrations();
        expect(ds.migrations.at(-1)?.name).to.equal("ExternalProvider1796539473916");
        await ds.undoLastMigration();
        const q = (name: string) => (ds.options.type === "better-sqlite3" ? `"${name}"` : `\`${name}\``);
        await ds.query(
          `INSERT INTO users (id, email, kind, status, source, external_id, ${q("groups")}, mfa_enrolled, created_at) VALUES ('u1', 'old@example.com', 'HUMAN', 'ACTIVE', 'OIDC', 'Sub-1', '[]', 0, '2026-01-01 00:00:00.000')`,
        );
        await ds.runMigrations();
        expect(await ds.query("SELECT external_id, external_provider FROM users")).to.deep.equal([
          { external_id: "Sub-1", external_provider: null },
        ]);
        await ds.query("UPDATE users SET external_provider = 'okta'");
        await ds.undoLastMigration();
        expect(await ds.query("SELECT external_id FROM users")).to.deep.equal([{ external_id: "Sub-1" }]);
        const drift = await ds.driver.createSchemaBuilder().log();
        expect(drift.upQueries.map((q) => q.query).join("\n")).to.contain("external_provider");
      } finally {
        await ds.destroy();
      }
    });

    it("are applied at start-up, after which none is pending", async () => {
      const bare = await TypeormStorage.open(db.config, { migrate: false });
      try {
        expect((await bare.pendingMigrations()).length).to.be.greaterThan(0);
      } finally {
        await bare.close();
      }
      const storage = await TypeormStorage.open(db.config, { migrate: true });
      try {
        expect(await storage.pendingMigrations()).to.deep.equal([]);
        expect(await storage.ping()).to.equal(true);
      } finally {
        await storage.close();
      }
    });
  });
}
