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

export async function startServer(kind: DatabaseKind, env: Record<string, string> = {}, existing?: TestDatabase, logger?: RootLogger): Promise<TestServer> {
  const db = existing ?? (await kind.create());
  const config = loadConfig({ DATABASE_URL: db.url, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", ...env });
  const announced: string[] = [];
  const app = await createApp({ config, logger: logger ?? createLogger("silent"), announce: (line) => announced.push(line) });
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

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data: T | null | undefined;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
  raw: string;
  headers: Headers;
}

export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  options: { token?: string; variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<T>> {
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${url}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables: options.variables ?? {} }) });
  const raw = await res.text();
  const body = JSON.parse(raw) as { data?: T | null; errors?: GraphQLResponse["errors"] };
  return { status: res.status, data: body.data, errors: body.errors, raw, headers: res.headers };
}

/**
 * Registers the suite's hooks: a server on a fresh database of `kind` before the
 * suite (handed to `use` before any later `before` hook runs), stopped after it.
 */
export function serverForSuite(kind: DatabaseKind, use: (server: TestServer) => void, env: Record<string, string> = {}): void {
  let server: TestServer | undefined;
  before(async () => {
    server = await startServer(kind, env);
    use(server);
  });
  after(async () => {
    await server?.close();
  });
}
