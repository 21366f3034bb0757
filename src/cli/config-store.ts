// Where the command line keeps its credentials: $XDG_CONFIG_HOME/portcullis/config.json
// (~/.config/portcullis/config.json when the variable is unset), written with
// mode 0600 in a 0700 folder. It holds named contexts, one per server, and the
// current one. PORTCULLIS_URL and PORTCULLIS_TOKEN, when set, take precedence
// over the current context (for CI, where no file is written); a context named
// with --context takes precedence over them.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { CliError, EXIT } from "./cli-error";

export interface CliContext {
  server: string;
  /** A session (pts_) or token (ptc_) secret; absent after logout. */
  secret?: string;
  /** When the session ends, as the server said at login. */
  expiresAt?: string;
}

export interface CliConfigFile {
  current?: string;
  contexts: Record<string, CliContext>;
}

export const DEFAULT_SERVER = "http://localhost:4000";
export const DEFAULT_CONTEXT = "default";

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim() || join(homedir(), ".config");
  return join(base, "portcullis", "config.json");
}

export function readConfig(path: string): CliConfigFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { contexts: {} };
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`, EXIT.USAGE);
  }
  try {
    const parsed = JSON.parse(text) as CliConfigFile;
    if (
      typeof parsed !== "object" ||
      parsed === null ||
      typeof parsed.contexts !== "object" ||
      parsed.contexts === null
    )
      throw new Error("no contexts object");
    return parsed;
  } catch (err) {
    throw new CliError(
      `${path} is not a portcullis configuration (${(err as Error).message}); fix or remove it`,
      EXIT.USAGE,
    );
  }
}

/** Writes through a temporary file created 0600, so the secret is never readable by others, not even briefly. */
export function writeConfig(path: string, config: CliConfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(config, null, 2) + "\n", { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

export interface Target {
  server: string;
  secret: string | undefined;
  /** The context the target came from (null when the environment gave everything). */
  contextName: string | null;
  context: CliContext | undefined;
}

/**
 * The server and credential a command uses. The server: --server, then (unless
 * --context names a context) PORTCULLIS_URL, then the context's. The secret:
 * PORTCULLIS_TOKEN (unless --context names a context), then the context's.
 */
export function resolveTarget(
  config: CliConfigFile,
  options: { context?: string; server?: string },
  env: NodeJS.ProcessEnv = process.env,
): Target {
  const explicit = options.context !== undefined;
  const name = options.context ?? config.current ?? DEFAULT_CONTEXT;
  if (explicit && !config.contexts[name]) {
    throw new CliError(`--context: no context named '${name}' (portcullis context list shows them)`, EXIT.USAGE);
  }
  const context = config.contexts[name];
  const fromEnv = (value: string | undefined) => (explicit ? undefined : value?.trim() || undefined);
  const server = options.server ?? fromEnv(env.PORTCULLIS_URL) ?? context?.server ?? DEFAULT_SERVER;
  const secret = fromEnv(env.PORTCULLIS_TOKEN) ?? context?.secret;
  return { server: normaliseServer(server), secret, contextName: context ? name : null, context };
}

export function normaliseServer(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new CliError(`--server: '${server}' is not a URL (e.g. https://portcullis.example.com)`, EXIT.USAGE);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new CliError(`--server: '${server}' is not an http(s) URL`, EXIT.USAGE);
  return url.origin + url.pathname.replace(/\/+$/, "");
}
