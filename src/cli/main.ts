#!/usr/bin/env node
// The `portcullis` command line.
//   portcullis migrate          apply pending migrations to DATABASE_URL
//   portcullis migrate --status list pending migrations, change nothing
//   portcullis login [--server URL]  OIDC device-flow login; prints a session secret
import "reflect-metadata";
import { ConfigError, loadConfig } from "../config";
import { deviceLogin, DeviceLoginError } from "./device-login";
import { migrate as applyMigrations, TypeormStorage } from "../storage/typeorm-storage";

const USAGE = `usage: portcullis <command>

commands:
  migrate            apply pending database migrations (DATABASE_URL)
  migrate --status   list pending migrations without applying them
  login [--server URL]
                     log in through the server's OIDC device flow; prints the
                     instructions on stderr and the session secret on stdout
                     (server: --server, else PORTCULLIS_URL, else http://localhost:4000)
  help               show this text`;

async function login(args: string[]): Promise<number | null> {
  let server = process.env.PORTCULLIS_URL?.trim() || "http://localhost:4000";
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--server" && args[i + 1] !== undefined) server = args[++i]!;
    else return null;
  }
  try {
    const { sessionSecret } = await deviceLogin(server, {
      fetch, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), tell: (line) => console.error(line), now: Date.now,
    });
    process.stdout.write(sessionSecret + "\n");
    return 0;
  } catch (err) {
    if (!(err instanceof DeviceLoginError)) throw err;
    console.error(`portcullis: ${err.message}`);
    return 1;
  }
}

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
    case "login": {
      const code = await login(rest);
      if (code !== null) return code;
      break;
    }
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
