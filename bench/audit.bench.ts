// Audit write throughput (`npm run bench:audit`): the group-commit audit log on
// SQLite (a file in a temporary folder) and on MariaDB (a scratch database on
// BENCH_MYSQL_URL, default mysql://root@127.0.0.1:3306; skipped with a note when
// it does not answer). CALLERS concurrent callers each record one decision and
// wait until it is durable, then record the next, for SECONDS seconds; the
// figures are events made durable per second and each caller's wait.
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseConfig } from "../src/config";
import type { AuditEventInput } from "../src/domain/audit/audit-event";
import { AuditTrailService } from "../src/domain/audit/audit-trail-service";
import { GroupCommitAuditLog } from "../src/domain/audit/group-commit-audit-log";
import { TypeormStorage } from "../src/storage/typeorm-storage";
import { cpuSeconds as cpuSecondsOf, mainThreadCpuSeconds, pidOf } from "./process-cpu";
import { withScratchMysql } from "./scratch-mysql";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CALLERS = Number(process.env.BENCH_AUDIT_CALLERS ?? 4000);

interface Figures {
  database: string;
  events: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time of this process (every thread: callers, audit writer, driver) per event, in microseconds. */
  cpuUsPerEvent: number;
  /** That CPU time over the wall time, in cores (1.00 = one core busy throughout). */
  cores: number;
  /** CPU time of the main thread alone (where requests are served) per event, in microseconds; null off Linux. */
  mainUsPerEvent: number | null;
  /** CPU time of the database server (MariaDB) per event over the same span, in microseconds; null for SQLite or off Linux. */
  databaseUsPerEvent: number | null;
  chainOk: boolean;
  /** Full chain verification (audit verify) over everything written, warm-up included: its report, or the first broken sequence. */
  verified: string;
}

function decision(i: number): AuditEventInput {
  return {
    time: new Date(),
    actorId: "0b7f3c1e-8d6a-4c59-9a1e-2f4b5c6d7e8f",
    actorEmail: "gateway@example.com",
    actorRoles: ["viewer", "deployer"],
    tokenId: "6c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
    sourceIp: "10.20.30.40",
    operation: "check",
    action: i % 3 === 0 ? "submit" : "read",
    resourceType: "job",
    resourceNamespace: "prod/payments",
    resourceName: `api-${i % 97}`,
    subjectId: "3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7",
    decision: i % 3 === 0 ? "DENY" : "ALLOW",
    reason: i % 3 === 0 ? "NO_MATCHING_RULE" : "ALLOWED",
    requestId: `bench-${i}`,
    metadata: null,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(name: string, database: DatabaseConfig, databasePid: number | null = null): Promise<Figures> {
  const storage = await TypeormStorage.open(database, { migrate: true });
  try {
    const log = new GroupCommitAuditLog(storage.audit);
    const waits: number[] = [];
    let next = 0;
    let events = 0;
    let measuring = false;
    const caller = async (until: number) => {
      while (Date.now() < until) {
        const started = process.hrtime.bigint();
        await log.record(decision(next++));
        if (measuring) {
          events++;
          waits.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
      }
    };
    // One second of warm-up (JIT, connection pool, page cache), then the measured run.
    await Promise.all(Array.from({ length: CALLERS }, () => caller(Date.now() + 1000)));
    measuring = true;
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const mainCpu = mainThreadCpuSeconds();
    const databaseCpu = databasePid === null ? null : cpuSecondsOf(databasePid);
    const until = Date.now() + SECONDS * 1000;
    await Promise.all(Array.from({ length: CALLERS }, () => caller(until)));
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    const mainNow = mainThreadCpuSeconds();
    const databaseNow = databasePid === null ? null : cpuSecondsOf(databasePid);
    const mainSeconds = mainCpu === null || mainNow === null ? null : mainNow - mainCpu;
    await log.drain();
    waits.sort((a, b) => a - b);
    const head = await storage.audit.head();
    const report = await new AuditTrailService(storage.audit).verify(true);
    return {
      database: name,
      events,
      perSecond: events / seconds,
      p50Ms: percentile(waits, 50),
      p99Ms: percentile(waits, 99),
      cpuUsPerEvent: (cpuSeconds / events) * 1e6,
      cores: cpuSeconds / seconds,
      mainUsPerEvent: mainSeconds === null ? null : (mainSeconds / events) * 1e6,
      databaseUsPerEvent:
        databaseCpu === null || databaseNow === null ? null : ((databaseNow - databaseCpu) / events) * 1e6,
      chainOk: head.sequence === next,
      verified: report.ok
        ? `yes (${report.checked} events)`
        : `NO: broken at ${report.firstBrokenSequence} of ${report.checked}`,
    };
  } finally {
    await storage.close();
  }
}

async function sqliteFigures(): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-bench-"));
  const path = join(dir, "audit.sqlite");
  try {
    return await measure("SQLite", { kind: "sqlite", path, url: `sqlite:${path}` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function mysqlFigures(): Promise<Figures | string> {
  return withScratchMysql((database) => measure("MariaDB", database, pidOf("mariadbd") ?? pidOf("mysqld")));
}

export async function runAuditBench(): Promise<void> {
  console.log(
    `audit write throughput: ${CALLERS} concurrent callers, ${SECONDS} s each, every event durable before its caller continues`,
  );
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")} (${cpus().length} cores)`,
  );
  const rows = [await sqliteFigures(), await mysqlFigures()];
  console.log(
    "| database | events | events/s | wait p50 ms | wait p99 ms | process CPU µs/event | of which main thread | other threads (audit writer, libuv) | process CPU cores | database server CPU µs/event | chain head = events written | chain verifies |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
  for (const row of rows) {
    if (typeof row === "string") console.log(row);
    else
      console.log(
        `| ${row.database} | ${row.events} | ${Math.round(row.perSecond).toLocaleString("en-US")} | ${row.p50Ms.toFixed(1)} | ${row.p99Ms.toFixed(1)} | ${row.cpuUsPerEvent.toFixed(1)} | ${row.mainUsPerEvent?.toFixed(1) ?? "?"} | ${row.mainUsPerEvent === null ? "?" : (row.cpuUsPerEvent - row.mainUsPerEvent).toFixed(1)} | ${row.cores.toFixed(2)} | ${row.databaseUsPerEvent?.toFixed(1) ?? "-"} | ${row.chainOk ? "yes" : "NO"} | ${row.verified} |`,
      );
  }
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")}`,
  );
  console.log("targets: SQLite >= 50,000 events/s, MariaDB >= 20,000 events/s");
}
