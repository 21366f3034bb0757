// HTTP benchmark (`npm run bench:http`): portcullis on SQLite and a bare Apollo
// server, each in its own process, loaded in turn from this one with autocannon
// on 127.0.0.1 (bounded: DURATION seconds, CONNECTIONS connections each).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { postGraphql } from "./graphql-post";

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

interface Started {
  child: ChildProcess;
  port: number;
  stdout: string;
}

function start(script: string, env: Record<string, string>, ready: RegExp): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const check = () => {
      const match = ready.exec(stdout + stderr);
      if (match) resolve({ child, port: Number(match[1]), stdout });
    };
    child.stdout.on("data", (c: Buffer) => ((stdout += c.toString()), check()));
    child.stderr.on("data", (c: Buffer) => ((stderr += c.toString()), check()));
    child.once("exit", (code) => reject(new Error(`${script} exited (${code}): ${stderr}`)));
  });
}

/** A request to the server under test on 127.0.0.1. */
function post<T = unknown>(port: number, token: string | null, query: string) {
  return postGraphql<T>(`http://127.0.0.1:${port}`, token, query);
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
}

async function load(name: string, port: number, token: string | null, query: string): Promise<Row> {
  const check = await post(port, token, query);
  if (check.errors) throw new Error(`${name}: ${JSON.stringify(check.errors)}`);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/graphql`,
    method: "POST",
    headers,
    body: JSON.stringify({ query }),
    connections: CONNECTIONS,
    duration: DURATION,
  });
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
    requests: result.requests.total,
  };
}

export async function runHttpBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-bench-"));
  const children: ChildProcess[] = [];
  try {
    const bare = await start(join(__dirname, "bare-apollo-server.js"), {}, /listening (\d+)/);
    children.push(bare.child);
    const server = await start(
      join(__dirname, "..", "src", "main.js"),
      {
        DATABASE_URL: `sqlite:${join(dir, "bench.sqlite")}`,
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
        NODE_ENV: "production",
      },
      /"port":(\d+)/,
    );
    children.push(server.child);
    await new Promise((r) => setTimeout(r, 200));
    const admin = /(ptc_[0-9A-Za-z]{46})/.exec(server.stdout)![1];
    // A plain (not break-glass) token of a viewer: what a portal would hold.
    let token = admin;
    const created = await post<{ createUser: { id: string } }>(
      server.port,
      admin,
      `mutation { createUser(input: { email: "bench@example.com", roles: ["viewer"] }) { id } }`,
    );
    if (!created.errors && created.data) {
      const issued = await post<{ createToken: { secret: string } }>(
        server.port,
        admin,
        `mutation { createToken(input: { name: "bench", userId: "${created.data.createUser.id}" }) { secret } }`,
      );
      if (!issued.errors && issued.data) token = issued.data.createToken.secret;
    }
    if (token === admin) console.log("note: measuring with the break-glass token (every use of it is audited twice)");

    console.log(
      `HTTP benchmark: ${DURATION}s each, ${CONNECTIONS} connections, 127.0.0.1, SQLite, NODE_ENV=production`,
    );
    const rows: Row[] = [];
    rows.push(await load("bare Apollo { hello }", bare.port, null, "{ hello }"));
    rows.push(
      await load(
        "can (durable audit)",
        server.port,
        token,
        `{ can(action: "read", resource: { type: "job", namespace: "prod", name: "web" }) { allowed reason } }`,
      ),
    );
    rows.push(
      await load(
        "effectivePermissions",
        server.port,
        token,
        "{ effectivePermissions { effect resourceType capabilities } }",
      ),
    );

    console.log("");
    console.log("| endpoint | req/s | p50 ms | p99 ms | errors | requests |");
    console.log("|---|---:|---:|---:|---:|---:|");
    for (const r of rows)
      console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.requests} |`);
    const [floor, can] = rows as [Row, Row];
    const ratio = can.rps / floor.rps;
    console.log("");
    console.log(`can / floor req/s: ${(ratio * 100).toFixed(1)} % (target ≥ 70 %): ${ratio >= 0.7 ? "PASS" : "MISS"}`);
    console.log(
      `can p99 ${can.p99} ms vs floor p99 ${floor.p99} ms + 10 ms: ${can.p99 <= floor.p99 + 10 ? "PASS" : "MISS"}`,
    );
    const head = await post(server.port, admin, "{ me { id } }");
    if (head.errors) console.log("warning: server stopped answering after the load");
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runHttpBench().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
