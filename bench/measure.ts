// Timing and memory helpers for the benchmarks: time-bounded throughput loops,
// per-call latency percentiles with process.hrtime.bigint, heap deltas after gc.

export interface LatencyStats {
  p50Us: number;
  p99Us: number;
  /** Median cost of an empty hrtime pair: included in every latency sample. */
  timerOverheadUs: number;
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
export const canCollect = (): boolean => typeof (globalThis as { gc?: unknown }).gc === "function";

/** Heap in use after a full collection (or as is, without --expose-gc), in bytes. */
export function settledHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Runs `build` once: its result, its wall time, and the heap it retains. */
export function measureBuild<T>(build: () => T): { value: T; ms: number; heapMb: number } {
  const before = settledHeap();
  const start = process.hrtime.bigint();
  const value = build();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const heapMb = (settledHeap() - before) / (1024 * 1024);
  return { value, ms, heapMb };
}

/** Calls `fn` over `items` round-robin for about `budgetMs` (at most `maxCalls`); calls per second. */
export function throughput<T>(
  items: readonly T[],
  fn: (item: T) => boolean,
  budgetMs: number,
  maxCalls: number,
): number {
  let calls = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(budgetMs * 1e6));
  let now = start;
  while (calls < maxCalls) {
    for (let i = 0; i < 1024; i++) {
      if (fn(items[(calls + i) % items.length])) sink++;
    }
    calls += 1024;
    now = process.hrtime.bigint();
    if (now >= deadline) break;
  }
  if (sink < 0) console.log(sink);
  return calls / (Number(now - start) / 1e9);
}

/** Times each call of `fn` on `items` individually. */
export function latency<T>(items: readonly T[], fn: (item: T) => boolean): LatencyStats {
  const samples = new Float64Array(items.length);
  let sink = 0;
  for (let i = 0; i < items.length; i++) {
    const t0 = process.hrtime.bigint();
    if (fn(items[i])) sink++;
    samples[i] = Number(process.hrtime.bigint() - t0);
  }
  const overhead = new Float64Array(10_000);
  for (let i = 0; i < overhead.length; i++) {
    const t0 = process.hrtime.bigint();
    overhead[i] = Number(process.hrtime.bigint() - t0);
  }
  if (sink < 0) console.log(sink);
  samples.sort();
  overhead.sort();
  const at = (sorted: Float64Array, q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1000;
  return { p50Us: at(samples, 0.5), p99Us: at(samples, 0.99), timerOverheadUs: at(overhead, 0.5) };
}

/** Calls `fn` on every item `rounds` times, for the JIT to settle. */
export function warmUp<T>(items: readonly T[], fn: (item: T) => boolean, rounds: number): void {
  let sink = 0;
  for (let r = 0; r < rounds; r++) for (const item of items) if (fn(item)) sink++;
  if (sink < 0) console.log(sink);
}
