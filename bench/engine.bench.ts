// Engine benchmark: portcullis Engine.check against a CASL baseline and a naive
// loop over the user's rules, on two seeded synthetic workloads (the one the
// engine was built against and one of another shape) at three sizes, after
// checking that all three decide alike.
// Run with `npm run bench:engine` (optionally `node dist/bench/run.js engine [seeded|unseen] [small|medium|large]...`).
import { loadavg } from "node:os";
import { Engine } from "../src/engine";
import type { DecisionContext } from "../src/engine/types";
import { CaslBaseline } from "./casl-baseline";
import { buildWorkload, LEFT_OUT, SHARED_FEATURES, SIZES, type Check, type Workload } from "./engine-workload";
import { canCollect, latency, measureBuild, throughput, warmUp } from "./measure";
import { NaiveBaseline } from "./naive-baseline";
import { buildUnseenWorkload, UNSEEN_FEATURES } from "./unseen-workload";

const CHECKS = 20_000;
const AGREEMENT_CHECKS = 10_000;
const THROUGHPUT_MS = 500;
const PASSES = 3;
const MAX_CALLS = 20_000_000;
const CONTEXT: DecisionContext = { mfa: false, sourceIp: null };

const WORKLOADS: Record<string, { features: string; build: typeof buildWorkload }> = {
  seeded: { features: SHARED_FEATURES, build: buildWorkload },
  unseen: { features: UNSEEN_FEATURES, build: buildUnseenWorkload },
};
const IMPLS = ["portcullis", "CASL", "naive loop"] as const;
type Impl = (typeof IMPLS)[number];

interface Timing {
  checksPerSec: number;
  p50Us: number;
  p99Us: number;
}

interface Row extends Timing {
  workload: string;
  size: string;
  impl: Impl;
  compileMs: number;
  /** A second build in the same process, once the JIT has compiled the code on the way. */
  againMs: number;
  heapMb: number;
}

/**
 * Throughput and latency of each implementation, in PASSES interleaved passes
 * (ours, theirs, ..., ours, ...) so background load hits all alike; the best pass counts.
 */
function measureAll(checks: Check[], impls: Array<(c: Check) => boolean>): Timing[] {
  const results = impls.map((): Timing => ({ checksPerSec: 0, p50Us: Infinity, p99Us: Infinity }));
  impls.forEach((decide) => warmUp(checks, decide, 2));
  for (let pass = 0; pass < PASSES; pass++) {
    impls.forEach((decide, i) => {
      const r = results[i];
      r.checksPerSec = Math.max(r.checksPerSec, throughput(checks, decide, THROUGHPUT_MS, MAX_CALLS));
      const { p50Us, p99Us } = latency(checks, decide);
      r.p50Us = Math.min(r.p50Us, p50Us);
      r.p99Us = Math.min(r.p99Us, p99Us);
    });
  }
  return results;
}

function benchOne(name: string, workload: Workload): { rows: Row[]; agreed: number; allowed: number } {
  const engine = measureBuild(() => Engine.compile(workload.state));
  const casl = measureBuild(() => CaslBaseline.build(workload));
  const naive = measureBuild(() => NaiveBaseline.build(workload));
  // The first build of a process also pays for the JIT's work on the build code itself;
  // the second one shows what a recompile of a running server costs.
  const again = [
    measureBuild(() => Engine.compile(workload.state)).ms,
    measureBuild(() => CaslBaseline.build(workload)).ms,
    measureBuild(() => NaiveBaseline.build(workload)).ms,
  ];
  const deciders = [
    (c: Check) => engine.value.check(c.principal, c.action, c.resource, CONTEXT).allowed,
    (c: Check) => casl.value.can(c.userId, c.action, c.resource),
    (c: Check) => naive.value.can(c.userId, c.action, c.resource),
  ];
  let agreed = 0;
  let allowed = 0;
  const disagreements: string[] = [];
  for (const check of workload.checks.slice(0, AGREEMENT_CHECKS)) {
    const answers = deciders.map((d) => d(check));
    if (answers[0]) allowed++;
    if (answers.every((a) => a === answers[0])) agreed++;
    else if (disagreements.length < 3)
      disagreements.push(`${check.userId} ${check.action} ${JSON.stringify(check.resource)}: ${answers.join(" / ")}`);
  }
  for (const line of disagreements) console.log(`  disagreement (${name} ${workload.size.name}): ${line}`);
  const timings = measureAll(workload.checks, deciders);
  const builds = [engine, casl, naive];
  const rows = IMPLS.map((impl, i): Row => ({
    workload: name,
    size: workload.size.name,
    impl,
    ...timings[i],
    compileMs: builds[i].ms,
    againMs: again[i],
    heapMb: builds[i].heapMb,
  }));
  return { rows, agreed, allowed };
}

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pad = (s: string, w: number): string => s.padStart(w);

function printTable(rows: Row[]): void {
  console.log(
    `${"workload".padEnd(8)} ${"size".padEnd(7)} ${"impl".padEnd(10)} ${pad("checks/s", 12)} ${pad("p50 µs", 8)} ${pad("p99 µs", 8)} ${pad("compile ms", 11)} ${pad("again ms", 9)} ${pad("heap MB", 8)} ${pad("ours/CASL", 10)} ${pad("ours/naive", 11)}`,
  );
  for (const r of rows) {
    const ours = rows.find((o) => o.workload === r.workload && o.size === r.size && o.impl === "portcullis")!;
    const other = (impl: Impl) =>
      rows.find((o) => o.workload === r.workload && o.size === r.size && o.impl === impl)!.checksPerSec;
    const ratio = (impl: Impl) => (r === ours ? `${(ours.checksPerSec / other(impl)).toFixed(1)}x` : "");
    console.log(
      `${r.workload.padEnd(8)} ${r.size.padEnd(7)} ${r.impl.padEnd(10)} ${pad(fmt(r.checksPerSec), 12)} ${pad(fmt(r.p50Us, 2), 8)} ${pad(fmt(r.p99Us, 2), 8)} ${pad(fmt(r.compileMs, 1), 11)} ${pad(fmt(r.againMs, 1), 9)} ${pad(r.heapMb < 0.05 ? "<0.1" : fmt(r.heapMb, 1), 8)} ${pad(ratio("CASL"), 10)} ${pad(ratio("naive loop"), 11)}`,
    );
  }
}

function printVerdicts(rows: Row[], agreement: Map<string, number>): void {
  const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
  for (const [key, agreed] of agreement) {
    const [workload, size] = key.split(" ") as [string, string];
    const get = (impl: Impl) => rows.find((r) => r.workload === workload && r.size === size && r.impl === impl)!;
    const ours = get("portcullis");
    const say = (ok: boolean, text: string) => console.log(`${verdict(ok)}  ${key}: ${text}`);
    say(agreed === AGREEMENT_CHECKS, `all three decide alike (${agreed}/${AGREEMENT_CHECKS})`);
    if (size === "small") continue;
    const casl = ours.checksPerSec / get("CASL").checksPerSec;
    const naive = ours.checksPerSec / get("naive loop").checksPerSec;
    say(casl >= 10, `checks/s at least 10x CASL (${casl.toFixed(1)}x)`);
    if (workload === "unseen") say(naive >= 4, `checks/s at least 4x the naive loop (${naive.toFixed(1)}x)`);
    say(ours.p99Us <= 10, `p99 at most 10 µs (${ours.p99Us.toFixed(2)} µs)`);
    if (size === "large") {
      say(ours.compileMs <= 500, `compiled in at most 500 ms (${ours.compileMs.toFixed(0)} ms)`);
      if (workload === "unseen") say(ours.heapMb <= 150, `at most 150 MB of heap (${ours.heapMb.toFixed(0)} MB)`);
    }
  }
}

export function runEngineBench(args: string[] = []): void {
  const workloadNames = args.filter((a) => a in WORKLOADS);
  const sizeNames = args.filter((a) => !(a in WORKLOADS));
  const workloads = workloadNames.length === 0 ? Object.keys(WORKLOADS) : workloadNames;
  const sizes = sizeNames.length === 0 ? SIZES : SIZES.filter((s) => sizeNames.includes(s.name));
  console.log("portcullis engine benchmark: Engine.check vs @casl/ability vs a naive loop over the user's rules");
  for (const name of workloads) console.log(`  ${name} workload: ${WORKLOADS[name].features}`);
  console.log(`  3 roles per user, half the checks aimed at a rule the user holds; left out: ${LEFT_OUT}`);
  const overhead = latency(
    Array.from({ length: 10_000 }, (_, i) => i),
    () => false,
  ).timerOverheadUs;
  console.log(
    `  timing: ${PASSES} interleaved passes of ${THROUGHPUT_MS} ms throughput + ${CHECKS} individually timed checks each, ` +
      `best pass reported; latencies include ~${overhead.toFixed(2)} µs of hrtime overhead`,
  );
  console.log(
    `  heap: ${canCollect() ? "retained by the compiled structure, measured after gc" : "NO --expose-gc: heap deltas include garbage"}`,
  );
  console.log(`  load average before: ${load()} (1, 5 and 15 minutes)`);
  console.log("");

  const rows: Row[] = [];
  const agreement = new Map<string, number>();
  for (const name of workloads) {
    for (const size of sizes) {
      const started = Date.now();
      const result = benchOne(name, WORKLOADS[name].build(size, CHECKS));
      rows.push(...result.rows);
      agreement.set(`${name} ${size.name}`, result.agreed);
      console.log(
        `  ${name} ${size.name}: ${size.users} users, ${size.roles} roles x ${size.rulesPerRole} rules; ` +
          `agreement ${result.agreed}/${AGREEMENT_CHECKS} checks (${result.allowed} allowed); ${((Date.now() - started) / 1000).toFixed(1)} s; load average ${load()}`,
      );
    }
  }
  console.log("");
  printTable(rows);
  console.log("");
  printVerdicts(rows, agreement);
  console.log(`load average after: ${load()}`);
}
