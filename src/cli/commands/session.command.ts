// login, logout, whoami, context: who the command line is, and against which server.
import { Command } from "commander";
import { CliError, EXIT } from "../cli-error";
import type { Cli } from "../cli-context";
import { DEFAULT_CONTEXT, DEFAULT_SERVER, normaliseServer, writeConfig, type CliConfigFile } from "../config-store";
import { deviceLogin, DeviceLoginError } from "../device-login";
import { GraphQLClient } from "../graphql-client";
import { OPERATIONS, type UserView } from "../operations";
import { joinList } from "../output";
import { addOutput, example } from "./command-kit";

interface Me extends UserView {
  grants: Array<{ role: { name: string }; scope: string; expiresAt: string | null; source: string }>;
}

/** The server's view of the credential in use (Query.credential). */
interface CurrentCredential {
  kind: "TOKEN" | "SESSION";
  id: string;
  expiresAt: string | null;
  mfa: boolean;
  mfaVerifiedUntil: string | null;
  sessionSource: string | null;
  breakGlass: boolean;
}

/** The context a login on `server` goes to: the one named, else one already on that server, else one named after the host. */
function contextFor(config: CliConfigFile, server: string, named: string | undefined): string {
  if (named) return named;
  const existing = Object.entries(config.contexts).find(([, c]) => c.server === server)?.[0];
  if (existing) return existing;
  return Object.keys(config.contexts).length === 0 ? DEFAULT_CONTEXT : new URL(server).host;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").trim();
}

export function sessionCommands(cli: Cli): Command[] {
  const login = example(
    new Command("login")
      .description("log in through the server's OIDC device flow and keep the session in the configuration file")
      .option(
        "--with-token",
        'read a token or session secret from stdin instead (for CI: echo "$SECRET" | portcullis login --with-token)',
      ),
    [
      "portcullis login --server https://portcullis.example.com",
      "portcullis login --context staging --server https://staging.example.com",
    ],
  ).action(async (options: { withToken?: boolean }, command: Command) => {
    const globals = command.optsWithGlobals<{ server?: string; context?: string }>();
    const config = cli.config();
    const named = globals.context ? config.contexts[globals.context] : undefined;
    const current = config.contexts[config.current ?? DEFAULT_CONTEXT];
    const server = normaliseServer(
      globals.server ?? named?.server ?? (cli.env.PORTCULLIS_URL?.trim() || current?.server || DEFAULT_SERVER),
    );
    let secret: string;
    let expiresAt: string | undefined;
    if (options.withToken) {
      secret = await readStdin();
      if (!/^pt[cs]_[0-9A-Za-z]{46}$/.test(secret))
        throw new CliError("--with-token: stdin does not hold a portcullis secret (ptc_… or pts_…)", EXIT.USAGE);
    } else {
      try {
        ({ sessionSecret: secret, expiresAt } = await deviceLogin(server, {
          fetch,
          sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
          tell: (line) => cli.note(line),
          now: Date.now,
        }));
      } catch (err) {
        if (!(err instanceof DeviceLoginError)) throw err;
        throw new CliError(err.message, err.unreachable ? EXIT.UNREACHABLE : EXIT.AUTH);
      }
    }
    const { me } = await new GraphQLClient(server, secret).request<{ me: { email: string } }>(OPERATIONS.WhoAmI);
    const name = contextFor(config, server, globals.context);
    config.contexts[name] = { server, secret, ...(expiresAt ? { expiresAt } : {}) };
    config.current = name;
    writeConfig(cli.configFile, config);
    cli.note(`Logged in to ${server} as ${me.email} (context '${name}', saved in ${cli.configFile}).`);
  });

  const logout = example(
    new Command("logout").description("end the session on the server (tokens stay valid) and forget the secret"),
    ["portcullis logout", "portcullis logout --context staging"],
  ).action(async (_options: unknown, command: Command) => {
    const target = cli.target(command);
    const config = cli.config();
    const name = target.contextName;
    const stored = name ? config.contexts[name]?.secret : undefined;
    if (!name || !stored)
      throw new CliError(`not logged in${name ? ` in context '${name}'` : ""}; nothing to do`, EXIT.AUTH);
    if (stored.startsWith("pts_")) {
      const res = await fetch(`${target.server}/auth/logout`, {
        method: "POST",
        headers: { authorization: `Bearer ${stored}` },
      }).catch(() => null);
      if (res === null)
        cli.note(`warning: could not reach ${target.server} to end the session; it ends when it expires`);
    }
    delete config.contexts[name].secret;
    delete config.contexts[name].expiresAt;
    writeConfig(cli.configFile, config);
    cli.note(`Logged out of ${target.server} (context '${name}').`);
    if (cli.env.PORTCULLIS_TOKEN) cli.note("PORTCULLIS_TOKEN is still set and still used.");
  });

  const whoami = addOutput(
    example(
      new Command("whoami").description("the user behind the current credential: email, roles, session expiry, MFA"),
      ["portcullis whoami", "portcullis whoami -o json"],
    ),
  ).action(async (_options: unknown, command: Command) => {
    const target = cli.target(command);
    const { me, credential: current } = await new GraphQLClient(target.server, target.secret).request<{
      me: Me;
      credential: CurrentCredential;
    }>(OPERATIONS.WhoAmI);
    const fromEnv =
      !command.optsWithGlobals<{ context?: string }>().context && Boolean(cli.env.PORTCULLIS_TOKEN?.trim());
    const from = fromEnv ? "PORTCULLIS_TOKEN" : `context '${target.contextName}'`;
    const kind = current.kind === "SESSION" ? "session" : "token";
    const roles = me.grants.map((g) => (g.scope ? `${g.role.name} (${g.scope})` : g.role.name));
    const mfa = current.mfa
      ? current.mfaVerifiedUntil
        ? `yes (step-up until ${current.mfaVerifiedUntil})`
        : "yes"
      : "no";
    cli.print(command, { ...me, server: target.server, credential: { ...current, from } }, () => ({
      head: ["", ""],
      rows: [
        ["email", me.email],
        ["name", me.displayName],
        ["status", me.status],
        ["source", me.source],
        ["roles", joinList([...new Set(roles)])],
        ["groups", joinList(me.groups)],
        ["MFA enrolled", me.mfaEnrolled ? "yes" : "no"],
        ["server", target.server],
        ["credential", `${kind}${current.breakGlass ? " (break-glass)" : ""} ${current.id} from ${from}`],
        ["expires", current.expiresAt ?? "never"],
        ["MFA now", mfa],
      ],
    }));
  });

  const context = example(
    new Command("context").description("several servers: list the contexts, switch between them"),
    ["portcullis context list", "portcullis context use staging"],
  );
  addOutput(
    example(context.command("list").description("the contexts in the configuration file; * marks the current one"), [
      "portcullis context list",
    ]),
  ).action((_options: unknown, command: Command) => {
    const config = cli.config();
    const rows = Object.entries(config.contexts).map(([name, c]) => ({
      name,
      current: name === (config.current ?? DEFAULT_CONTEXT),
      server: c.server,
      loggedIn: Boolean(c.secret),
      expiresAt: c.expiresAt ?? null,
    }));
    cli.print(command, rows, () => ({
      head: ["", "NAME", "SERVER", "LOGGED IN", "SESSION EXPIRES"],
      rows: rows.map((r) => [r.current ? "*" : "", r.name, r.server, r.loggedIn ? "yes" : "no", r.expiresAt]),
    }));
  });
  example(
    context.command("use").argument("<name>", "context to make current").description("make a context the current one"),
    ["portcullis context use staging"],
  ).action((name: string) => {
    const config = cli.config();
    if (!config.contexts[name])
      throw new CliError(`not found: no context named '${name}' (portcullis context list shows them)`, EXIT.DENIED);
    config.current = name;
    writeConfig(cli.configFile, config);
    cli.note(`Now using context '${name}' (${config.contexts[name].server}).`);
  });
  example(
    context.command("delete").argument("<name>", "context to forget").description("forget a context and its secret"),
    ["portcullis context delete old-staging"],
  ).action((name: string) => {
    const config = cli.config();
    if (!config.contexts[name]) throw new CliError(`not found: no context named '${name}'`, EXIT.DENIED);
    delete config.contexts[name];
    if (config.current === name) delete config.current;
    writeConfig(cli.configFile, config);
    cli.note(`Deleted context '${name}'.`);
  });
  return [login, logout, whoami, context];
}
