// One urql client over the public API: queries and mutations as JSON POSTs to
// /graphql (the server's CSRF prevention accepts application/json), the
// auditEvents subscription over graphql-ws at the same origin.
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from "@urql/core";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { authHeaders } from "./credentials";

let ws: WsClient | null = null;

/** The WebSocket client, created on first use and re-created after a sign-in change. */
export function wsClient(): WsClient {
  if (ws) return ws;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  ws = createWsClient({
    url: `${scheme}://${location.host}/graphql`,
    lazy: true,
    retryAttempts: Infinity,
    // Back off up to 5 s; the live feed resumes from its last sequence on each reconnect.
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** retries))),
    shouldRetry: () => true,
    connectionParams: () => authHeaders(),
  });
  return ws;
}

export function makeClient(): Client {
  void ws?.dispose();
  ws = null;
  return new Client({
    url: "/graphql",
    preferGetMethod: false,
    requestPolicy: "cache-and-network",
    fetchOptions: () => ({ headers: { ...authHeaders() }, credentials: "same-origin" }),
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: wsClient().subscribe({ ...request, query: request.query ?? "" }, sink),
          }),
        }),
      }),
    ],
  });
}
