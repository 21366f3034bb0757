// `audit tail`: the live audit subscription over graphql-ws. When the connection
// drops it reconnects with resumeAfter set to the last sequence printed, so no
// event is lost or printed twice; losing the credential or audit:read ends it.
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { CliError, EXIT } from "./cli-error";
import { errorFrom, type ServerError } from "./graphql-client";
import { OPERATIONS, type AuditEventView } from "./operations";

const CLOSE_FORBIDDEN = 4403;
const MAX_BACKOFF_MS = 30_000;

export interface TailOptions {
  server: string;
  authorization: string;
  filter: Record<string, unknown>;
  onEvent: (event: AuditEventView) => void;
  /** Connection and reconnection notices, for the person. */
  tell: (line: string) => void;
  /** Resolves when the tail should stop (Ctrl-C). */
  stop: Promise<void>;
}

type Outcome =
  | { kind: "stopped" }
  | { kind: "dropped"; code: number; reason: string; connected: boolean }
  | { kind: "failed"; error: CliError };

/** Runs until stopped or a fatal error (thrown as CliError). */
export async function tailAudit(options: TailOptions): Promise<void> {
  // Written by the event callback, read after each connection ends.
  const position: { resumeAfter: string | null } = { resumeAfter: null };
  let backoff = 1000;
  let everConnected = false;
  for (;;) {
    const outcome = await connectOnce(options, position.resumeAfter, (event) => {
      position.resumeAfter = String(event.sequence);
      options.onEvent(event);
    });
    if (outcome.kind === "stopped") return;
    if (outcome.kind === "failed") throw outcome.error;
    everConnected ||= outcome.connected;
    if (outcome.code === CLOSE_FORBIDDEN) {
      throw /audit:read/.test(outcome.reason)
        ? new CliError(`denied: audit:read (${outcome.reason})`, EXIT.DENIED)
        : new CliError(
            `not authenticated: the server closed the live connection (${outcome.reason || "credential not accepted"}) — run portcullis login, or check PORTCULLIS_TOKEN`,
            EXIT.AUTH,
          );
    }
    if (!everConnected)
      throw new CliError(
        `cannot reach ${options.server}: ${outcome.reason || `WebSocket closed (${outcome.code})`}`,
        EXIT.UNREACHABLE,
      );
    if (outcome.connected) backoff = 1000;
    options.tell(
      `connection lost (${outcome.code}${outcome.reason ? ` ${outcome.reason}` : ""}); reconnecting in ${backoff / 1000}s${position.resumeAfter ? ` from sequence ${position.resumeAfter}` : ""}`,
    );
    const stopped = await Promise.race([
      options.stop.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), backoff)),
    ]);
    if (stopped) return;
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

function connectOnce(
  options: TailOptions,
  resumeAfter: string | null,
  onEvent: (event: AuditEventView) => void,
): Promise<Outcome> {
  const connectedLine = resumeAfter
    ? `reconnected; resuming after sequence ${resumeAfter}`
    : `connected to ${options.server}; following audit events (Ctrl-C stops)`;
  return new Promise((resolve) => {
    let connected = false;
    let settled = false;
    // Filled in once created; a failure reported while it is being created is disposed of just after.
    const connection: { client?: Client } = {};
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      void connection.client?.dispose();
      resolve(outcome);
    };
    const client = createClient({
      url: options.server.replace(/^http/, "ws") + "/graphql",
      webSocketImpl: WebSocket,
      connectionParams: { authorization: options.authorization },
      retryAttempts: 0,
      lazy: false,
      keepAlive: 10_000,
      onNonLazyError: () => undefined,
      on: {
        connected: () => {
          connected = true;
          options.tell(connectedLine);
        },
        closed: (event) => {
          const { code, reason } = event as { code?: number; reason?: string };
          finish({ kind: "dropped", code: code ?? 1006, reason: String(reason ?? ""), connected });
        },
        error: (err) =>
          finish({
            kind: "dropped",
            code: 1006,
            reason: (err as { message?: string }).message ?? "connection error",
            connected,
          }),
      },
    });
    connection.client = client;
    if (settled) void client.dispose();
    client.subscribe<{ auditEvents: AuditEventView }>(
      { query: OPERATIONS.AuditTail, variables: { filter: options.filter, resumeAfter } },
      {
        next: (value) => {
          if (value.errors?.length) finish({ kind: "failed", error: errorFrom(value.errors[0], undefined) });
          else if (value.data) onEvent(value.data.auditEvents);
        },
        error: (err) => {
          if (Array.isArray(err) && err.length > 0)
            finish({ kind: "failed", error: errorFrom(err[0] as ServerError, undefined) });
          // Socket-level errors arrive through `closed` with their code.
        },
        complete: () => finish({ kind: "dropped", code: 1000, reason: "the server ended the subscription", connected }),
      },
    );
    void options.stop.then(() => finish({ kind: "stopped" }));
  });
}
