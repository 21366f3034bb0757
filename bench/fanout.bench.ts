// Live audit fan-out (`npm run bench:fanout`): two instances on one MariaDB
// database (BENCH_MYSQL_URL, default mysql://root@127.0.0.1:3306, a scratch
// database) and one Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379).
// SUBSCRIBERS subscribers to `auditEvents(filter: { decision: DENY })`, half on
// each instance, held by two worker threads; denies are caused on instance A at
// a series of rates, SECONDS seconds each: 300/s (judged below saturation,
// target p99 <= 50 ms), then up a ladder until delivery p99 passes 100 ms or
// the box no longer sustains the rate offered, then 1,000/s (the saturation
// figure). Latency is the subscriber's receive time minus the event's own
// `time` (when the server decided), so it spans decision, durable write, Redis
// (for B's subscribers) and delivery. Same machine, same clock. The load
// generator shares the cores with both instances, MariaDB and Redis: their CPU
// use is printed with each rate, and the load average with the run.
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { Worker } from "node:worker_threads";
import { generateSecret, TOKEN_PREFIX } from "../src/domain/credentials/secret-format";
import { startInstance, type Instance } from "../test/support/instances";
import { pidOf, watchCpu, type CpuWatch } from "./process-cpu";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** The saturation figure's rate. */
const RATE = Number(process.env.BENCH_FANOUT_RATE ?? 1000);
/** Rates tried in turn from the lowest, up to the first that misses. */
const LADDER = (process.env.BENCH_FANOUT_LADDER ?? "300,400,500,650,800").split(",").map(Number);
const SUBSCRIBERS = Number(process.env.BENCH_FANOUT_SUBSCRIBERS ?? 100);
const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? "mysql://root@127.0.0.1:3306";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const MAX_IN_FLIGHT = 100;
/** A rate counts as sustained with delivery p99 within this, every event delivered and at least 95% of it sent. */
const SUSTAINED_P99_MS = 100;
const TARGET_P99_MS = 50;

interface WorkerResult {
  latencies: number[];
  received: number;
  closed: number;
}

/**
 * Subscribers live in worker threads so that receiving does not compete with
 * the load loop. Each phase names its denies' resource `phase`; only those count.
 */
const SUBSCRIBER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createClient } = require(workerData.graphqlWs);
const WebSocket = require(workerData.ws);
let latencies = [];
let received = 0;
let closed = 0;
let ready = 0;
let phase = null;
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
      if (value.data && value.data.auditEvents.resourceName === phase) { received++; latencies.push(now - Date.parse(value.data.auditEvents.time)); }
    },
    error: () => undefined,
    complete: () => undefined,
  });
}
parentPort.on("message", async (message) => {
  if (message.phase !== undefined) { phase = message.phase; latencies = []; received = 0; return; }
  if (message === "take") { parentPort.postMessage({ latencies, received, closed }); latencies = []; received = 0; return; }
  if (message === "stop") { await Promise.all(clients.map((c) => c.dispose())); parentPort.postMessage({ stopped: true }); }
});
`;

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function post(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: Record<string, unknown> }> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, unknown> };
}

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

function ask<T>(worker: Worker, message: unknown, answered: (m: unknown) => m is T): Promise<T> {
  return new Promise((resolve) => {
    const listener = (m: unknown) => {
      if (!answered(m)) return;
      worker.off("message", listener);
      resolve(m);
    };
    worker.on("message", listener);
    worker.postMessage(message);
  });
}

const isResult = (m: unknown): m is WorkerResult => typeof m === "object" && m !== null && "latencies" in m;

interface Phase {
  rate: number;
  sent: number;
  sentPerSecond: number;
  failed: number;
  roundTripP50: number;
  roundTripP99: number;
  a: WorkerResult;
  b: WorkerResult;
  expectedA: number;
  expectedB: number;
  p50: number;
  p99: number;
  max: number;
  cpu: ReturnType<CpuWatch["cores"]>;
  load: number;
}

interface Setup {
  a: Instance;
  b: Instance;
  denied: string;
  workers: [Worker, Worker];
  half: number;
  cpuOf: Array<{ name: string; pid: number | null }>;
}

/** Denies on A at `rate` for SECONDS seconds; waits for the deliveries (at most 3 s more); every figure of that rate. */
async function runPhase(setup: Setup, rate: number, name: string): Promise<Phase> {
  const { a, denied, workers, half } = setup;
  workers.forEach((w) => w.postMessage({ phase: name }));
  const question = `{ can(action: "read", resource: { type: "job", namespace: "prod", name: "${name}" }) { allowed } }`;
  const cpu = watchCpu(setup.cpuOf);
  let sent = 0;
  let failed = 0;
  const roundTrips: number[] = [];
  const inFlight = new Set<Promise<void>>();
  const start = Date.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(rate * SECONDS, Math.floor(((Date.now() - start) / 1000) * rate));
      // A bounded number in flight: a server that cannot keep up shows as a lower rate, not a pile-up.
      while (sent < due && inFlight.size < MAX_IN_FLIGHT) {
        sent++;
        const began = Date.now();
        const call = post(a.url, denied, question).then(
          (r) => {
            roundTrips.push(Date.now() - began);
            if ((r.data?.can as { allowed?: boolean } | undefined)?.allowed !== false) failed++;
          },
          () => void failed++,
        );
        const tracked = call.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
      }
      if (sent >= rate * SECONDS || Date.now() - start > SECONDS * 3000) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  await Promise.all(inFlight);
  const elapsed = (Date.now() - start) / 1000;
  const cores = cpu.cores();
  const load = loadavg()[0];
  const expectedA = sent * half;
  const expectedB = sent * (SUBSCRIBERS - half);
  // Deliveries may still be on their way: wait until all arrived, or 3 s.
  const deadline = Date.now() + 3000;
  const totals: Record<"a" | "b", WorkerResult> = {
    a: { latencies: [], received: 0, closed: 0 },
    b: { latencies: [], received: 0, closed: 0 },
  };
  for (;;) {
    const taken = await Promise.all(workers.map((w) => ask(w, "take", isResult)));
    for (const latency of taken[0].latencies) totals.a.latencies.push(latency);
    totals.a.received += taken[0].received;
    totals.a.closed = taken[0].closed;
    for (const latency of taken[1].latencies) totals.b.latencies.push(latency);
    totals.b.received += taken[1].received;
    totals.b.closed = taken[1].closed;
    if ((totals.a.received >= expectedA && totals.b.received >= expectedB) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  roundTrips.sort((x, y) => x - y);
  const all = [...totals.a.latencies, ...totals.b.latencies].sort((x, y) => x - y);
  return {
    rate,
    sent,
    sentPerSecond: sent / elapsed,
    failed,
    roundTripP50: percentile(roundTrips, 50),
    roundTripP99: percentile(roundTrips, 99),
    a: totals.a,
    b: totals.b,
    expectedA,
    expectedB,
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    max: all[all.length - 1] ?? NaN,
    cpu: cores,
    load,
  };
}

function sustained(phase: Phase): boolean {
  return (
    phase.p99 <= SUSTAINED_P99_MS &&
    phase.failed === 0 &&
    phase.a.received === phase.expectedA &&
    phase.b.received === phase.expectedB &&
    phase.a.closed + phase.b.closed === 0 &&
    phase.sentPerSecond >= 0.95 * phase.rate
  );
}

function printPhase(phase: Phase): void {
  const percentiles = (r: WorkerResult) => {
    const sorted = [...r.latencies].sort((x, y) => x - y);
    return `${percentile(sorted, 50)} / ${percentile(sorted, 99)}`;
  };
  const cpu = phase.cpu.map((c) => (c.cores === null ? "?" : c.cores.toFixed(2))).join(" | ");
  console.log(
    `| ${phase.rate} | ${Math.round(phase.sentPerSecond)} | ${phase.roundTripP50} / ${phase.roundTripP99} | ${percentiles(phase.a)} | ${percentiles(phase.b)} | ${phase.p50} / ${phase.p99} | ${phase.max} | ${phase.a.received + phase.b.received} / ${phase.expectedA + phase.expectedB} | ${phase.a.closed + phase.b.closed} | ${cpu} | ${phase.load.toFixed(2)} |`,
  );
}

async function withSetup(work: (setup: Setup) => Promise<void>): Promise<void> {
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
    const user = await post(a.url, admin, `mutation { createUser(input: { email: "${email}" }) { id } }`);
    const issued = await post(
      a.url,
      admin,
      `mutation($u: ID!) { createToken(input: { name: "bench", userId: $u }) { secret } }`,
      { u: (user.data?.createUser as { id: string }).id },
    );
    const denied = (issued.data?.createToken as { secret: string }).secret;

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
    await work({
      a,
      b,
      denied,
      workers: [groups[0].worker, groups[1].worker],
      half,
      cpuOf: [
        { name: "A", pid: a.pid },
        { name: "B", pid: b.pid },
        { name: "MariaDB", pid: pidOf("mariadbd") ?? pidOf("mysqld") },
        { name: "Redis", pid: pidOf("redis-server") },
      ],
    });
  } finally {
    await Promise.all(
      workers.map((w) => ask(w, "stop", (m): m is unknown => typeof m === "object" && m !== null && "stopped" in m)),
    );
    await Promise.all(workers.map((w) => w.terminate()));
    await Promise.all(instances.map((i) => i.stop()));
    await adminConnection.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await adminConnection.end();
  }
}

export async function runFanoutBench(): Promise<void> {
  await withSetup(async (setup) => {
    console.log(
      `audit fan-out: ${SUBSCRIBERS} subscribers (${setup.half} on A, ${SUBSCRIBERS - setup.half} on B over Redis), denies on A, ${SECONDS} s per rate; load average before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(", ")} (${cpus().length} cores)`,
    );
    console.log(
      "| denies/s offered | sent/s | deny round trip p50 / p99 ms | delivery on A p50 / p99 ms | on B (Redis) p50 / p99 ms | all p50 / p99 ms | max ms | delivered / expected | closed early | CPU cores A | B | MariaDB | Redis | load 1 min |",
    );
    console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    const phases: Phase[] = [];
    for (const [i, rate] of LADDER.entries()) {
      const phase = await runPhase(setup, rate, `ladder-${i}`);
      phases.push(phase);
      printPhase(phase);
      if (!sustained(phase)) break;
    }
    const saturation = await runPhase(setup, RATE, "saturation");
    phases.push(saturation);
    printPhase(saturation);
    const low = phases[0];
    const best = phases.filter(sustained).reduce<Phase | null>((m, p) => (m && m.rate >= p.rate ? m : p), null);
    console.log(
      `at ${low.rate} denies/s: delivery p99 ${low.p99} ms (target <= ${TARGET_P99_MS} ms): ${low.p99 <= TARGET_P99_MS && sustained(low) ? "PASS" : "MISS"}`,
    );
    console.log(
      best
        ? `highest rate sustained with delivery p99 <= ${SUSTAINED_P99_MS} ms, every event delivered, nobody closed: ${best.rate} denies/s (${Math.round(best.sentPerSecond)}/s sent, p99 ${best.p99} ms)`
        : `no rate sustained with delivery p99 <= ${SUSTAINED_P99_MS} ms`,
    );
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(", ")}`,
    );
  });
}
