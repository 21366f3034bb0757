// Live audit fan-out (`npm run bench:fanout`): two instances on one MariaDB
// database (BENCH_MYSQL_URL, default mysql://root@127.0.0.1:3306, a scratch
// database) and one Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379).
// SUBSCRIBERS subscribers to `auditEvents(filter: { decision: DENY })`, half on
// each instance, held by two worker threads; RATE denies per second caused on
// instance A for SECONDS seconds. Latency is the subscriber's receive time minus
// the event's own `time` (when the server decided), so it spans decision, durable
// write, Redis (for B's subscribers) and delivery. Same machine, same clock.
import { randomBytes } from "node:crypto";
import { Worker } from "node:worker_threads";
import { generateSecret, TOKEN_PREFIX } from "../src/domain/credentials/secret-format";
import { startInstance, type Instance } from "../test/support/instances";
import { postGraphql } from "./graphql-post";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_FANOUT_RATE ?? 1000);
const SUBSCRIBERS = Number(process.env.BENCH_FANOUT_SUBSCRIBERS ?? 100);
const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? "mysql://root@127.0.0.1:3306";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const MAX_IN_FLIGHT = 100;

interface WorkerResult {
  latencies: number[];
  received: number;
  closed: number;
}

/** Subscribers live in worker threads so that receiving does not compete with the load loop. */
const SUBSCRIBER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createClient } = require(workerData.graphqlWs);
const WebSocket = require(workerData.ws);
const latencies = [];
let received = 0;
let closed = 0;
let ready = 0;
const clients = [];
for (let i = 0; i < workerData.count; i++) {
  const client = createClient({
    url: workerData.url.replace(/^http/, "ws") + "/graphql",
    webSocketImpl: WebSocket,
    connectionParams: { authorization: "Bearer " + workerData.token },
    retryAttempts: 0,
    lazy: false,
    on: { closed: () => closed++ },
    onNonLazyError: () => undefined,
  });
  clients.push(client);
  let first = true;
  client.subscribe({ query: 'subscription { auditEvents(filter: { decision: DENY, actorEmail: "' + workerData.email + '" }) { time resourceName } }' }, {
    next: (value) => {
      const now = Date.now();
      if (first) { first = false; ready++; if (ready === workerData.count) parentPort.postMessage({ ready: true }); }
      if (value.data && value.data.auditEvents.resourceName === "api") { received++; latencies.push(now - Date.parse(value.data.auditEvents.time)); }
    },
    error: () => undefined,
    complete: () => undefined,
  });
}
parentPort.on("message", async (message) => {
  if (message !== "report") return;
  await Promise.all(clients.map((c) => c.dispose()));
  parentPort.postMessage({ latencies, received, closed });
});
`;

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const post = <T = unknown>(url: string, token: string, query: string, variables: Record<string, unknown> = {}) =>
  postGraphql<T>(url, token, query, variables);

function subscribers(
  url: string,
  token: string,
  email: string,
  count: number,
): { worker: Worker; ready: Promise<void> } {
  const worker = new Worker(SUBSCRIBER_SOURCE, {
    eval: true,
    workerData: { url, token, email, count, graphqlWs: require.resolve("graphql-ws"), ws: require.resolve("ws") },
  });
  const ready = new Promise<void>((resolve) => worker.once("message", () => resolve()));
  return { worker, ready };
}

function report(worker: Worker): Promise<WorkerResult> {
  return new Promise((resolve) => {
    worker.on("message", (m: WorkerResult | { ready: true }) => {
      if ("latencies" in m) resolve(m);
    });
    worker.postMessage("report");
  });
}

export async function runFanoutBench(): Promise<void> {
  const mysql = await import("mysql2/promise");
  const server = new URL(MYSQL_URL);
  server.pathname = "/";
  let adminConnection;
  try {
    adminConnection = await mysql.createConnection({ uri: server.toString() });
  } catch (err) {
    console.log(`fan-out benchmark skipped: MariaDB at ${server.host} does not answer (${(err as Error).message})`);
    return;
  }
  const name = `pc_bench_${randomBytes(4).toString("hex")}`;
  await adminConnection.query(`CREATE DATABASE \`${name}\``);
  const instances: Instance[] = [];
  const workers: Worker[] = [];
  try {
    const url = new URL(server.toString());
    url.pathname = `/${name}`;
    const admin = generateSecret(TOKEN_PREFIX);
    const env = {
      DATABASE_URL: url.toString(),
      REDIS_URL,
      PORTCULLIS_BOOTSTRAP_TOKEN: admin,
      NODE_ENV: "production",
      LOG_LEVEL: "info",
    };
    const [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
    instances.push(a, b);
    // The denied caller: a user with no roles asking about itself, one DENY event per call.
    const email = "denied@example.com";
    const user = await post<{ createUser: { id: string } }>(
      a.url,
      admin,
      `mutation { createUser(input: { email: "${email}" }) { id } }`,
    );
    const issued = await post<{ createToken: { secret: string } }>(
      a.url,
      admin,
      `mutation($u: ID!) { createToken(input: { name: "bench", userId: $u }) { secret } }`,
      { u: user.data?.createUser.id },
    );
    if (!issued.data) throw new Error(`cannot issue the denied caller's token: ${JSON.stringify(issued.errors)}`);
    const denied = issued.data.createToken.secret;

    const half = Math.floor(SUBSCRIBERS / 2);
    const groups = [subscribers(a.url, admin, email, half), subscribers(b.url, admin, email, SUBSCRIBERS - half)];
    workers.push(...groups.map((g) => g.worker));
    // Each subscriber counts as ready once it has seen one event: warm-up denies (about no name, not
    // counted) until all have.
    const warm = setInterval(
      () =>
        void post(a.url, denied, `{ can(action: "read", resource: { type: "job" }) { allowed } }`).catch(
          () => undefined,
        ),
      50,
    );
    await Promise.all(groups.map((g) => g.ready));
    clearInterval(warm);
    await new Promise((r) => setTimeout(r, 500));
    for (const g of groups) g.worker.removeAllListeners("message");

    console.log(
      `audit fan-out: ${SUBSCRIBERS} subscribers (${half} on A, ${SUBSCRIBERS - half} on B over Redis), ${RATE} denies/s on A for ${SECONDS} s`,
    );
    const question = `{ can(action: "read", resource: { type: "job", namespace: "prod", name: "api" }) { allowed } }`;
    let sent = 0;
    let failed = 0;
    const roundTrips: number[] = [];
    const inFlight = new Set<Promise<void>>();
    const start = Date.now();
    const tickMs = 10;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(RATE * SECONDS, Math.floor(((Date.now() - start) / 1000) * RATE));
        // A bounded number in flight: a server that cannot keep up shows as a lower rate, not a pile-up.
        while (sent < due && inFlight.size < MAX_IN_FLIGHT) {
          sent++;
          const began = Date.now();
          const call = post<{ can: { allowed: boolean } }>(a.url, denied, question).then(
            (r) => {
              roundTrips.push(Date.now() - began);
              if (r.data?.can?.allowed !== false) failed++;
            },
            () => void failed++,
          );
          const tracked = call.finally(() => inFlight.delete(tracked));
          inFlight.add(tracked);
        }
        if (sent >= RATE * SECONDS || Date.now() - start > SECONDS * 3000) {
          clearInterval(timer);
          resolve();
        }
      }, tickMs);
    });
    await Promise.all(inFlight);
    const elapsed = (Date.now() - start) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
    const [onA, onB] = await Promise.all(workers.map(report));
    const rows = [
      ["A (same instance)", onA],
      ["B (over Redis)", onB],
    ] as const;
    roundTrips.sort((x, y) => x - y);
    console.log(
      `sent ${sent} denies in ${elapsed.toFixed(1)} s (${Math.round(sent / elapsed)}/s), ${failed} failed; the deny's own HTTP round trip (decision + durable audit write): p50 ${percentile(roundTrips, 50)} ms, p99 ${percentile(roundTrips, 99)} ms`,
    );
    console.log("| subscribers on | deliveries | expected | p50 ms | p99 ms | max ms | closed early |");
    console.log("|---|---:|---:|---:|---:|---:|---:|");
    const all: number[] = [];
    for (const [label, result] of rows) {
      const sorted = [...result.latencies].sort((x, y) => x - y);
      for (const value of sorted) all.push(value);
      const expected = sent * (label.startsWith("A") ? half : SUBSCRIBERS - half);
      console.log(
        `| ${label} | ${result.received} | ${expected} | ${percentile(sorted, 50)} | ${percentile(sorted, 99)} | ${sorted[sorted.length - 1] ?? NaN} | ${result.closed} |`,
      );
    }
    all.sort((x, y) => x - y);
    console.log(
      `all subscribers: p50 ${percentile(all, 50)} ms, p99 ${percentile(all, 99)} ms (target p99 ≤ 50 ms): ${percentile(all, 99) <= 50 ? "PASS" : "MISS"}`,
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    await Promise.all(instances.map((i) => i.stop()));
    await adminConnection.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await adminConnection.end();
  }
}
