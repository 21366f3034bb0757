// Live audit fan-out (`npm run bench:fanout`): two instances on one MariaDB
// database (BENCH_MYSQL_URL, default mysql://root@127.0.0.1:3306, a scratch
// database) and one Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379).
// SUBSCRIBERS subscribers to `auditEvents(filter: { decision: DENY })`, half on
// each instance, held by two child processes (bench/fanout-subscribers.ts);
// denies are caused on instance A at a series of rates, SECONDS seconds each:
// 300/s (judged below saturation, target p99 <= 50 ms), then up a ladder until
// delivery p99 passes 100 ms or the box no longer sustains the rate offered (if
// 300/s already misses, down instead, halving to 10/s, until a rate is
// sustained), then 1,000/s (the saturation figure). Latency is the subscriber's
// receive time minus the event's own `time` (when the server decided), so it
// spans decision, durable write, Redis (for B's subscribers) and delivery.
// Same machine, same clock. The load generator and the subscribers share the
// cores with both instances, MariaDB and Redis: the CPU of every one of these
// processes is printed with each rate, and the load average with the run.
// BENCH_PROFILE=DIR writes a CPU profile of both instances into DIR and prints
// their event-loop delay per rate.
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fork, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { generateSecret, TOKEN_PREFIX } from "../src/domain/credentials/secret-format";
import { startInstance, type Instance } from "../test/support/instances";
import type { SubscriberOptions, Taken } from "./fanout-subscribers";
import { pidOf, watchCpu, type CpuWatch } from "./process-cpu";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** A first load at the ladder's first rate, not counted: JIT, pools and caches warm, as before any measured load. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 3);
/** The saturation figure's rate. */
const RATE = Number(process.env.BENCH_FANOUT_RATE ?? 1000);
/** Rates tried in turn from the lowest, up to the first that misses. */
const LADDER = (process.env.BENCH_FANOUT_LADDER ?? "300,400,500,650,800").split(",").map(Number);
/** The lowest rate tried when the ladder's first rate misses. */
const LOWEST_RATE = 10;
const SUBSCRIBERS = Number(process.env.BENCH_FANOUT_SUBSCRIBERS ?? 100);
const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? "mysql://root@127.0.0.1:3306";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const MAX_IN_FLIGHT = 100;
/** A rate counts as sustained with delivery p99 within this, every event delivered and at least 95% of it sent. */
const SUSTAINED_P99_MS = 100;
const TARGET_P99_MS = 50;
const PROFILE_DIR = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : null;

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One keep-alive pool for the load: a connection per request in flight, reused. */
const agent = new Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });

function post(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: Record<string, unknown>; errors?: unknown }> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/graphql`,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          try {
            resolve(
              JSON.parse(Buffer.concat(chunks).toString()) as { data?: Record<string, unknown>; errors?: unknown },
            );
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function subscribers(options: SubscriberOptions): { child: ChildProcess; ready: Promise<void> } {
  const child = fork(join(__dirname, "fanout-subscribers.js"), [JSON.stringify(options)], {
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    // Not the benchmark's own --expose-gc or --cpu-prof.
    execArgv: [],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`subscriber process exited (${code}) before it was ready`)));
  });
  return { child, ready };
}

function ask<T>(child: ChildProcess, message: unknown, answered: (m: unknown) => m is T): Promise<T> {
  return new Promise((resolve) => {
    const listener = (m: unknown) => {
      if (!answered(m)) return;
      child.off("message", listener);
      resolve(m);
    };
    child.on("message", listener);
    child.send(message as object);
  });
}

const isResult = (m: unknown): m is Taken => typeof m === "object" && m !== null && "latencies" in m;

interface Phase {
  rate: number;
  sent: number;
  sentPerSecond: number;
  failed: number;
  /** What the first deny not answered `allowed: false` got instead (an error, or another answer). */
  firstFailure: string | null;
  roundTripP50: number;
  roundTripP99: number;
  a: Taken;
  b: Taken;
  expectedA: number;
  expectedB: number;
  p50: number;
  p99: number;
  max: number;
  cpu: ReturnType<CpuWatch["cores"]>;
  /** Seconds the denies were offered for (CPU cores × this = CPU seconds). */
  elapsed: number;
  /** Event-loop delay of A and B over the rate (with BENCH_PROFILE), as the probe printed it. */
  loopDelay: [string, string] | null;
  load: number;
}

interface Setup {
  a: Instance;
  b: Instance;
  denied: string;
  subscribers: [ChildProcess, ChildProcess];
  half: number;
  cpuOf: Array<{ name: string; pid: number | null }>;
}

/** The probe's latest line (bench/event-loop-probe.ts) in an instance's output. */
async function loopDelayOf(instances: Instance[]): Promise<[string, string]> {
  instances.forEach((i) => process.kill(i.pid, "SIGUSR2"));
  await new Promise((r) => setTimeout(r, 200));
  const [a, b] = instances.map((i) => {
    const lines = i.log().match(/event-loop delay ms: [^\n]*/g) ?? [];
    return (lines[lines.length - 1] ?? "?").replace("event-loop delay ms: ", "");
  });
  return [a, b];
}

/** Denies on A at `rate` for `seconds`; waits for the deliveries (at most 3 s more); every figure of that rate. */
async function runPhase(setup: Setup, rate: number, name: string, seconds = SECONDS): Promise<Phase> {
  const { a, denied, subscribers: children, half } = setup;
  children.forEach((c) => c.send({ phase: name }));
  // Starts the probe's figures afresh.
  if (PROFILE_DIR) [setup.a, setup.b].forEach((i) => process.kill(i.pid, "SIGUSR2"));
  const question = `{ can(action: "read", resource: { type: "job", namespace: "prod", name: "${name}" }) { allowed } }`;
  const cpu = watchCpu(setup.cpuOf);
  let sent = 0;
  let failed = 0;
  let firstFailure: string | null = null;
  const fail = (what: string) => {
    failed++;
    firstFailure ??= what;
  };
  const roundTrips: number[] = [];
  const inFlight = new Set<Promise<void>>();
  const start = Date.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(rate * seconds, Math.floor(((Date.now() - start) / 1000) * rate));
      // A bounded number in flight: a server that cannot keep up shows as a lower rate, not a pile-up.
      while (sent < due && inFlight.size < MAX_IN_FLIGHT) {
        sent++;
        const began = Date.now();
        const call = post(a.url, denied, question).then(
          (r) => {
            roundTrips.push(Date.now() - began);
            if ((r.data?.can as { allowed?: boolean } | undefined)?.allowed !== false)
              fail(JSON.stringify(r.errors ?? r.data).slice(0, 300));
          },
          (err: unknown) => fail(String(err)),
        );
        const tracked = call.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
      }
      if (sent >= rate * seconds || Date.now() - start > seconds * 3000) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  await Promise.all(inFlight);
  const elapsed = (Date.now() - start) / 1000;
  const cores = cpu.cores();
  const load = loadavg()[0];
  const loopDelay = PROFILE_DIR ? await loopDelayOf([setup.a, setup.b]) : null;
  const expectedA = sent * half;
  const expectedB = sent * (SUBSCRIBERS - half);
  // Deliveries may still be on their way: wait until all arrived, or 3 s.
  const deadline = Date.now() + 3000;
  const totals: Record<"a" | "b", Taken> = {
    a: { latencies: [], received: 0, closed: 0 },
    b: { latencies: [], received: 0, closed: 0 },
  };
  for (;;) {
    const taken = await Promise.all(children.map((c) => ask(c, "take", isResult)));
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
    firstFailure,
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
    elapsed,
    loopDelay,
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
  const percentiles = (r: Taken) => {
    const sorted = [...r.latencies].sort((x, y) => x - y);
    return `${percentile(sorted, 50)} / ${percentile(sorted, 99)}`;
  };
  console.log(
    `| ${phase.rate} | ${Math.round(phase.sentPerSecond)} | ${phase.roundTripP50} / ${phase.roundTripP99} | ${percentiles(phase.a)} | ${percentiles(phase.b)} | ${phase.p50} / ${phase.p99} | ${phase.max} | ${phase.a.received + phase.b.received} / ${phase.expectedA + phase.expectedB} | ${phase.failed} | ${phase.a.closed + phase.b.closed} | ${phase.load.toFixed(2)} |`,
  );
  if (phase.firstFailure !== null) console.log(`|   first deny not answered as denied: ${phase.firstFailure} |`);
}

const CPU_HEADER =
  "| denies/s offered | sent/s | A | B | MariaDB | Redis | load generator | subscribers on A | subscribers on B | all | A ms per deny | B ms per deny | load 1 min |";

/** CPU cores of every process over the rate, and the instances' CPU milliseconds per deny sent. */
function printCpu(phase: Phase): void {
  const cores = phase.cpu.map((c) => c.cores);
  const known = cores.filter((c): c is number => c !== null);
  const perDeny = (c: number | null) =>
    c === null || phase.sent === 0 ? "?" : ((c * phase.elapsed * 1000) / phase.sent).toFixed(2);
  console.log(
    `| ${phase.rate} | ${Math.round(phase.sentPerSecond)} | ${cores.map((c) => (c === null ? "?" : c.toFixed(2))).join(" | ")} | ${known.reduce((x, y) => x + y, 0).toFixed(2)} | ${perDeny(cores[0])} | ${perDeny(cores[1])} | ${phase.load.toFixed(2)} |`,
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
  const children: ChildProcess[] = [];
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
    const profile = (label: string) =>
      PROFILE_DIR
        ? [
            "--cpu-prof",
            `--cpu-prof-dir=${PROFILE_DIR}`,
            `--cpu-prof-name=fanout-${label}.cpuprofile`,
            "-r",
            join(__dirname, "event-loop-probe.js"),
          ]
        : [];
    const [a, b] = await Promise.all([startInstance(env, profile("A")), startInstance(env, profile("B"))]);
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
    const groups = [
      subscribers({ url: a.url, token: admin, email, count: half }),
      subscribers({ url: b.url, token: admin, email, count: SUBSCRIBERS - half }),
    ];
    children.push(...groups.map((g) => g.child));
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
      subscribers: [groups[0].child, groups[1].child],
      half,
      // In the order of CPU_HEADER's columns.
      cpuOf: [
        { name: "A", pid: a.pid },
        { name: "B", pid: b.pid },
        { name: "MariaDB", pid: pidOf("mariadbd") ?? pidOf("mysqld") },
        { name: "Redis", pid: pidOf("redis-server") },
        { name: "load generator", pid: process.pid },
        { name: "subscribers on A", pid: groups[0].child.pid ?? null },
        { name: "subscribers on B", pid: groups[1].child.pid ?? null },
      ],
    });
  } finally {
    const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(
      running.map((c) => ask(c, "stop", (m): m is unknown => typeof m === "object" && m !== null && "stopped" in m)),
    );
    await Promise.all(
      running.map((c) => {
        const exited = new Promise((r) => c.once("exit", r));
        c.kill();
        return exited;
      }),
    );
    agent.destroy();
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
      "| denies/s offered | sent/s | deny round trip p50 / p99 ms | delivery on A p50 / p99 ms | on B (Redis) p50 / p99 ms | all p50 / p99 ms | max ms | delivered / expected | denies not answered as denied | closed early | load 1 min |",
    );
    console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    if (WARMUP_SECONDS > 0) {
      const warm = await runPhase(setup, LADDER[0], "warm-up", WARMUP_SECONDS);
      console.log(
        `|   warm-up, not counted: ${WARMUP_SECONDS} s at ${LADDER[0]}/s offered, ${Math.round(warm.sentPerSecond)}/s sent, delivery p99 ${warm.p99} ms |`,
      );
    }
    const phases: Phase[] = [];
    const run = async (rate: number, name: string) => {
      const phase = await runPhase(setup, rate, name);
      phases.push(phase);
      printPhase(phase);
      if (phase.loopDelay) console.log(`|   event-loop delay ms, A: ${phase.loopDelay[0]}; B: ${phase.loopDelay[1]} |`);
      return phase;
    };
    for (const [i, rate] of LADDER.entries()) if (!sustained(await run(rate, `ladder-${i}`))) break;
    // Even the lowest rate missed (a busy machine): halve it until one is sustained, to say what the box sustains.
    for (let rate = Math.floor(LADDER[0] / 2), i = 0; rate >= LOWEST_RATE && !phases.some(sustained); i++) {
      await run(rate, `below-${i}`);
      rate = Math.floor(rate / 2);
    }
    await run(RATE, "saturation");
    console.log("\nCPU cores of each process over each rate, and the instances' CPU time per deny sent:");
    console.log(CPU_HEADER);
    console.log(`|${"---:|".repeat(CPU_HEADER.split("|").length - 2)}`);
    phases.forEach(printCpu);
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
    for (const [name, instance] of [
      ["A", setup.a],
      ["B", setup.b],
    ] as const) {
      const errors = instance.log().match(/^.*"level":(50|60).*$/gm) ?? [];
      if (errors.length > 0) console.log(`instance ${name} logged ${errors.length} errors; the first: ${errors[0]}`);
    }
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(", ")}`,
    );
  });
}
