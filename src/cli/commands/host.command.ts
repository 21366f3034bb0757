// Commands run on the server's host that talk to no server: `token-format`
// (local only) and `bootstrap --reissue` (the database, like `migrate`). What
// they need besides the command line is loaded when they run, so every other
// command stays clear of the server's code.
import { Command } from "commander";
import type { Cli } from "../cli-context";
import { CliError, EXIT, usageError } from "../cli-error";
import { example } from "./command-kit";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

async function tokenFormat(cli: Cli, options: { generate?: boolean; check?: boolean }): Promise<void> {
  if (Boolean(options.generate) === Boolean(options.check))
    throw usageError("token-format: pass exactly one of --generate and --check");
  const { checkSecret, generateSecret, TOKEN_PREFIX } = await import("../../domain/credentials/secret-format.js");
  if (options.generate) {
    cli.io.out(generateSecret(TOKEN_PREFIX) + "\n");
    return;
  }
  // The secret is never echoed: only whether it has the format, and why not.
  const check = checkSecret(await readStdin(), TOKEN_PREFIX);
  if (!check.ok) {
    const why =
      check.problem === "checksum" ? "the checksum does not match" : "expected ptc_ followed by 46 base62 characters";
    throw new CliError(`token-format: stdin is not a valid token secret (${why})`, EXIT.DENIED);
  }
  cli.io.out("valid token secret\n");
}

async function reissue(cli: Cli): Promise<void> {
  await import("reflect-metadata");
  const { loadConfig } = await import("../../config/index.js");
  const { TypeormStorage } = await import("../../storage/typeorm-storage.js");
  const { reissueBootstrapToken } = await import("../../domain/bootstrap-reissue.js");
  const config = loadConfig();
  const storage = await TypeormStorage.open(config.database, { migrate: false });
  try {
    const pending = await storage.pendingMigrations();
    if (pending.length > 0) {
      throw new CliError(
        `bootstrap: the database schema is not current (pending: ${pending.join(", ")}); start the server once, or run portcullis migrate`,
        EXIT.DENIED,
      );
    }
    const result = await reissueBootstrapToken(storage, { adminEmail: config.adminEmail });
    if (!result.ok) throw new CliError(`bootstrap: ${result.reason}`, EXIT.DENIED);
    cli.io.err(
      `revoked ${result.revoked} break-glass token(s) of ${config.adminEmail}; the new one is shown once, store it now\n` +
        "(a server running without REDIS_URL takes the new token for permission checks once restarted):\n",
    );
    cli.io.out(result.secret + "\n");
  } finally {
    await storage.close();
  }
}

export function hostCommands(cli: Cli): Command[] {
  const tokenFormatCommand = example(
    new Command("token-format")
      .description("make or check a token secret in portcullis's format (local only: talks to no server)")
      .option("--generate", "print a new token secret, usable as PORTCULLIS_BOOTSTRAP_TOKEN")
      .option(
        "--check",
        "read a secret from stdin and say whether it has the format (exit 0 or 1); it is never printed",
      ),
    [
      "export PORTCULLIS_BOOTSTRAP_TOKEN=$(portcullis token-format --generate)",
      'printf %s "$PORTCULLIS_BOOTSTRAP_TOKEN" | portcullis token-format --check',
    ],
  ).action((options: { generate?: boolean; check?: boolean }) => tokenFormat(cli, options));

  const bootstrapCommand = example(
    new Command("bootstrap")
      .description(
        "recover the built-in admin's break-glass token on DATABASE_URL (on the server's host; talks to the database directly)",
      )
      .option("--reissue", "revoke the built-in admin's break-glass tokens and print a new one, once"),
    ["DATABASE_URL=mysql://… PORTCULLIS_ADMIN_EMAIL=root@example.com portcullis bootstrap --reissue"],
  ).action((options: { reissue?: boolean }) => {
    if (!options.reissue)
      throw usageError("bootstrap: pass --reissue (the server bootstraps an empty database itself on its first start)");
    return reissue(cli);
  });

  return [tokenFormatCommand, bootstrapCommand];
}
