// The databases integration tests run against: SQLite always, MySQL/MariaDB when
// TEST_MYSQL_URL is set (a server URL; each test database is created fresh and dropped).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseConfig } from "../../src/config";
import { noteNotRun } from "./skip-reasons";

export interface TestDatabase {
  config: DatabaseConfig;
  /** The URL form, for DATABASE_URL. */
  url: string;
  drop(): Promise<void>;
}

export interface DatabaseKind {
  name: "sqlite" | "mysql";
  create(): Promise<TestDatabase>;
}

function createSqlite(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-test-"));
  const path = join(dir, "test.sqlite");
  return Promise.resolve({
    config: { kind: "sqlite", path, url: `sqlite:${path}` },
    url: `sqlite:${path}`,
    drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  });
}

async function createMysql(serverUrl: string): Promise<TestDatabase> {
  const mysql = await import("mysql2/promise");
  const name = `pc_test_${randomBytes(6).toString("hex")}`;
  const admin = new URL(serverUrl);
  admin.pathname = "/";
  const connection = await mysql.createConnection({ uri: admin.toString() });
  await connection.query(`CREATE DATABASE \`${name}\``);
  await connection.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    config: { kind: "mysql", url: url.toString() },
    url: url.toString(),
    drop: async () => {
      const c = await mysql.createConnection({ uri: admin.toString() });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

export function databaseKinds(): DatabaseKind[] {
  const kinds: DatabaseKind[] = [{ name: "sqlite", create: createSqlite }];
  const mysqlUrl = process.env.TEST_MYSQL_URL;
  if (mysqlUrl) kinds.push({ name: "mysql", create: () => createMysql(mysqlUrl) });
  else noteNotRun("the MySQL/MariaDB runs of the database tests (TEST_MYSQL_URL is not set; they ran on SQLite only)");
  return kinds;
}
