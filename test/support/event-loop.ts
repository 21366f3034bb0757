// How long work holds the event loop, for the "no request blocks the loop for
// more than 100 ms" promise. The machine running the tests may be shared: when
// other processes take the cores, every synchronous step takes longer in wall
// time than its CPU time. The slowdown is measured on a fixed CPU-bound task
// (long enough, about 100 ms of CPU, to span several scheduler slices) right
// before and after (wall time over CPU time; the larger of the two, at least 1,
// at most 5), and the bound is scaled by it; on an idle machine it is 1.
import { createHash } from "node:crypto";
import { monitorEventLoopDelay } from "node:perf_hooks";

function calibrate(): number {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  let digest = "";
  for (let i = 0; i < 100_000; i++)
    digest = createHash("sha256")
      .update(digest + i)
      .digest("hex");
  const wall = Number(process.hrtime.bigint() - start) / 1e3;
  const used = process.cpuUsage(cpu);
  return wall / Math.max(1, used.user + used.system);
}

export interface Blocking {
  /** The longest the event loop was held while the work ran, in ms (wall time). */
  maxMs: number;
  /** How much slower than its CPU time a CPU-bound step ran around the measurement (1 on an idle machine). */
  slowdown: number;
}

export async function measureBlocking(work: () => Promise<unknown>): Promise<Blocking> {
  const before = calibrate();
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  try {
    await work();
  } finally {
    histogram.disable();
  }
  const after = calibrate();
  return { maxMs: histogram.max / 1e6, slowdown: Math.min(5, Math.max(1, before, after)) };
}

/** `limitMs` on an idle machine, scaled by the slowdown measured around the work. */
export const withinBlockingLimit = (blocking: Blocking, limitMs: number) =>
  blocking.maxMs <= limitMs * blocking.slowdown;
