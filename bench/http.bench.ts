// HTTP benchmark (`npm run bench:http`): a bare Apollo server (the floor) and
// portcullis on SQLite and on MariaDB, each in its own process, loaded in turn
// from this one with autocannon on 127.0.0.1 in the same run, and the ratios
// to the floor printed. BENCH_PROFILE=DIR also writes a CPU profile of each
// portcullis process into DIR and prints its event-loop delay per load.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pidOf } from "./process-cpu";
import { withScratchMysql } from "./scratch-mysql";
import { CONNECTIONS, DURATION, load, loadAverage, post, start, stop, type Row, type Started } from "./http-load";

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

async function measure(databaseUrl: string, label: string, database: number | null = null): Promise<Row[]> {
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
      rows.push(await load(name, server.port, token, query, { server: server.child.pid, database }));
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
  const of = (r: Row): string => {
    if (r === floor.hello || r === floor.list) return "1";
    const base = r.name.includes("effectivePermissions") ? floor.list : floor.hello;
    return `${(r.rps / base.rps).toFixed(2)} of ${base === floor.list ? "list" : "hello"}`;
  };
  // CPU per request: the server process's (every thread), and MariaDB's where it serves the load.
  // Less sensitive than req/s to what else runs on the machine; "CPU vs floor" is the floor's server
  // CPU per request over this load's (server and database together), the ratio a server limited by
  // CPU alone would reach.
  const us = (n: number | null) => (n === null ? "-" : n.toFixed(0));
  const cpuOf = (r: Row): string => {
    if (r === floor.hello || r === floor.list) return "1";
    const base = r.name.includes("effectivePermissions") ? floor.list : floor.hello;
    if (r.serverCpuUs === null || base.serverCpuUs === null) return "-";
    return (base.serverCpuUs / (r.serverCpuUs + (r.databaseCpuUs ?? 0))).toFixed(2);
  };
  console.log(
    "| load | req/s | p50 ms | p99 ms | errors | vs floor | server CPU µs/req | DB CPU µs/req | CPU vs floor | load avg |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows)
    console.log(
      `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${of(r)} | ${us(r.serverCpuUs)} | ` +
        `${us(r.databaseCpuUs)} | ${cpuOf(r)} | ${r.load.toFixed(2)} |`,
    );
}

function verdicts(label: string, rows: Row[], floor: Floor): void {
  const find = (what: string) => rows.find((r) => r.name.includes(what));
  const [can, many, effective] = [find(": can about"), find("canMany"), find("effectivePermissions")];
  const line = (ok: boolean, text: string) => console.log(`${ok ? "PASS" : "MISS"}  ${label}: ${text}`);
  const r = (a: Row, b: Row) => a.rps / b.rps;
  if (can) {
    line(r(can, floor.hello) >= 0.5, `can ${r(can, floor.hello).toFixed(2)} of the hello floor (target ≥ 0.5)`);
    line(can.p99 <= floor.hello.p99 + 10, `can p99 ${can.p99} ms ≤ floor p99 ${floor.hello.p99} ms + 10 ms`);
  }
  if (effective)
    line(
      r(effective, floor.list) >= 0.7,
      `effectivePermissions ${r(effective, floor.list).toFixed(2)} of the list floor (target ≥ 0.7)`,
    );
  if (many)
    line(
      r(many, floor.hello) >= 0.3,
      `canMany of 10 ${r(many, floor.hello).toFixed(2)} of the hello floor (target ≥ 0.3)`,
    );
  for (const row of rows) if (row.errors > 0) line(false, `${row.name}: ${row.errors} errors`);
}

export async function runHttpBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-bench-"));
  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
  console.log(
    `HTTP benchmark: ${DURATION}s each, ${CONNECTIONS} connections, 127.0.0.1, NODE_ENV=production, ` +
      `a deployer's own token; load average before: ${loadAverage()}`,
  );
  const bare = await start(join(__dirname, "bare-apollo-server.js"), {}, /listening (\d+)/);
  const charged = { server: bare.child.pid };
  let floor: Floor;
  try {
    floor = {
      hello: await load("bare Apollo { hello }", bare.port, null, "{ hello }", charged),
      list: await load("bare Apollo 10-object list", bare.port, null, "{ items { id name kind tags } }", charged),
    };
  } finally {
    await stop(bare.child);
  }
  const results: Array<[string, Row[]]> = [];
  try {
    if (DATABASES.includes("sqlite"))
      results.push(["SQLite", await measure(`sqlite:${join(dir, "bench.sqlite")}`, "SQLite")]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (DATABASES.includes("mariadb")) {
    const mysql = await withScratchMysql((db) => measure(db.url, "MariaDB", pidOf("mariadbd") ?? pidOf("mysqld")));
    if (typeof mysql === "string") console.log(mysql);
    else results.push(["MariaDB", mysql]);
  }

  console.log("");
  table([floor.hello, floor.list, ...results.flatMap(([, rows]) => rows)], floor);
  console.log("");
  for (const [label, rows] of results) verdicts(label, rows, floor);
  console.log(`load average after: ${loadAverage()} (2 cores; ratios within this run are what count)`);
}

if (require.main === module) {
  runHttpBench().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
