// Benchmark entry: `node dist/bench/run.js <name> [args...]`. Re-executes itself
// with --expose-gc when needed so heap figures are measured after a collection.
import { spawnSync } from "node:child_process";
import { runAuditBench } from "./audit.bench";
import { runEngineBench } from "./engine.bench";
import { runFanoutBench } from "./fanout.bench";
import { runHttpBench } from "./http.bench";
import { runPlanBench } from "./plan.bench";

const BENCHES: Record<string, (args: string[]) => void | Promise<void>> = {
  engine: runEngineBench,
  http: () => runHttpBench(),
  audit: () => runAuditBench(),
  fanout: () => runFanoutBench(),
  plan: runPlanBench,
};

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  if (name === undefined) {
    // `npm run bench`: every benchmark, one after the other.
    for (const each of Object.keys(BENCHES)) {
      const child = spawnSync(process.execPath, [__filename, each], { stdio: "inherit" });
      if (child.status !== 0) process.exitCode = child.status ?? 1;
    }
    return;
  }
  const bench = BENCHES[name];
  if (bench === undefined) {
    console.error(`usage: node dist/bench/run.js <${Object.keys(BENCHES).join("|")}> [args...]`);
    process.exitCode = 2;
    return;
  }
  if (typeof (globalThis as { gc?: unknown }).gc !== "function" && process.env.PORTCULLIS_BENCH_CHILD === undefined) {
    const child = spawnSync(process.execPath, [...process.execArgv, "--expose-gc", __filename, name, ...args], {
      stdio: "inherit",
      env: { ...process.env, PORTCULLIS_BENCH_CHILD: "1" },
    });
    process.exitCode = child.status ?? 1;
    return;
  }
  await bench(args);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
