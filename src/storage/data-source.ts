import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DataSource, DataSourceOptions } from "typeorm";
import type { DatabaseConfig } from "../config";
import { ENTITIES } from "./entities";
import { MYSQL_MIGRATIONS } from "./migrations/mysql";
import { SQLITE_MIGRATIONS } from "./migrations/sqlite";
import { SnakeNamingStrategy } from "./snake-naming.strategy";

export interface DataSourceExtras {
  /** Leave migrations out (used when generating a new migration). */
  withoutMigrations?: boolean;
  logging?: boolean;
}

/** The typeorm DataSource for a configured database. Never synchronizes: schema changes are migrations. */
export function createDataSource(database: DatabaseConfig, extras: DataSourceExtras = {}): DataSource {
  const common = {
    entities: ENTITIES,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: "schema_migrations",
    migrationsTransactionMode: "each" as const,
    logging: extras.logging ?? false,
  };
  let options: DataSourceOptions;
  if (database.kind === "sqlite") {
    if (database.path !== ":memory:") mkdirSync(dirname(database.path), { recursive: true });
    options = {
      ...common,
      type: "better-sqlite3",
      database: database.path,
      migrations: extras.withoutMigrations ? [] : SQLITE_MIGRATIONS,
      prepareDatabase: (db: { pragma(source: string): unknown }) => {
        db.pragma("journal_mode = WAL");
        // FULL: in WAL mode NORMAL does not sync at COMMIT, and a policy write's change
        // record commits in the write's own transaction on this connection; it must be on
        // disk before the answer that describes it, as the audit writer's batches are.
        db.pragma("synchronous = FULL");
        db.pragma("busy_timeout = 5000");
        db.pragma("foreign_keys = ON");
      },
    };
  } else {
    options = {
      ...common,
      type: database.flavour ?? "mysql",
      connectorPackage: "mysql2",
      url: database.url,
      timezone: "Z",
      charset: "utf8mb4_bin",
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: false,
      poolSize: 10,
      migrations: extras.withoutMigrations ? [] : MYSQL_MIGRATIONS,
    };
  }
  return new DataSource(options);
}

/**
 * Asks a MySQL-protocol server whether it is MariaDB, so typeorm reads its catalog
 * correctly (MariaDB reports column defaults differently).
 */
export async function detectDatabase(database: DatabaseConfig): Promise<DatabaseConfig> {
  if (database.kind !== "mysql" || database.flavour) return database;
  const mysql = await import("mysql2/promise");
  const connection = await mysql.createConnection({ uri: database.url });
  try {
    const [rows] = await connection.query("SELECT VERSION() AS version");
    const version = String((rows as Array<{ version: string }>)[0]?.version ?? "");
    return { ...database, flavour: /mariadb/i.test(version) ? "mariadb" : "mysql" };
  } finally {
    await connection.end();
  }
}
