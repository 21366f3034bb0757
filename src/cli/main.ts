#!/usr/bin/env node
// The `portcullis` command line: a client of the GraphQL API (migrate and
// bootstrap, which talk to the database, and token-format, which is local, are
// the exceptions). `portcullis --help` lists the
// commands; exit codes are in cli-error.ts and the README.
import { Command, CommanderError } from "commander";
import { Cli } from "./cli-context";
import { CliError, EXIT } from "./cli-error";
import { completionScript, SHELLS } from "./completion";
import { processIo, type Io } from "./output";
import { accessCommands } from "./commands/access.command";
import { auditCommands } from "./commands/audit.command";
import { bundleCommands } from "./commands/bundle.command";
import { example } from "./commands/command-kit";
import { hostCommands } from "./commands/host.command";
import { modelCommands } from "./commands/model.command";
import { requestCommands } from "./commands/request.command";
import { sessionCommands } from "./commands/session.command";
import { tokenCommands } from "./commands/token.command";
import { userCommands } from "./commands/user.command";

async function migrate(io: Io, statusOnly: boolean): Promise<void> {
  // Loaded only here: every other command stays clear of the server's storage code.
  await import("reflect-metadata");
  const { loadConfig } = await import("../config/index.js");
  const { migrate: applyMigrations, TypeormStorage } = await import("../storage/typeorm-storage.js");
  const config = loadConfig();
  const storage = await TypeormStorage.open(config.database, { migrate: false });
  try {
    const pending = await storage.pendingMigrations();
    if (statusOnly) {
      io.out((pending.length === 0 ? "schema is current" : `pending: ${pending.join(", ")}`) + "\n");
      return;
    }
    const applied = await applyMigrations(storage.dataSource);
    io.out((applied.length === 0 ? "schema is current; nothing to apply" : `applied: ${applied.join(", ")}`) + "\n");
  } finally {
    await storage.close();
  }
}

export function buildProgram(cli: Cli): Command {
  const program = new Command("portcullis")
    .description(
      "portcullis from a terminal: log in, check access, manage tokens, users and roles, apply policies from git, search the audit trail",
    )
    .option("--server <url>", "the server (default: PORTCULLIS_URL, else the context's, else http://localhost:4000)")
    .option("--context <name>", "use this context of the configuration file instead of the current one")
    .addHelpText(
      "after",
      `
Credentials: portcullis login keeps them in ${cli.configFile} (mode 0600);
PORTCULLIS_TOKEN and PORTCULLIS_URL take precedence over the current context
when set; --context NAME takes precedence over them.
Exit codes: 0 ok, 1 denied or not found, 2 usage, 3 authentication, 4 server unreachable.
`,
    );

  for (const command of [
    ...sessionCommands(cli),
    ...accessCommands(cli),
    tokenCommands(cli),
    userCommands(cli),
    ...modelCommands(cli),
    ...bundleCommands(cli),
    auditCommands(cli),
    ...requestCommands(cli),
  ])
    program.addCommand(command);

  program.addCommand(
    example(
      new Command("migrate")
        .description(
          "apply pending database migrations to DATABASE_URL (on the server's host; talks to the database directly)",
        )
        .option("--status", "list pending migrations, change nothing"),
      ["DATABASE_URL=mysql://… portcullis migrate --status"],
    ).action((options: { status?: boolean }) => migrate(cli.io, Boolean(options.status))),
  );
  for (const command of hostCommands(cli)) program.addCommand(command);

  program.addCommand(
    example(
      new Command("completion").description("print a shell completion script").argument("<shell>", SHELLS.join(", ")),
      [
        "source <(portcullis completion bash)",
        "portcullis completion fish > ~/.config/fish/completions/portcullis.fish",
      ],
    ).action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell))
        throw new CliError(`completion: '${shell}' is not one of ${SHELLS.join(", ")}`, EXIT.USAGE);
      cli.io.out(completionScript(program, shell as (typeof SHELLS)[number]));
    }),
  );

  // Settings for every command of the tree (commands built on their own do not inherit them).
  const configure = (command: Command) => {
    command.exitOverride().showSuggestionAfterError().configureOutput({ writeOut: cli.io.out, writeErr: cli.io.err });
    command.commands.forEach(configure);
  };
  configure(program);
  return program;
}

export async function run(argv: string[], cli: Cli): Promise<number> {
  const program = buildProgram(cli);
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help, help on a bare command group, --version: not failures. Anything else commander refuses is usage.
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return EXIT.OK;
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (err instanceof CliError) {
      cli.io.err(`portcullis: ${err.message}\n`);
      return err.exitCode;
    }
    const configError = (err as { name?: string }).name === "ConfigError";
    cli.io.err(
      `portcullis: ${configError ? "configuration error: " : ""}${err instanceof Error ? err.message : String(err)}\n`,
    );
    return configError ? EXIT.USAGE : EXIT.DENIED;
  }
}

if (require.main === module) {
  void run(process.argv.slice(2), new Cli(processIo)).then((code) => {
    // Let stdout drain (a large export or table into a pipe) before leaving.
    process.stdout.write("", () => process.exit(code));
  });
}
