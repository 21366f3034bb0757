// Composition root: storage, seeds and bootstrap, the compiled policy state, schema, HTTP.
import "reflect-metadata";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Redis } from "ioredis";
import { AuthRateLimiter } from "./auth/auth-rate-limiter";
import { BearerAuthenticator } from "./auth/bearer-authenticator";
import { AuthenticationLayer } from "./auth/passport/authentication-layer";
import { LdapDirectory } from "./auth/ldap/ldap-directory";
import { LdapStrategy } from "./auth/ldap/ldap-strategy";
import { checkLoginStrategy, loadLoginStrategies, type LoginStrategy } from "./auth/passport/login-strategies";
import { sessionCookieOf } from "./http/session-cookie";
import { CredentialCache } from "./auth/credential-cache";
import { UsageRecorder } from "./auth/usage-recorder";
import type { Config } from "./config";
import { bootstrap, type BootstrapResult } from "./domain/bootstrap";
import { GroupCommitAuditLog } from "./domain/audit/group-commit-audit-log";
import { AuditTrailService } from "./domain/audit/audit-trail-service";
import { AuditFeed } from "./domain/audit/audit-feed";
import { AuditStream } from "./domain/audit/audit-stream";
import { ClusterSync } from "./domain/cluster/cluster-sync";
import { DecisionService } from "./domain/decisions/decision-service";
import { PolicyRuntime } from "./domain/policy/policy-runtime";
import { PolicyWriter } from "./domain/policy/policy-writer";
import { GrantService } from "./domain/grants/grant-service";
import { AccessReviewService } from "./domain/access-requests/access-review-service";
import { AccessRequestSweeper } from "./domain/access-requests/access-request-sweeper";
import { TokenService } from "./domain/tokens/token-service";
import { UserService } from "./domain/users/user-service";
import { DirectoryService } from "./domain/users/directory-service";
import { PolicyService } from "./domain/access-model/policy-service";
import { ResourceTypeService } from "./domain/access-model/resource-type-service";
import { RoleService } from "./domain/access-model/role-service";
import { loadSeeds } from "./domain/seeds/seed-loader";
import { SessionService } from "./domain/sessions/session-service";
import { SecretBox } from "./domain/credentials/secret-box";
import { TotpService } from "./domain/mfa/totp-service";
import { SsoGrantSyncService } from "./domain/sso/sso-grant-sync-service";
import { SsoLoginService } from "./domain/sso/sso-login-service";
import { SsoMappingService } from "./domain/sso/sso-mapping-service";
import { BundleService } from "./domain/bundles/bundle-service";
import { AuditReplay } from "./domain/bundles/audit-replay";
import { buildGuardedSchema } from "./graphql/schema";
import type { Services } from "./app-services";
import { createHttpServer, type HttpOptions, type HttpServer } from "./http/server";
import type { Logger, RootLogger } from "./http/logger";
import { createMetrics, type Metrics } from "./observability/metrics";
import { currentTraceId, inSpan } from "./observability/tracing";
import { createMetricsServer } from "./http/metrics-server";
import { TypeormStorage } from "./storage/typeorm-storage";
import { deploymentChannel, RedisClusterBus } from "./storage/redis-cluster-bus";
import { idpCertificateWarnings, SamlServiceProvider } from "./auth/saml/saml-service-provider";
import { openOneTimeStore } from "./storage/redis-one-time-store";
import { OidcRelyingParty } from "./auth/oidc/oidc-relying-party";
import { SealedBox } from "./auth/oidc/sealed-box";

export const DEFAULT_SEEDS_DIR = join(__dirname, "..", "..", "seeds");

export interface AppOptions {
  config: Config;
  logger: RootLogger;
  seedsDir?: string;
  /** Where the generated bootstrap secret is written, once (stdout by default). */
  announce?: (line: string) => void;
  /** The clock grants, tokens and access requests are judged against (tests move it); the system clock by default. */
  now?: () => Date;
  /** Passport login strategies served at /auth/<name>, besides those PORTCULLIS_LOGIN_STRATEGIES names. */
  loginStrategies?: LoginStrategy[];
}

export interface App {
  storage: TypeormStorage;
  services: Services;
  http: HttpServer;
  bootstrap: BootstrapResult;
  /** How this instance keeps up with others on the same database. */
  cluster: ClusterSync;
  /** This app's metrics (its own registry). */
  metrics: Metrics;
  /** Listens on config.port (0 = any free port), and on config.metricsPort when set; resolves with the main port. */
  listen(): Promise<number>;
  /** The port /metrics is served on apart from the main one, once listening; null when it is served on the main port. */
  metricsPort(): number | null;
  close(): Promise<void>;
}

export async function createApp(options: AppOptions): Promise<App> {
  const { config, logger } = options;
  const metrics = createMetrics();
  // Seeds are validated before the database is touched: a broken seed stops start-up.
  const seeds = loadSeeds(options.seedsDir ?? DEFAULT_SEEDS_DIR);
  // So are the login strategies a deployment adds.
  const loginStrategies = [
    ...loadLoginStrategies(config.loginStrategyModules),
    ...(options.loginStrategies ?? []).map((l) => checkLoginStrategy(l, "createApp loginStrategies")),
  ];
  const storage = await TypeormStorage.open(config.database, { migrate: true });
  const closeOnFailure: Array<() => Promise<void>> = [];
  try {
    const result = await bootstrap(storage, seeds, {
      adminEmail: config.adminEmail,
      bootstrapToken: config.bootstrapToken,
    });
    if (result.created) {
      logger.info("bootstrapped an empty database", { adminId: result.adminId, tokenId: result.tokenId });
      if (result.generatedSecret) {
        (options.announce ?? ((line) => process.stdout.write(line + "\n")))(
          `Bootstrap break-glass token for ${config.adminEmail} (shown once, store it now): ${result.generatedSecret}`,
        );
      }
    } else if (result.bootstrapTokenIgnored) {
      logger.info("PORTCULLIS_BOOTSTRAP_TOKEN ignored: the database is already initialised");
    }
    if (config.encryptionKey === null) logger.info("PORTCULLIS_ENCRYPTION_KEY is not set: TOTP enrolment is refused");
    const runtime = await PolicyRuntime.load(storage, options.now, metrics);
    const audit = new GroupCommitAuditLog(storage.audit, undefined, { metrics, traceId: currentTraceId, span: inSpan });
    // One writer per instance: policy-state writes take turns through it.
    const writer = new PolicyWriter(storage, runtime, audit);
    const oneTime = openOneTimeStore(config.redisUrl, storage.oneTimeValues, logger);
    closeOnFailure.push(() => oneTime.close());
    // Counted in Redis when instances share it, so a limit holds for the deployment, not per instance.
    const limiterRedis =
      config.redisUrl === null
        ? null
        : new Redis(config.redisUrl, { maxRetriesPerRequest: 3, enableOfflineQueue: true });
    limiterRedis?.on("error", (err: Error) => logger.debug("redis (rate limits)", { error: err.message }));
    const closeLimiterRedis = async () => {
      await limiterRedis?.quit().catch(() => limiterRedis.disconnect());
    };
    closeOnFailure.push(closeLimiterRedis);
    // Counting starts in Redis when it answers at start-up; until it does, each instance counts in memory.
    await limiterRedis?.ping().catch(() => undefined);
    const rateLimiter = new AuthRateLimiter(
      config.rateLimits,
      limiterRedis,
      deploymentChannel(config.database).replace(/:cluster$/, ":rl"),
    );
    // Every instance's committed events, in order: what subscribers are fed from.
    const stream = await AuditStream.start(storage.audit, {
      onError: (err) => logger.warn("could not read audit events to catch up", { error: String(err) }),
    });
    const users = new UserService(writer);
    const ssoGrants = new SsoGrantSyncService(writer);
    // Credential reads are cached briefly; a write here or elsewhere (revocation, lock, logout) empties the cache.
    const credentials = new CredentialCache(storage);
    writer.onCommitted(() => credentials.clear());
    const bus = config.redisUrl
      ? new RedisClusterBus({
          url: config.redisUrl,
          channel: deploymentChannel(config.database),
          onError: (err) => logger.debug("redis", { error: err.message }),
        })
      : null;
    const cluster = new ClusterSync({
      bus,
      stream,
      audit,
      writer,
      runtime,
      onStateChanged: () => credentials.clear(),
      log: logger,
      metrics,
    });
    closeOnFailure.push(async () => {
      cluster.stop();
      stream.stop();
      await bus?.close();
    });
    // Session changes are not policy-state writes: this instance forgets its cached credentials, the others are told.
    const sessionsChanged = () => {
      credentials.clear();
      cluster.announceCredentials();
    };
    const sessions = new SessionService({ storage, runtime, audit, onChanged: sessionsChanged });
    const accessRequests = new AccessReviewService({
      storage,
      writer,
      runtime,
      audit,
      pendingTtlSeconds: config.accessRequestTtlSeconds,
      ...(options.now ? { now: options.now } : {}),
    });
    // Every instance sweeps; the expiry write makes that safe (each request expires once).
    const sweeper = new AccessRequestSweeper(accessRequests, (err) =>
      logger.warn("could not expire access requests", { error: String(err) }),
    );
    closeOnFailure.push(() => sweeper.stop());
    const services = {
      storage,
      runtime,
      audit,
      writer,
      oneTimeStore: oneTime.store,
      users,
      ssoGrants,
      metrics,
      decisions: new DecisionService(storage, runtime, audit, metrics),
      policies: new PolicyService(writer),
      roles: new RoleService(writer, options.now),
      resourceTypes: new ResourceTypeService(writer),
      grants: new GrantService(storage, writer, options.now),
      accessRequests,
      tokens: new TokenService(storage, writer),
      auditTrail: new AuditTrailService(storage.audit),
      auditFeed: new AuditFeed({ runtime, audit, store: storage.audit, events: stream, metrics }),
      ssoLogin: new SsoLoginService({ storage, writer, runtime, audit, scimProvider: config.scimProvider }),
      ssoMappings: new SsoMappingService(storage, writer),
      bundles: new BundleService({ storage, writer, runtime, audit }),
      replay: new AuditReplay(storage.audit),
      directory: new DirectoryService(writer, users, config.scimProvider),
      sessions,
      totp: new TotpService({
        storage,
        runtime,
        audit,
        sessions,
        box: config.encryptionKey ? new SecretBox(config.encryptionKey) : null,
        stepUpTtlSeconds: config.mfaStepUpTtlSeconds,
        onChanged: sessionsChanged,
      }),
    };
    cluster.start();
    sweeper.start();
    metrics.watch({
      auditQueueDepth: () => audit.pending(),
      clusterMode: () => cluster.currentMode(),
      engineSize: () => runtime.engine().size(),
    });
    // Seals login state in cookies (OIDC, strategies a deployment adds) and device-flow handles.
    const sealer = new SealedBox(config.encryptionKey);
    const http = createHttpServer({
      schema: buildGuardedSchema(),
      services,
      authentication: new AuthenticationLayer(
        new BearerAuthenticator(
          credentials.lookups(),
          undefined,
          new UsageRecorder(storage.tokens, {
            onError: (error, tokenId) => logger.warn("could not record a token use", { tokenId, error: String(error) }),
          }),
          rateLimiter,
          // Sessions keep their login address: only the time of a use is written.
          new UsageRecorder(
            { recordUse: (id, at, _ip, unlessUsedAfter) => storage.sessions.recordUse(id, at, unlessUsedAfter) },
            {
              onError: (error, sessionId) =>
                logger.warn("could not record a session use", { sessionId, error: String(error) }),
            },
          ),
        ),
        sessionCookieOf,
      ),
      rateLimiter,
      trustedProxies: config.trustedProxies,
      production: config.nodeEnv === "production",
      cookies: { secure: config.nodeEnv !== "development" },
      logger,
      metrics,
      metricsRoute: config.metricsPort === null,
      credentialsChanged: (listener) => credentials.onCleared(listener),
      clusterMode: () => describeMode(cluster),
      saml: config.saml && { sp: new SamlServiceProvider(config.saml, oneTime.store) },
      oidc: oidcLogin(config, logger, sealer),
      loginStrategies,
      sealer,
      ldap: config.ldap && {
        provider: config.ldap.provider,
        strategy: new LdapStrategy({
          config: config.ldap,
          directory: new LdapDirectory(config.ldap),
          users: storage.users,
          limiter: rateLimiter,
        }),
      },
    });
    await http.start();
    if (config.saml) {
      const { spEntityId, idpEntityId, acsUrl, idpCerts } = config.saml;
      logger.info("SAML single sign-on enabled", {
        spEntityId,
        idpEntityId,
        acsUrl,
        idpCertificates: idpCerts.length,
        requestIds: config.redisUrl ? "redis" : "database",
      });
      for (const warning of idpCertificateWarnings(idpCerts)) logger.warn(warning);
    }
    if (config.ldap) {
      // Where logins go and how groups are read; never the search account's password.
      const { url, startTls, userSearchBase, groupSearchBase, provider } = config.ldap;
      logger.info("LDAP login enabled", {
        url,
        startTls,
        userSearchBase,
        groups: groupSearchBase === null ? config.ldap.groupsAttribute : `search under ${groupSearchBase}`,
        provider,
      });
    }
    for (const login of loginStrategies)
      logger.info("login strategy added", { name: login.name, path: `/auth/${login.name}` });
    let closed = false;
    const metricsServer = config.metricsPort === null ? null : createMetricsServer(metrics);
    return {
      storage,
      services,
      http,
      bootstrap: result,
      cluster,
      metrics,
      listen: async () => {
        if (metricsServer) await listenOn(metricsServer, config.metricsPort!, config.host);
        return listenOn(http.server, config.port, config.host);
      },
      metricsPort: () => (metricsServer?.listening ? (metricsServer.address() as AddressInfo).port : null),
      close: async () => {
        if (closed) return;
        closed = true;
        if (metricsServer?.listening) await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
        await http.stop();
        await sweeper.stop();
        await audit.drain();
        cluster.stop();
        stream.stop();
        await bus?.close();
        await oneTime.close();
        await closeLimiterRedis();
        await storage.close();
      },
    };
  } catch (err) {
    for (const close of closeOnFailure) await close().catch(() => undefined);
    await storage.close();
    throw err;
  }
}

function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function describeMode(cluster: ClusterSync): string {
  switch (cluster.currentMode()) {
    case "single":
      return "single instance (no REDIS_URL)";
    case "bus":
      return "redis";
    case "polling":
      return "polling the database: redis unreachable";
  }
}

/** The OIDC routes' parts, or null when OIDC is not configured. */
function oidcLogin(config: Config, logger: Logger, sealer: SealedBox): HttpOptions["oidc"] {
  const oidc = config.oidc;
  if (!oidc) return null;
  if (!config.encryptionKey) {
    logger.warn(
      "PORTCULLIS_ENCRYPTION_KEY is not set: OIDC logins seal their state with a random key of this process, so each must come back to the instance that started it",
    );
  }
  const relyingParty = new OidcRelyingParty(oidc, (detail) =>
    logger.warn("OIDC discovery failed; /auth/oidc answers 503 until the identity provider answers", {
      issuer: oidc.issuer.href,
      detail,
    }),
  );
  // Read the IdP's configuration now so that a mistake shows in the log at start; the server starts either way.
  relyingParty.discover().then(
    () => logger.info("OIDC identity provider discovered", { issuer: oidc.issuer.href }),
    () => {},
  );
  return { relyingParty, sealer, redirectUri: oidc.redirectUri };
}
