// A real graphql-ws client (with the `ws` WebSocket) against a test server.
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import type { TestServer } from "./server";

/** An auditEvents payload: the fields the tests select (which are present depends on the selection). */
export interface AuditEventPayload {
  auditEvents: {
    sequence: number;
    operation: string;
    actorId: string | null;
    decision: string;
    reason: string;
    requestId: string;
    resourceName: string | null;
    metadata: Record<string, unknown> | null;
  };
}

export interface TestSubscription<T = AuditEventPayload> {
  /** Every `next` payload's data, in arrival order. */
  events: T[];
  /** GraphQL errors sent for the operation. */
  errors: Array<{ message: string; extensions?: Record<string, unknown> }>;
  /** Resolves with the close code once the socket closes. */
  closed: Promise<number>;
  /** Resolves once `events` holds an entry matching `predicate` (rejects after `ms`). */
  waitFor(predicate: (event: T) => boolean, ms?: number): Promise<T>;
  dispose(): Promise<void>;
}

/** A `ws` WebSocket that sends these headers with its handshake (a browser's Cookie and Origin). */
function webSocketWith(headers: Record<string, string>): typeof WebSocket {
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  } as typeof WebSocket;
}

export function subscribe<T = AuditEventPayload>(
  server: Pick<TestServer, "url">,
  query: string,
  options: { token?: string; variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): TestSubscription<T> {
  let onClosed!: (code: number) => void;
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  const client: Client = createClient({
    url: server.url.replace(/^http/, "ws") + "/graphql",
    webSocketImpl: options.headers ? webSocketWith(options.headers) : WebSocket,
    connectionParams: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` },
    retryAttempts: 0,
    lazy: false,
    on: { closed: (event) => onClosed((event as { code: number }).code) },
    onNonLazyError: () => undefined,
  });
  const events: T[] = [];
  const errors: TestSubscription<T>["errors"] = [];
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  client.subscribe(
    { query, variables: options.variables ?? {} },
    {
      next: (value) => {
        if (value.errors) errors.push(...(value.errors as TestSubscription<T>["errors"]));
        if (value.data) events.push(value.data as T);
        notify();
      },
      error: (err) => {
        if (Array.isArray(err)) errors.push(...(err as TestSubscription<T>["errors"]));
        notify();
      },
      complete: notify,
    },
  );
  return {
    events,
    errors,
    closed,
    waitFor(predicate, ms = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(predicate);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${ms} ms (got ${events.length})`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    dispose: () => client.dispose() as Promise<void>,
  };
}
