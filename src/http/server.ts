// The express application: /graphql, /console, /auth/methods, /healthz, /readyz, /metrics, /audit/export, /auth/logout, /auth/saml, /auth/oidc, /auth/ldap, /scim/v2.
import { createServer, type Server, type ServerResponse } from "node:http";
import { ApolloServer } from "@apollo/server";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { NoSchemaIntrospectionCustomRule, type GraphQLSchema } from "graphql";
import type { AuthRateLimiter } from "../auth/auth-rate-limiter";
import type { AuthResult } from "../auth/bearer-authenticator";
import type { AuthenticationLayer } from "../auth/passport/authentication-layer";
import type { Services } from "../app-services";
import type { RequestContext } from "../graphql/context";
import { escalationRefusalsAudited, formatError, requestIdInErrors } from "../graphql/error-format";
import { createLoaders } from "../graphql/loaders";
import { operationLimits } from "../graphql/operation-limits";
import { auditExport } from "./audit-export.route";
import { consoleRouter, signInMethodsRoute } from "./console.route";
import { scimRouter } from "./scim.route";
import { auditAuthentication } from "./authentication-audit";
import { clientAddressResolver, overHttpsResolver } from "./client-address";
import { logoutRoute } from "./logout.route";
import { authRouteLimit, sendRateLimited } from "./rate-limit-response";
import { credentialHeaders, type SessionCookieOptions } from "./session-cookie";
import { samlRoutes, type SamlRouteOptions } from "./saml.routes";
import { ldapRoutes } from "./ldap.routes";
import { passportLoginRoutes } from "./passport-login.routes";
import type { LoginStrategy } from "../auth/passport/login-strategies";
import type { SealedBox } from "../auth/oidc/sealed-box";
import type { LdapStrategy } from "../auth/ldap/ldap-strategy";
import { attachSubscriptionServer } from "./subscription-server";
import { oidcRoutes, type OidcRoutesOptions } from "./oidc.routes";
import type { RootLogger } from "./logger";
import { accessFacts, accessLog } from "../observability/access-log";
import { graphqlObserver } from "../observability/graphql-observer";
import type { Metrics } from "../observability/metrics";
import { metricsHandler } from "./metrics-server";
import { sendError } from "./error-response";

export interface HttpOptions {
  schema: GraphQLSchema;
  services: Services;
  /** Every way in: the credential strategies and the login strategies. */
  authentication: AuthenticationLayer;
  trustedProxies: string[];
  production: boolean;
  /** How session cookies are set and cleared (Secure outside development). */
  cookies: SessionCookieOptions;
  logger: RootLogger;
  metrics: Metrics;
  /** Serve GET /metrics on this server (false when METRICS_PORT gives it a port of its own). */
  metricsRoute: boolean;
  /** "Credentials may have changed": open subscriptions re-check theirs at once. */
  credentialsChanged?: (listener: () => void) => () => void;
  /** How this instance keeps up with the others, for /readyz. */
  clusterMode?: () => string;
  /** The /auth/saml routes; null when SAML is not configured (they answer 404 then). */
  saml: SamlRouteOptions | null;
  /** OpenID Connect login; null when OIDC is not configured (its routes then answer 404). */
  oidc?: Pick<OidcRoutesOptions, "relyingParty" | "sealer" | "redirectUri"> | null;
  /** Login strategies a deployment adds, each served at /auth/<name>. */
  loginStrategies?: LoginStrategy[];
  /** Seals their state between the redirect and the callback. */
  sealer?: SealedBox;
  /** LDAP login (POST /auth/ldap/login); null when LDAP is not configured (it then answers 404). */
  ldap?: { strategy: LdapStrategy; provider: string } | null;
  /** Limits requests to /auth/* per address (failed authentications are limited by the authenticator). */
  rateLimiter?: AuthRateLimiter | null;
}

export interface HttpServer {
  server: Server;
  start(): Promise<void>;
  /** Stops accepting connections and waits for in-flight requests. */
  stop(): Promise<void>;
}

const RESPONSE = Symbol("response");
type ContextWithResponse = RequestContext & { [RESPONSE]?: ServerResponse };

/** Largest number of tokens a GraphQL document may have, over HTTP and WebSocket. */
const MAX_TOKENS = 5000;

export function createHttpServer(options: HttpOptions): HttpServer {
  const { services, authentication, logger } = options;
  const clientAddress = clientAddressResolver(options.trustedProxies);
  const app = express();
  app.disable("x-powered-by");
  // No ETag on res.send answers: express hashed every GraphQL and JSON body for a header no client
  // revalidates with (answers about access are never cached; SCIM says it has no ETags). Static
  // console files keep theirs: express.static sets its own.
  app.set("etag", false);
  // Which response a GraphQL context belongs to, for the access line's operation. A property of the
  // context itself, since Apollo hands plugins a shallow copy of the context the middleware built.
  const responseOf = (context: RequestContext) => (context as ContextWithResponse)[RESPONSE];
  const server = createServer(app);
  // Query limits: deep, wide, alias-heavy or huge documents are refused before they run.
  const armor = new ApolloArmor({
    maxDepth: { n: 10 },
    maxAliases: { n: 30 },
    maxDirectives: { n: 20 },
    // graphql-js counts tokens while Apollo parses (parseOptions below): armor's own count ran in a
    // plugin where a syntax error became a 500 instead of a 400 GRAPHQL_PARSE_FAILED.
    maxTokens: { enabled: false },
    costLimit: { maxCost: 20_000 },
    blockFieldSuggestion: { enabled: options.production },
  }).protect();
  // The same rules over HTTP and WebSocket: armor's limits and, in production, no introspection.
  const validationRules = [
    ...(armor.validationRules ?? []),
    ...(options.production ? [NoSchemaIntrospectionCustomRule] : []),
  ];
  const apollo = new ApolloServer<RequestContext>({
    schema: options.schema,
    csrfPrevention: true,
    // main.ts owns shutdown: it drains HTTP, then closes the database.
    stopOnTerminationSignals: false,
    introspection: !options.production,
    hideSchemaDetailsFromClientErrors: options.production,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: MAX_TOKENS },
    validationRules,
    logger: apolloLogger(logger),
    plugins: [
      // Apollo's default cache-control plugin hooks every field of every response to compute cache
      // hints nobody uses: answers about permissions are never cacheable. Without it no resolver is wrapped.
      ApolloServerPluginCacheControlDisabled(),
      ...armor.plugins,
      operationLimits(),
      escalationRefusalsAudited(),
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      // Apollo's default landing page loads its explorer from a CDN; the console is the browser client.
      ApolloServerPluginLandingPageDisabled(),
      requestIdInErrors(logger),
      graphqlObserver<RequestContext>(options.schema, {
        logger,
        request: (operation, outcome, seconds) => options.metrics.graphqlRequest(operation, outcome, seconds),
        onOperation: (context, operation, operationName) => {
          const response = responseOf(context);
          if (!response) return;
          const facts = accessFacts(response);
          facts.operation = operation;
          if (operationName !== null) facts.operationName = operationName.slice(0, 100);
        },
      }),
    ],
    formatError: (formatted, error) => formatError(formatted, error),
  });

  // Sets res.locals.requestId and the x-request-id header, and writes the access line when the response ends.
  app.use(accessLog(logger));
  // /graphql before the other routes: gateways call it on every request they serve, and each
  // route in front of it is one more path match per call. Its handlers are set by start(), run in
  // turn by one layer (a nested Router would match and dispatch a second time per request).
  let graphqlHandlers: express.RequestHandler[] = [];
  app.use("/graphql", (req, res, next) => inTurn(graphqlHandlers, req, res, next));

  if (options.metricsRoute) app.get("/metrics", metricsHandler(options.metrics));

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  app.get("/", (_req, res) => {
    res.redirect(302, "/console");
  });
  app.use("/console", consoleRouter({}));
  app.get(
    "/auth/methods",
    signInMethodsRoute({ saml: Boolean(options.saml), oidc: Boolean(options.oidc), ldap: Boolean(options.ldap) }),
  );

  if (options.rateLimiter) app.use("/auth", authRouteLimit(options.rateLimiter, clientAddress, services));
  if (options.saml) {
    authentication.use("saml", options.saml.sp.strategy);
    app.use(
      "/auth/saml",
      samlRoutes({
        ...options.saml,
        services,
        authentication,
        clientAddress,
        overHttps: overHttpsResolver(options.trustedProxies),
        logger,
        cookies: options.cookies,
      }),
    );
  }

  if (options.ldap) {
    authentication.use("ldap", options.ldap.strategy);
    app.use(
      "/auth/ldap",
      ldapRoutes({
        services,
        authentication,
        provider: options.ldap.provider,
        clientAddress,
        cookies: options.cookies,
        logger,
      }),
    );
  }

  for (const login of options.loginStrategies ?? []) {
    authentication.use(login.name, login.strategy);
    const sealer = options.sealer;
    if (!sealer) throw new Error("login strategies need a sealer for their state");
    app.use(
      `/auth/${login.name}`,
      passportLoginRoutes({ login, authentication, services, sealer, clientAddress, cookies: options.cookies, logger }),
    );
  }

  app.get("/audit/export", auditExport({ services, authentication, clientAddress, logger }));
  if (options.oidc)
    app.use(
      "/auth/oidc",
      oidcRoutes({
        ...options.oidc,
        authentication,
        services,
        clientAddress,
        logger,
        secureCookies: options.cookies.secure,
      }),
    );
  app.use("/scim/v2", scimRouter({ services, authentication, clientAddress, logger }));

  app.post("/auth/logout", logoutRoute({ services, authentication, clientAddress, cookies: options.cookies }));

  app.get("/readyz", async (_req, res) => {
    const database = await services.storage.ping();
    const pending = database ? await services.storage.pendingMigrations().catch(() => ["unknown"]) : [];
    const ready = database && pending.length === 0;
    const checks: Record<string, string> = {
      database: database ? "up" : "down",
      migrations: pending.length === 0 ? "applied" : `pending: ${pending.join(", ")}`,
    };
    // Polling is degraded but correct (bounded staleness): it is reported, not a reason to refuse traffic.
    if (options.clusterMode) checks.cluster = options.clusterMode();
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not ready", checks });
  });

  let subscriptions: { close(): Promise<void> } | null = null;
  return {
    server,
    async start() {
      await apollo.start();
      subscriptions = attachSubscriptionServer({
        server,
        schema: options.schema,
        services,
        authentication,
        clientAddress,
        logger,
        validationRules,
        maxTokens: MAX_TOKENS,
        hideSuggestions: options.production,
        credentialsChanged: options.credentialsChanged,
      });
      graphqlHandlers = [
        express.json({ limit: "1mb" }),
        // Authenticated before the GraphQL layer, so a rate-limited caller gets HTTP 429 with Retry-After and no execution.
        async (req: express.Request, res: express.Response, next: express.NextFunction) => {
          try {
            const sourceIp = clientAddress(req);
            const auth = await authentication.authenticate(credentialHeaders(req), sourceIp, [
              "bearer",
              "session-cookie",
            ]);
            await auditAuthentication(services, auth, sourceIp, String(res.locals.requestId));
            if (!auth.ok && auth.rateLimit !== undefined) return sendRateLimited(res, auth.rateLimit);
            if (auth.ok) accessFacts(res).actorId = auth.principal.user.id;
            res.locals.auth = auth;
            next();
          } catch (err) {
            next(err);
          }
        },
        expressMiddleware(apollo, {
          context: ({ res }): Promise<RequestContext> => {
            const requestId = String(res.locals.requestId);
            const auth = res.locals.auth as AuthResult;
            const context: RequestContext = {
              requestId,
              principal: auth.ok ? auth.principal : null,
              authFailure: auth.ok ? null : auth.failure,
              services,
              loaders: createLoaders(services.storage, () => services.runtime.version()),
            };
            (context as ContextWithResponse)[RESPONSE] = res;
            return Promise.resolve(context);
          },
        }),
      ];
      app.use((_req, res) => {
        sendError(res, 404, "NOT_FOUND", "not found");
      });
      // Express would answer with an HTML page and a stack trace; answer in the API's own terms.
      app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        const type = (err as { type?: string }).type;
        const requestId = String(res.locals.requestId);
        if (type === "entity.parse.failed") return sendError(res, 400, "BAD_REQUEST", "request body is not valid JSON");
        if (type === "entity.too.large") return sendError(res, 413, "BAD_REQUEST", "request body is larger than 1 MB");
        logger.error("unhandled HTTP error", {
          requestId,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        });
        sendError(res, 500, "INTERNAL_SERVER_ERROR", `internal error (request id ${requestId})`);
      });
    },
    async stop() {
      // Open WebSockets would keep the HTTP server from closing.
      await subscriptions?.close();
      await apollo.stop();
    },
  };
}

/**
 * Runs `handlers` one after the other as a Router would: each goes on with
 * next(); an error (thrown, passed to next, or a rejected promise) goes to
 * express's error handlers; next("route") or next("router") leaves the chain.
 */
function inTurn(
  handlers: express.RequestHandler[],
  req: express.Request,
  res: express.Response,
  done: express.NextFunction,
): void {
  let i = 0;
  const step = (err?: unknown): void => {
    if (err === "route" || err === "router") return done();
    if (err !== undefined && err !== null) return done(err);
    const handler = handlers[i++];
    if (handler === undefined) return done();
    try {
      const ran = handler(req, res, step);
      if (ran instanceof Promise) ran.catch((rejected: unknown) => done(rejected ?? new Error("Rejected promise")));
    } catch (thrown) {
      done(thrown);
    }
  };
  step();
}

/** Apollo's own messages, through the same logger. */
function apolloLogger(logger: RootLogger): {
  debug(m?: unknown): void;
  info(m?: unknown): void;
  warn(m?: unknown): void;
  error(m?: unknown): void;
} {
  const apollo = logger.pino.child({ component: "apollo" });
  return {
    debug: (m) => apollo.debug(String(m)),
    info: (m) => apollo.info(String(m)),
    warn: (m) => apollo.warn(String(m)),
    error: (m) => apollo.error(String(m)),
  };
}
