// A real server on a real database, listening on a free loopback port.
import { createApp, type App } from "../../src/app";
import { loadConfig } from "../../src/config";
import { createLogger, type RootLogger } from "../../src/http/logger";
import type { DatabaseKind, TestDatabase } from "./databases";

export interface TestServer {
  url: string;
  app: App;
  db: TestDatabase;
  /** The bootstrap admin's break-glass secret. */
  adminToken: string;
  announced: string[];
  close(): Promise<void>;
}

export interface ServerOptions {
  /** The clock the server judges grants, tokens and access requests against. */
  now?: () => Date;
  /** When given, receives every log line the server writes (level debug and up). */
  logLines?: string[];
  /** The server's logger (debug and up when given); silent unless this or logLines is given. */
  logger?: RootLogger;
}

/**
 * Limits high enough for suites that fail authentication on purpose, many times
 * from 127.0.0.1. A suite that tests the limits passes its own (or
 * DEFAULT_LIMITS to run with the server's defaults).
 */
const SUITE_LIMITS: Record<string, string> = {
  PORTCULLIS_AUTH_FAILURES_PER_ADDRESS: "1000000",
  PORTCULLIS_AUTH_FAILURES_PER_CREDENTIAL: "1000000",
  PORTCULLIS_AUTH_REQUESTS_PER_ADDRESS: "1000000",
};
/** Pass as env to startServer to run with the server's default rate limits (a blank variable is an unset one). */
export const DEFAULT_LIMITS: Record<string, string> = Object.fromEntries(Object.keys(SUITE_LIMITS).map((k) => [k, ""]));

export async function startServer(
  kind: DatabaseKind,
  env: Record<string, string> = {},
  existing?: TestDatabase,
  options: ServerOptions = {},
): Promise<TestServer> {
  const db = existing ?? (await kind.create());
  const limits = Object.keys(env).some((k) => k in SUITE_LIMITS) ? {} : SUITE_LIMITS;
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    ...limits,
    ...env,
  });
  const announced: string[] = [];
  const logLines = options.logLines;
  const logger =
    options.logger ?? (logLines ? createLogger("debug", (line) => logLines.push(line)) : createLogger("silent"));
  const app = await createApp({
    config,
    logger,
    announce: (line) => announced.push(line),
    ...(options.now ? { now: options.now } : {}),
  });
  const port = await app.listen();
  const secret = /(ptc_[0-9A-Za-z]{46})/.exec(announced.join("\n"))?.[1] ?? env.PORTCULLIS_BOOTSTRAP_TOKEN ?? "";
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    db,
    adminToken: secret,
    announced,
    close: async () => {
      await app.close();
      if (!existing) await db.drop();
    },
  };
}

/**
 * The result type of a call whose caller names none: loose, so suites written
 * before the helpers took a result type still compile. Name the shape instead.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the compatibility default itself; call sites name their type
export type UntypedData = Record<string, any>;

export interface GraphQLResponse<T = UntypedData> {
  status: number;
  data: T | null | undefined;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
  raw: string;
  headers: Headers;
}

/** The validation issues a BAD_USER_INPUT error lists in its extensions (none when it lists none). */
export function issuesOf(
  extensions: Record<string, unknown> | undefined,
): Array<{ path: string; message: string; line?: number; column?: number }> {
  return (extensions?.issues ?? []) as Array<{ path: string; message: string; line?: number; column?: number }>;
}

export async function gql<T = UntypedData>(
  url: string,
  query: string,
  options: { token?: string; variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<T>> {
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
  });
  const raw = await res.text();
  const body = JSON.parse(raw) as { data?: T | null; errors?: GraphQLResponse["errors"] };
  return { status: res.status, data: body.data, errors: body.errors, raw, headers: res.headers };
}

/**
 * Registers the suite's hooks: a server on a fresh database of `kind` before the
 * suite (handed to `use` before any later `before` hook runs), stopped after it.
 */
export function serverForSuite(
  kind: DatabaseKind,
  use: (server: TestServer) => void,
  env: Record<string, string> = {},
  options: ServerOptions = {},
): void {
  let server: TestServer | undefined;
  before(async () => {
    server = await startServer(kind, env, undefined, options);
    use(server);
  });
  after(async () => {
    await server?.close();
  });
}
