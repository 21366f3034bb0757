#!/usr/bin/env node
// The `portcullis` command line.
//   portcullis migrate          apply pending migrations to DATABASE_URL
//   portcullis migrate --status list pending migrations, change nothing
import "reflect-metadata";
import { ConfigError, loadConfig } from "../config";
import { migrate as applyMigrations, TypeormStorage } from "../storage/typeorm-storage";

const USAGE = `usage: portcullis <command>

commands:
  migrate            apply pending database migrations (DATABASE_URL)
  migrate --status   list pending migrations without applying them
  help               show this text`;

async function migrate(statusOnly: boolean): Promise<number> {
  const config = loadConfig();
  const storage = await TypeormStorage.open(config.database, { migrate: false });
  try {
    const pending = await storage.pendingMigrations();
    if (statusOnly) {
      console.log(pending.length === 0 ? "schema is current" : `pending: ${pending.join(", ")}`);
      return 0;
    }
    const applied = await applyMigrations(storage.dataSource);
    console.log(applied.length === 0 ? "schema is current; nothing to apply" : `applied: ${applied.join(", ")}`);
    return 0;
  } finally {
    await storage.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "migrate":
      if (rest.some((a) => a !== "--status")) break;
      return migrate(rest.includes("--status"));
    case "help":
    case "--help":
    case undefined:
      console.log(USAGE);
      return command === undefined ? 2 : 0;
  }
  console.error(`portcullis: unknown command or option: ${argv.join(" ")}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof ConfigError ? `portcullis: configuration error: ${err.message}` : `portcullis: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
