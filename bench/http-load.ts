// Helpers of the HTTP benchmark: start a server process, post a GraphQL
// document, load an endpoint with autocannon, and read the load average.
import { spawn, type ChildProcess } from "node:child_process";
import { loadavg } from "node:os";
import autocannon from "autocannon";
import { cpuSeconds } from "./process-cpu";

export const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
/** Seconds of the same load before each measured one, not counted: the JIT's warm-up would otherwise weigh on the first load of each server. */
export const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);

export interface Started {
  child: ChildProcess;
  port: number;
  output(): string;
}

/** Starts `node script` and resolves once its output matches `ready` (whose first group is the port). */
export function start(
  script: string,
  env: Record<string, string>,
  ready: RegExp,
  args: string[] = [],
): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args, script], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let started = false;
    // Once started, only the probe's lines are kept: access lines under load would fill memory.
    const take = (c: Buffer) => {
      const text = c.toString();
      if (started) {
        out += (text.match(/event-loop delay ms: [^\n]*\n/g) ?? []).join("");
        return;
      }
      out += text;
      const match = ready.exec(out);
      if (match) {
        started = true;
        resolve({ child, port: Number(match[1]), output: () => out });
      }
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.once("exit", (code) => reject(new Error(`${script} exited (${code}): ${out.slice(-2000)}`)));
  });
}

/** Stops a child and waits for it to exit (a profile is written on the way out). */
export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => (child.kill("SIGKILL"), resolve()), 10_000);
    child.once("exit", () => (clearTimeout(timer), resolve()));
    child.kill("SIGTERM");
  });
}

export interface GraphqlResponse {
  data?: Record<string, unknown>;
  errors?: unknown[];
}

export async function post(port: number, token: string | null, query: string): Promise<GraphqlResponse> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers,
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as GraphqlResponse;
}

export interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
  /** 1-minute load average when the load ended. */
  load: number;
  /** CPU time (user + system, every thread) the server process spent per request, in µs; null where /proc cannot tell. */
  serverCpuUs: number | null;
  /** The same for the database server (MariaDB), when there is one. */
  databaseCpuUs: number | null;
}

/** The processes whose CPU time a load is charged with: the server and, if any, its database server. */
export interface Charged {
  server: number | undefined;
  database?: number | null;
}

/** One side of an interleaved load: a server and the query it is loaded with. */
export interface LoadSpec {
  name: string;
  port: number;
  token: string | null;
  query: string;
  charged: Charged;
}

/** BENCH_SLICES: the slices each side of an interleaved load is measured in. */
export const SLICES = Number(process.env.BENCH_SLICES ?? 5);

/** DURATION seconds of CONNECTIONS connections posting the spec's query, after WARMUP seconds; the answer is checked first. */
export async function load(spec: LoadSpec): Promise<Row> {
  const [row] = await inTurns([spec], 1);
  return row;
}

/**
 * The floor and a target loaded in turns, SLICES slices of DURATION / SLICES
 * seconds each (floor, target, floor, target, ...), after WARMUP seconds of
 * each: on a machine whose speed drifts within minutes, both sides then see
 * the same machine. Each side's req/s is its requests over its own measured
 * seconds, its percentiles are over every response of its slices, and its CPU
 * per request is summed over its slices.
 */
export async function interleaved(floor: LoadSpec, target: LoadSpec): Promise<[Row, Row]> {
  const [floorRow, targetRow] = await inTurns([floor, target], SLICES);
  return [floorRow, targetRow];
}

/** Each side checked and warmed up, then loaded in turns, `slices` slices of DURATION / slices seconds each. */
async function inTurns(sides: LoadSpec[], slices: number): Promise<Row[]> {
  for (const side of sides) {
    const check = await post(side.port, side.token, side.query);
    if (check.errors) throw new Error(`${side.name}: ${JSON.stringify(check.errors)}`);
    if (WARMUP > 0) await autocannon({ ...cannonOptions(side), duration: WARMUP });
  }
  const tallies = sides.map(() => new Tally());
  for (let i = 0; i < slices; i++)
    for (const [n, side] of sides.entries()) await tallies[n].slice(side, DURATION / slices);
  return tallies.map((tally, n) => tally.row(sides[n].name));
}

function cannonOptions(spec: LoadSpec) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (spec.token) headers.authorization = `Bearer ${spec.token}`;
  return {
    url: `http://127.0.0.1:${spec.port}/graphql`,
    method: "POST" as const,
    headers,
    body: JSON.stringify({ query: spec.query }),
    connections: CONNECTIONS,
  };
}

/** What one side's slices add up to. */
class Tally {
  private requests = 0;
  private seconds = 0;
  private errors = 0;
  private readonly latencies: number[] = [];
  private cpu: [number | null, number | null] = [0, 0];

  async slice(spec: LoadSpec, seconds: number): Promise<void> {
    const cpu = (pid: number | null | undefined) => (pid == null ? null : cpuSeconds(pid));
    const before = [cpu(spec.charged.server), cpu(spec.charged.database)];
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const cannon = autocannon({ ...cannonOptions(spec), duration: seconds }, (err, done) =>
        err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(done),
      );
      cannon.on("response", (_client, _status, _bytes, time) => this.latencies.push(time));
    });
    this.seconds += result.duration;
    const after = [cpu(spec.charged.server), cpu(spec.charged.database)];
    this.cpu = [0, 1].map((i) => {
      const [sum, from, to] = [this.cpu[i], before[i], after[i]];
      return sum === null || from === null || to === null ? null : sum + to - from;
    }) as [number | null, number | null];
    this.requests += result.requests.total;
    this.errors += result.errors + result.non2xx + result.timeouts;
  }

  row(name: string): Row {
    const sorted = Float64Array.from(this.latencies).sort();
    const percentile = (p: number) => (sorted.length === 0 ? 0 : Math.round(sorted[Math.ceil(p * sorted.length) - 1]));
    const perRequest = (cpu: number | null) =>
      cpu === null || this.requests === 0 ? null : (cpu / this.requests) * 1e6;
    return {
      name,
      rps: this.requests / this.seconds,
      p50: percentile(0.5),
      p99: percentile(0.99),
      errors: this.errors,
      requests: this.requests,
      load: loadavg()[0],
      serverCpuUs: perRequest(this.cpu[0]),
      databaseCpuUs: perRequest(this.cpu[1]),
    };
  }
}

export function loadAverage(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
}
