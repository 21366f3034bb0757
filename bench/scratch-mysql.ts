// A scratch database on the MariaDB server benchmarks measure against
// (BENCH_MYSQL_URL, a server URL), dropped afterwards. When the server does not
// answer, the benchmark reports why instead of failing.
import { randomBytes } from "node:crypto";
import type { DatabaseConfig } from "../src/config";

export const BENCH_MYSQL_URL = process.env.BENCH_MYSQL_URL ?? "mysql://root@127.0.0.1:3306";

export async function withScratchMysql<T>(run: (database: DatabaseConfig) => Promise<T>): Promise<T | string> {
  const mysql = await import("mysql2/promise");
  const server = new URL(BENCH_MYSQL_URL);
  server.pathname = "/";
  let admin;
  try {
    admin = await mysql.createConnection({ uri: server.toString() });
  } catch (err) {
    return `MariaDB skipped: ${server.host} does not answer (${(err as Error).message})`;
  }
  const name = `pc_bench_${randomBytes(4).toString("hex")}`;
  await admin.query(`CREATE DATABASE \`${name}\``);
  try {
    const url = new URL(server.toString());
    url.pathname = `/${name}`;
    return await run({ kind: "mysql", url: url.toString() });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.end();
  }
}
