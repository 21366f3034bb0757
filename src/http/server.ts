// The express application: /graphql, /healthz, /readyz.
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import type { GraphQLSchema } from "graphql";
import type { BearerAuthenticator } from "../auth/bearer-authenticator";
import type { RequestContext, Services } from "../graphql/context";
import { formatError } from "../graphql/error-format";
import { createLoaders } from "../graphql/loaders";
import { clientAddress } from "./client-address";
import type { Logger } from "./logger";
import { currentRequestId, requestScope } from "./request-scope";

export interface HttpOptions {
  schema: GraphQLSchema;
  services: Services;
  authenticator: BearerAuthenticator;
  trustedProxies: string[];
  production: boolean;
  logger: Logger;
}

export interface HttpServer {
  server: Server;
  start(): Promise<void>;
  /** Stops accepting connections and waits for in-flight requests. */
  stop(): Promise<void>;
}

export function createHttpServer(options: HttpOptions): HttpServer {
  const { services, authenticator, logger } = options;
  const app = express();
  app.disable("x-powered-by");
  const server = createServer(app);
  const apollo = new ApolloServer<RequestContext>({
    schema: options.schema,
    csrfPrevention: true,
    // main.ts owns shutdown: it drains HTTP, then closes the database.
    stopOnTerminationSignals: false,
    introspection: !options.production,
    hideSchemaDetailsFromClientErrors: options.production,
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer: server })],
    formatError: (formatted, error) => {
      const requestId = currentRequestId();
      const result = formatError(formatted, error, requestId);
      if (result.internal) {
        logger.error("internal error", { requestId, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
      return result.error;
    },
  });

  app.use((req, res, next) => {
    const requestId = randomUUID();
    res.setHeader("x-request-id", requestId);
    requestScope.run({ requestId }, () => next());
  });

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  app.get("/readyz", async (_req, res) => {
    const database = await services.storage.ping();
    const pending = database ? await services.storage.pendingMigrations().catch(() => ["unknown"]) : [];
    const ready = database && pending.length === 0;
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not ready", checks: { database: database ? "up" : "down", migrations: pending.length === 0 ? "applied" : `pending: ${pending.join(", ")}` } });
  });

  return {
    server,
    async start() {
      await apollo.start();
      app.use(
        "/graphql",
        express.json({ limit: "1mb" }),
        expressMiddleware(apollo, {
          context: async ({ req }): Promise<RequestContext> => {
            const sourceIp = clientAddress(req, options.trustedProxies);
            const auth = await authenticator.authenticate(req.headers.authorization, sourceIp);
            return {
              requestId: currentRequestId(),
              principal: auth.ok ? auth.principal : null,
              authFailure: auth.ok ? null : auth.failure,
              services,
              loaders: createLoaders(services.storage),
            };
          },
        }),
      );
      app.use((_req, res) => {
        res.status(404).json({ error: "not found" });
      });
      // Express would answer with an HTML page and a stack trace; answer in the API's own terms.
      app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        const type = (err as { type?: string }).type;
        const requestId = currentRequestId();
        if (type === "entity.parse.failed") return void res.status(400).json({ errors: [{ message: "request body is not valid JSON", extensions: { code: "BAD_REQUEST" } }] });
        if (type === "entity.too.large") return void res.status(413).json({ errors: [{ message: "request body is larger than 1 MB", extensions: { code: "BAD_REQUEST" } }] });
        logger.error("unhandled HTTP error", { requestId, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        res.status(500).json({ errors: [{ message: `internal error (request id ${requestId})`, extensions: { code: "INTERNAL_SERVER_ERROR", requestId } }] });
      });
    },
    async stop() {
      await apollo.stop();
    },
  };
}
