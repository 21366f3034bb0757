// graphql-ws on the HTTP server's own port, path /graphql (docs/concepts.md, docs/audit.md).
//
// - connection_init carries connectionParams { authorization: "Bearer <secret>" };
//   without it, the session cookie of the upgrade request counts, but only when
//   the request comes from the server's own origin (browsers send cookies on
//   cross-site WebSocket handshakes, and no CORS check stands in the way). A
//   missing or bad credential is audited like any failed authentication and
//   the socket is closed with 4403.
// - Every REAUTH_MS the connection's credential is authenticated again (cheap:
//   credential reads are cached for at most 1 s and emptied on local writes);
//   a revoked or expired credential, or a locked user, closes the socket with
//   4403. These re-checks are not audited: they are not attempts by the caller.
//   Connections that came with the same credential from the same address are
//   re-checked together, by one authentication (a hundred integrations on one
//   token cost one check per interval, not a hundred).
//   When credentials change anywhere (a local write, or another instance's,
//   announced over the cluster bus) every connection is re-checked at once.
// - Only subscriptions are served here; queries and mutations go over HTTP,
//   where the request limits apply.
// - Close codes of our own: 4403 when the credential or audit:read is lost,
//   4413 when a subscriber falls more than the feed's buffer behind (4429 is
//   graphql-ws's "too many initialisation requests").
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import {
  GraphQLError,
  getOperationAST,
  OperationTypeNode,
  parse,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type GraphQLSchema,
  type ValidationRule,
} from "graphql";
import { CloseCode } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer, type WebSocket } from "ws";
import type { AuthenticationLayer } from "../auth/passport/authentication-layer";
import type { FeedEnd } from "../domain/audit/audit-feed";
import type { Principal } from "../domain/principal";
import type { Services } from "../app-services";
import type { RequestContext } from "../graphql/context";
import { formatError, withoutSuggestions } from "../graphql/error-format";
import { createLoaders } from "../graphql/loaders";
import { auditAuthentication } from "./authentication-audit";
import { batchSends } from "./batched-sends";
import { fromOwnOrigin } from "./same-origin";
import { SharedEncoding } from "./shared-encoding";
import { SharedSubscribe } from "./shared-subscribe";
import type { ClientAddress } from "./client-address";
import type { Logger } from "./logger";
import { requestIdOf } from "../observability/access-log";

export const REAUTH_MS = 500;
export const CLOSE_FORBIDDEN = CloseCode.Forbidden;
export const CLOSE_TOO_SLOW = 4413;

export interface SubscriptionServerOptions {
  server: Server;
  schema: GraphQLSchema;
  services: Services;
  authentication: AuthenticationLayer;
  /** The caller's address, trusted proxies taken into account. */
  clientAddress: ClientAddress;
  logger: Logger;
  /** The same query limits as over HTTP (depth, aliases, cost…), added to graphql-js's own rules. */
  validationRules: readonly ValidationRule[];
  /** Largest number of tokens a document may have. */
  maxTokens: number;
  /** Production: validation messages without "Did you mean …?" (as over HTTP). */
  hideSuggestions?: boolean;
  /** Subscribes to "credentials may have changed" (revocations, locks); re-checks every connection. */
  credentialsChanged?: (listener: () => void) => () => void;
}

interface Connection {
  principal: Principal;
}

type Extra = { socket: WebSocket; request: IncomingMessage };

export function attachSubscriptionServer(options: SubscriptionServerOptions): { close(): Promise<void> } {
  const { services, authentication, logger } = options;
  // No per-message compression (ws's default for servers, stated here): every event would be deflated once per socket.
  const wss = new WebSocketServer({ server: options.server, path: "/graphql", perMessageDeflate: false });
  const connections = new WeakMap<WebSocket, Connection>();
  const rechecks = new Rechecks(REAUTH_MS, (err) =>
    logger.warn("could not re-authenticate a subscriber", { error: String(err) }),
  );
  const shared = new SharedSubscribe();
  const encoding = new SharedEncoding();
  wss.on("connection", (socket, request) => {
    encoding.wrap(socket);
    batchSends(socket, request.socket);
  });
  const stopListening = options.credentialsChanged?.(() => rechecks.runAll());

  const closeWith = (socket: WebSocket, why: FeedEnd | "credential") => {
    const [code, reason] =
      why === "overflow"
        ? [CLOSE_TOO_SLOW, "subscriber too slow: event buffer overflow"]
        : why === "forbidden"
          ? [CLOSE_FORBIDDEN, "audit:read no longer granted"]
          : [CLOSE_FORBIDDEN, "credential no longer valid"];
    if (socket.readyState === socket.OPEN) socket.close(code, reason);
  };

  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema: options.schema,
      subscribe: shared.subscribe,
      jsonMessageReplacer(key, value) {
        return encoding.replacer(this, key, value);
      },
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        // The same strategies as over HTTP, on the upgrade request: the bearer comes in the
        // connection parameters (browsers cannot set headers on a WebSocket), the cookie only from this origin.
        const credentials = {
          authorization:
            typeof ctx.connectionParams?.authorization === "string" ? ctx.connectionParams.authorization : undefined,
          cookie: fromOwnOrigin(request) ? request.headers.cookie : undefined,
        };
        const strategies = ["bearer", "session-cookie"] as const;
        const sourceIp = options.clientAddress(request);
        const auth = await authentication.authenticate(credentials, sourceIp, strategies);
        // The handshake's well-formed X-Request-Id, like an HTTP request's.
        await auditAuthentication(services, auth, sourceIp, requestIdOf(request));
        if (!auth.ok) return false;
        // Gone while it was being authenticated: no timer for a socket that will never close again.
        if (socket.readyState !== socket.OPEN) return false;
        const leave = rechecks.join(
          JSON.stringify([credentials.authorization ?? null, credentials.cookie ?? null, sourceIp]),
          () => authentication.authenticate(credentials, sourceIp, strategies).then((again) => again.ok),
          () => closeWith(socket, "credential"),
        );
        socket.once("close", leave);
        connections.set(socket, { principal: auth.principal });
        return true;
      },
      onSubscribe: (_ctx, _id, payload) =>
        subscriptionOnly(options, shared, payload.query, payload.variables, payload.operationName),
      context: (ctx): RequestContext => {
        const socket = ctx.extra.socket;
        return {
          requestId: randomUUID(),
          principal: connections.get(socket)?.principal ?? null,
          authFailure: null,
          services,
          loaders: createLoaders(services.storage, () => services.runtime.version()),
          subscriber: { close: (why) => closeWith(socket, why) },
        };
      },
      // The result itself when it has no errors: the object every subscriber of the operation shares, encoded once.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) } : result,
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
    },
    wss,
  );

  return {
    async close() {
      stopListening?.();
      rechecks.stop();
      await disposable.dispose();
    },
  };
}

/**
 * The connections' periodic re-authentication, one check per distinct
 * credential (and address) however many connections share it. A check still
 * under way when the next is due is not started twice; one more follows it.
 */
export class Rechecks {
  private readonly groups = new Map<string, RecheckGroup>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Adds a connection; `stillValid` re-authenticates its credential, `revoked` closes it. Returns its removal. */
  join(key: string, stillValid: () => Promise<boolean>, revoked: () => void): () => void {
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = { stillValid, members: new Set(), running: false, again: false }));
    const member = { revoked };
    group.members.add(member);
    if (!this.timer) {
      this.timer = setInterval(() => this.runAll(), this.intervalMs);
      this.timer.unref();
    }
    const joined = group;
    return () => {
      joined.members.delete(member);
      if (joined.members.size === 0 && this.groups.get(key) === joined) this.groups.delete(key);
      if (this.groups.size === 0) this.stop();
    };
  }

  /** Re-checks every credential now. */
  runAll(): void {
    for (const group of this.groups.values()) this.run(group);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private run(group: RecheckGroup): void {
    if (group.running) {
      group.again = true;
      return;
    }
    group.running = true;
    group.again = false;
    group
      .stillValid()
      .then(
        (valid) => {
          if (!valid) for (const member of [...group.members]) member.revoked();
        },
        (err: unknown) => this.onError(err),
      )
      .finally(() => {
        group.running = false;
        if (group.again && group.members.size > 0) this.run(group);
      });
  }
}

interface RecheckGroup {
  stillValid: () => Promise<boolean>;
  members: Set<{ revoked: () => void }>;
  running: boolean;
  again: boolean;
}

/** Parses and validates; anything but a subscription is refused here. */
function subscriptionOnly(
  options: Pick<SubscriptionServerOptions, "schema" | "validationRules" | "maxTokens" | "hideSuggestions">,
  shared: SharedSubscribe,
  query: string,
  variables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
): ExecutionArgs | readonly GraphQLError[] {
  const { schema } = options;
  let document;
  try {
    document = parse(query, { maxTokens: options.maxTokens });
  } catch (err) {
    return [
      new GraphQLError(err instanceof Error ? err.message : "could not parse the document", {
        extensions: { code: "GRAPHQL_PARSE_FAILED" },
      }),
    ];
  }
  const errors = validate(schema, document, [...specifiedRules, ...options.validationRules]);
  if (errors.length > 0) {
    return errors.map(
      (e) =>
        new GraphQLError(options.hideSuggestions ? withoutSuggestions(e.message) : e.message, {
          nodes: e.nodes,
          extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
        }),
    );
  }
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== OperationTypeNode.SUBSCRIPTION) {
    return [
      new GraphQLError("only subscriptions are served over WebSocket; send queries and mutations over HTTP", {
        extensions: { code: "BAD_REQUEST" },
      }),
    ];
  }
  shared.identify(document, query, variables, operationName);
  return { schema, document, variableValues: variables ?? undefined, operationName: operationName ?? undefined };
}
