// HTTP benchmark (`npm run bench:http`): a bare Apollo server (the floor) and
// portcullis on SQLite and on MariaDB, each in its own process, loaded from
// this one with autocannon on 127.0.0.1 in the same run, and the ratios to the
// floor printed. Each portcullis load is interleaved with the floor's (short
// slices in turns, http-load.ts): on a shared virtual machine the same load
// moved by a third within minutes, so each target is judged against the floor
// measured in the same minutes, slice for slice. BENCH_PROFILE=DIR also writes a CPU profile of each
// portcullis process into DIR and prints its event-loop delay per load.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pidOf } from "./process-cpu";
import { withScratchMysql } from "./scratch-mysql";
import {
  CONNECTIONS,
  DURATION,
  interleaved,
  load,
  loadAverage,
  post,
  SLICES,
  start,
  stop,
  type LoadSpec,
  type Row,
  type Started,
} from "./http-load";

/** BENCH_ONLY=can (or canMany, effectivePermissions): load only the portcullis queries whose name contains it. */
const ONLY = process.env.BENCH_ONLY ?? null;
const PROFILE_DIR = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : null;
/** BENCH_DATABASES=sqlite (or mariadb): measure portcullis on these databases only (comma-separated; default both). */
const DATABASES = (process.env.BENCH_DATABASES ?? "sqlite,mariadb").toLowerCase().split(",");

const CAN = `{ can(action: "submit", resource: { type: "job", namespace: "prod", name: "web" }) { allowed reason } }`;
const CAN_MANY = `{ canMany(checks: [${Array.from({ length: 10 }, (_, i) => {
  const [type, action] = [
    ["job", "submit"],
    ["job", "restart"],
    ["app", "deploy"],
    ["secret", "read"],
    ["job", "delete"],
  ][i % 5];
  return `{ action: "${action}", resource: { type: "${type}", namespace: "team${i}/prod", name: "svc-${i}" } }`;
}).join(", ")}]) { allowed reason } }`;
const EFFECTIVE = "{ effectivePermissions { effect resourceType capabilities } }";

interface Floor {
  hello: Row;
  list: Row;
}

type FloorQuery = keyof Floor;
const FLOOR_QUERIES: Record<FloorQuery, string> = { hello: "{ hello }", list: "{ items { id name kind tags } }" };
/** The bare Apollo server loaded with one of the floor's queries. */
type FloorSpec = (query: FloorQuery) => LoadSpec;
/** Each portcullis load's adjacent floor: the same floor query, loaded in turns with it. */
const adjacent = new Map<Row, Row>();
const floorQueryOf = (name: string): FloorQuery => (name.includes("effectivePermissions") ? "list" : "hello");

/** A portcullis process on `databaseUrl`, and the secret of a `deployer` user's own token. */
async function startPortcullis(databaseUrl: string, label: string): Promise<{ server: Started; token: string }> {
  const args = PROFILE_DIR
    ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=portcullis-${label}.cpuprofile`]
    : [];
  if (PROFILE_DIR) args.push("-r", join(__dirname, "event-loop-probe.js"));
  const server = await start(
    join(__dirname, "..", "src", "main.js"),
    { DATABASE_URL: databaseUrl, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", NODE_ENV: "production" },
    /"port":(\d+)/,
    args,
  );
  await new Promise((r) => setTimeout(r, 200));
  const admin = /(ptc_[0-9A-Za-z]{46})/.exec(server.output())?.[1];
  if (admin === undefined) throw new Error(`${label}: no bootstrap token in the server's output`);
  const created = await post(
    server.port,
    admin,
    `mutation { createUser(input: { email: "deployer@example.com", roles: ["deployer"] }) { id } }`,
  );
  if (created.errors) throw new Error(`createUser: ${JSON.stringify(created.errors)}`);
  const userId = (created.data!.createUser as { id: string }).id;
  const issued = await post(
    server.port,
    admin,
    `mutation { createToken(input: { name: "bench", userId: "${userId}" }) { secret } }`,
  );
  if (issued.errors) throw new Error(`createToken: ${JSON.stringify(issued.errors)}`);
  return { server, token: (issued.data!.createToken as { secret: string }).secret };
}

async function measure(
  databaseUrl: string,
  label: string,
  floorSpec: FloorSpec,
  database: number | null = null,
): Promise<Row[]> {
  const { server, token } = await startPortcullis(databaseUrl, label);
  try {
    const rows: Row[] = [];
    for (const [name, query] of [
      [`${label}: can about oneself (audited)`, CAN],
      [`${label}: canMany of 10 (10 audited)`, CAN_MANY],
      [`${label}: effectivePermissions`, EFFECTIVE],
    ] as const) {
      if (ONLY !== null && !name.includes(ONLY)) continue;
      if (PROFILE_DIR) server.child.kill("SIGUSR2");
      const [floor, row] = await interleaved(floorSpec(floorQueryOf(name)), {
        name,
        port: server.port,
        token,
        query,
        charged: { server: server.child.pid, database },
      });
      adjacent.set(row, floor);
      rows.push(row);
      if (PROFILE_DIR) {
        server.child.kill("SIGUSR2");
        await new Promise((r) => setTimeout(r, 100));
        const delays = server.output().match(/event-loop delay ms: [^\n]*/g) ?? [];
        console.log(`  ${name}: ${delays[delays.length - 1]}`);
      }
    }
    const after = await post(server.port, token, CAN);
    if (after.errors) console.log(`warning: ${label} stopped answering after the load`);
    return rows;
  } finally {
    await stop(server.child);
  }
}

function table(rows: Row[], floor: Floor): void {
  const isFloor = (r: Row) => r === floor.hello || r === floor.list;
  const startFloor = (r: Row) => floor[floorQueryOf(r.name)];
  const of = (r: Row): string =>
    isFloor(r) ? "1" : `${(r.rps / startFloor(r).rps).toFixed(2)} of ${floorQueryOf(r.name)}`;
  const ofAdjacent = (r: Row): string => {
    const base = adjacent.get(r);
    return base === undefined ? "-" : `${(r.rps / base.rps).toFixed(2)} of ${base.rps.toFixed(0)} (p99 ${base.p99})`;
  };
  // CPU per request: the server process's (every thread), and MariaDB's where it serves the load.
  // Less sensitive than req/s to what else runs on the machine; "CPU vs floor" is the floor's server
  // CPU per request over this load's (server and database together), the ratio a server limited by
  // CPU alone would reach.
  const us = (n: number | null) => (n === null ? "-" : n.toFixed(0));
  const cpuOf = (r: Row): string => {
    if (isFloor(r)) return "1";
    const base = adjacent.get(r) ?? startFloor(r);
    if (r.serverCpuUs === null || base.serverCpuUs === null) return "-";
    return (base.serverCpuUs / (r.serverCpuUs + (r.databaseCpuUs ?? 0))).toFixed(2);
  };
  console.log(
    "| load | req/s | p50 ms | p99 ms | errors | vs floor at start | vs adjacent floor (its req/s, p99 ms) | server CPU µs/req | DB CPU µs/req | CPU vs adjacent floor | load avg |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows)
    console.log(
      `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${of(r)} | ${ofAdjacent(r)} | ` +
        `${us(r.serverCpuUs)} | ${us(r.databaseCpuUs)} | ${cpuOf(r)} | ${r.load.toFixed(2)} |`,
    );
}

/** PASS or MISS per target, each against the load's adjacent floor. */
function verdicts(label: string, rows: Row[]): void {
  const find = (what: string) => rows.find((r) => r.name.includes(what));
  const [can, many, effective] = [find(": can about"), find("canMany"), find("effectivePermissions")];
  const line = (ok: boolean, text: string) => console.log(`${ok ? "PASS" : "MISS"}  ${label}: ${text}`);
  const ratio = (a: Row) => a.rps / adjacent.get(a)!.rps;
  if (can) {
    const floor = adjacent.get(can)!;
    line(ratio(can) >= 0.5, `can ${ratio(can).toFixed(2)} of the hello floor (target ≥ 0.5)`);
    line(can.p99 <= floor.p99 + 10, `can p99 ${can.p99} ms ≤ floor p99 ${floor.p99} ms + 10 ms`);
  }
  if (effective)
    line(
      ratio(effective) >= 0.7,
      `effectivePermissions ${ratio(effective).toFixed(2)} of the list floor (target ≥ 0.7)`,
    );
  if (many) line(ratio(many) >= 0.3, `canMany of 10 ${ratio(many).toFixed(2)} of the hello floor (target ≥ 0.3)`);
  for (const row of rows) if (row.errors > 0) line(false, `${row.name}: ${row.errors} errors`);
}

export async function runHttpBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-bench-"));
  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
  console.log(
    `HTTP benchmark: ${DURATION}s each (portcullis loads in ${SLICES} slices, in turns with the floor's), ` +
      `${CONNECTIONS} connections, 127.0.0.1, NODE_ENV=production, ` +
      `a deployer's own token; load average before: ${loadAverage()}`,
  );
  const bare = await start(join(__dirname, "bare-apollo-server.js"), {}, /listening (\d+)/);
  const charged = { server: bare.child.pid };
  const floorSpec: FloorSpec = (query) => ({
    name: `bare Apollo ${query === "hello" ? "{ hello }" : "10-object list"}`,
    port: bare.port,
    token: null,
    query: FLOOR_QUERIES[query],
    charged,
  });
  const results: Array<[string, Row[]]> = [];
  let floor: Floor;
  try {
    floor = { hello: await load(floorSpec("hello")), list: await load(floorSpec("list")) };
    try {
      if (DATABASES.includes("sqlite"))
        results.push(["SQLite", await measure(`sqlite:${join(dir, "bench.sqlite")}`, "SQLite", floorSpec)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (DATABASES.includes("mariadb")) {
      const mysql = await withScratchMysql((db) =>
        measure(db.url, "MariaDB", floorSpec, pidOf("mariadbd") ?? pidOf("mysqld")),
      );
      if (typeof mysql === "string") console.log(mysql);
      else results.push(["MariaDB", mysql]);
    }
  } finally {
    await stop(bare.child);
  }

  console.log("");
  table([floor.hello, floor.list, ...results.flatMap(([, rows]) => rows)], floor);
  console.log("");
  for (const [label, rows] of results) verdicts(label, rows);
  console.log(
    `load average after: ${loadAverage()} (2 cores; ratios to the adjacent floor, loaded in turns with each target, are what count)`,
  );
}

if (require.main === module) {
  runHttpBench().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
