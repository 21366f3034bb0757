// Preloaded into a server by `npm run bench:http` when BENCH_PROFILE is set
// (`node -r dist/bench/event-loop-probe.js`): samples the event loop's delay;
// each SIGUSR2 prints the percentiles since the previous one and starts afresh.
import { monitorEventLoopDelay } from "node:perf_hooks";

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
const ms = (ns: number): string => (ns / 1e6).toFixed(2);

process.on("SIGUSR2", () => {
  process.stderr.write(
    `event-loop delay ms: p50 ${ms(histogram.percentile(50))} p99 ${ms(histogram.percentile(99))} ` +
      `max ${ms(histogram.max)}\n`,
  );
  histogram.reset();
});
