// CPU time of other processes (the server instances, MariaDB, Redis), read from
// /proc/<pid>/stat on Linux: the benchmark's load generator shares the cores
// with them, so their CPU use is printed beside the latency figures.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Clock ticks per second for /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User plus system CPU seconds the process has used so far; null where /proc cannot tell. */
export function cpuSeconds(pid: number): number | null {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/** The same for this process's main thread alone (the request thread of a server; its thread id is the pid). */
export function mainThreadCpuSeconds(): number | null {
  return statCpuSeconds(`/proc/self/task/${process.pid}/stat`);
}

function statCpuSeconds(path: string): number | null {
  try {
    const stat = readFileSync(path, "utf8");
    // Fields after the command name (which may contain spaces), counted from field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** The pid of a running program by name (the first one), or null. */
export function pidOf(name: string): number | null {
  try {
    const pid = Number(execFileSync("pidof", ["-s", name], { encoding: "utf8" }).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export interface CpuWatch {
  /** Cores each watched process used since the watch started (1.00 = one core throughout). */
  cores(): Array<{ name: string; cores: number | null }>;
}

export function watchCpu(processes: Array<{ name: string; pid: number | null }>): CpuWatch {
  const started = process.hrtime.bigint();
  const before = processes.map((p) => (p.pid === null ? null : cpuSeconds(p.pid)));
  return {
    cores() {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return processes.map((p, i) => {
        const then = before[i];
        const now = p.pid === null ? null : cpuSeconds(p.pid);
        return { name: p.name, cores: then == null || now === null ? null : (now - then) / seconds };
      });
    },
  };
}
