// Bundle plans and audit replay (`npm run bench:plan`), on SQLite (a file in a
// temporary folder) and MariaDB (a scratch database on BENCH_MYSQL_URL, default
// mysql://root@127.0.0.1:3306; skipped with a note when it does not answer).
//
// The state is the engine benchmark's large workload stored in the database:
// 100,000 users with three grants each, 2,000 roles, each with its own policy of
// 100 rules (200,000 rules). The bundle changes one role (its policy gains a
// rule); the figure is the time applyBundle's dry run takes (validation,
// rehearsal in a rolled-back transaction, scratch engine, access diff, users
// loaded, guard decisions audited), the median of BENCH_PLAN_RUNS (default 3).
// Then BENCH_REPLAY_EVENTS (default 1,000,000) check events about those users
// are stored and the plan's replay over them is timed: events per second,
// streamed from the store in batches.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_SEEDS_DIR } from "../src/app";
import type { DatabaseConfig } from "../src/config";
import type { AuditEventInput } from "../src/domain/audit/audit-event";
import { chain, GroupCommitAuditLog } from "../src/domain/audit/group-commit-audit-log";
import { bootstrap, roleRecordFromDoc } from "../src/domain/bootstrap";
import { AuditReplay } from "../src/domain/bundles/audit-replay";
import { BundleService } from "../src/domain/bundles/bundle-service";
import { PolicyRuntime } from "../src/domain/policy/policy-runtime";
import { PolicyWriter } from "../src/domain/policy/policy-writer";
import type { Principal } from "../src/domain/principal";
import { loadSeeds } from "../src/domain/seeds/seed-loader";
import { formatPolicyDocument, formatRoleDocument } from "../src/engine";
import { GrantEntity } from "../src/storage/entities/grant.entity";
import { UserEntity } from "../src/storage/entities/user.entity";
import { TypeormStorage } from "../src/storage/typeorm-storage";
import { withScratchMysql } from "./scratch-mysql";
import { buildWorkload, SIZES, type Workload } from "./engine-workload";

const RUNS = Number(process.env.BENCH_PLAN_RUNS ?? 3);
const EVENTS = Number(process.env.BENCH_REPLAY_EVENTS ?? 1_000_000);
const ROWS_PER_INSERT = 500;

interface Figures {
  database: string;
  seedSeconds: number;
  loadSeconds: number;
  planMs: number[];
  usersChanged: number;
  storeSeconds: number;
  replayed: number;
  replaySeconds: number;
  flips: number;
}

/** Users, grants, policies and roles of the workload, written in bulk (the repositories write one row at a time). */
export async function store(storage: TypeormStorage, w: Workload): Promise<Map<string, string>> {
  const now = new Date();
  const roleIds = new Map<string, string>();
  await storage.transaction(async (repos) => {
    for (const p of w.state.policies) {
      await repos.policies.create(
        {
          id: randomUUID(),
          name: p.name,
          description: null,
          version: 1,
          builtIn: false,
          document: formatPolicyDocument(p),
          createdAt: now,
          updatedAt: now,
        },
        null,
      );
    }
    for (const r of w.state.roles) {
      const record = roleRecordFromDoc(r, formatRoleDocument(r), {
        id: randomUUID(),
        builtIn: false,
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
      roleIds.set(r.name, record.id);
      await repos.roles.create(record);
    }
  });
  const manager = storage.dataSource.manager;
  const insert = async (entity: typeof UserEntity | typeof GrantEntity, rows: object[]) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(entity)
        .values(rows.slice(i, i + ROWS_PER_INSERT))
        .execute();
    }
  };
  await insert(
    UserEntity,
    w.state.users.map((u) => ({
      id: u.id,
      email: `${u.id}@example.com`,
      displayName: null,
      kind: "HUMAN",
      status: "ACTIVE",
      source: "LOCAL",
      externalId: null,
      groups: [],
      mfaEnrolled: false,
      totpSecret: null,
      totpLastStep: null,
      totpFailures: 0,
      totpBlockedUntil: null,
      lockedReason: null,
      createdAt: now,
      lastSeenAt: null,
      removedAt: null,
    })),
  );
  await insert(
    GrantEntity,
    w.state.grants.map((g) => ({
      id: g.id,
      subjectType: "USER",
      userId: (g.subject as { userId: string }).userId,
      groupName: null,
      roleId: roleIds.get(g.role)!,
      scope: g.scope,
      active: true,
      startsAt: null,
      expiresAt: null,
      reason: null,
      source: "MANUAL",
      ssoProvider: null,
      accessRequestId: null,
      createdById: null,
      createdAt: now,
    })),
  );
  return roleIds;
}

/** The one-role change: role-0's policy gains a rule (submit on jobs in its team's prod). */
export function oneRoleBundle(w: Workload): string {
  const policy = w.state.policies[0];
  return formatPolicyDocument({
    ...policy,
    rules: [
      ...policy.rules,
      {
        ...policy.rules[0],
        effect: "ALLOW",
        resourceType: "job",
        capabilities: ["submit"],
        level: null,
        namespace: "team0/prod",
        labels: [],
      },
    ],
  });
}

export function checkEvent(w: Workload, i: number, time: Date): AuditEventInput {
  const c = w.checks[i % w.checks.length];
  return {
    time,
    actorId: "gateway",
    actorEmail: "gateway@example.com",
    actorRoles: [],
    tokenId: null,
    sourceIp: "10.20.30.40",
    operation: "check",
    action: c.action,
    resourceType: c.resource.type,
    resourceNamespace: c.resource.namespace,
    resourceName: c.resource.name,
    subjectId: c.userId,
    decision: i % 2 === 0 ? "ALLOW" : "DENY",
    reason: i % 2 === 0 ? "ALLOWED" : "NO_MATCHING_RULE",
    requestId: null,
    metadata: {
      context: { mfa: false, sourceIp: null },
      ...(Object.keys(c.resource.labels).length > 0 ? { labels: c.resource.labels } : {}),
    },
  };
}

/** Progress on stderr: the whole run takes minutes. */
const progress = (database: string, what: string) => process.stderr.write(`  ${database}: ${what}\n`);

async function measure(name: string, database: DatabaseConfig, w: Workload): Promise<Figures> {
  const storage = await TypeormStorage.open(database, { migrate: true });
  try {
    const boot = await bootstrap(storage, loadSeeds(DEFAULT_SEEDS_DIR), {
      adminEmail: "admin@portcullis.local",
      bootstrapToken: null,
    });
    if (!boot.created) throw new Error("the scratch database was not empty");
    let started = Date.now();
    await store(storage, w);
    const seedSeconds = (Date.now() - started) / 1000;
    progress(name, `stored the workload in ${seedSeconds.toFixed(0)} s`);
    started = Date.now();
    const runtime = await PolicyRuntime.load(storage);
    const loadSeconds = (Date.now() - started) / 1000;
    progress(name, `compiled the stored state in ${loadSeconds.toFixed(1)} s`);
    const audit = new GroupCommitAuditLog(storage.audit);
    const writer = new PolicyWriter(storage, runtime, audit);
    const bundles = new BundleService({ storage, writer, runtime, audit });
    const admin = (await storage.users.get(boot.adminId))!;
    const actor: Principal = {
      user: admin,
      credential: { kind: "token", tokenId: boot.tokenId, breakGlass: true },
      mfa: false,
      sourceIp: null,
    };
    const document = oneRoleBundle(w);
    const planMs: number[] = [];
    let plan!: Awaited<ReturnType<BundleService["apply"]>>;
    for (let run = 0; run < RUNS; run++) {
      const t = process.hrtime.bigint();
      plan = await bundles.apply(actor, { document, dryRun: true, expectedVersion: null, prune: [] }, `bench-${run}`);
      planMs.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    if (plan.changes.length !== 1) throw new Error(`expected one change, planned ${plan.changes.length}`);
    progress(name, `planned ${RUNS} times: ${planMs.map((m) => Math.round(m)).join(", ")} ms`);

    started = Date.now();
    const time = new Date();
    let head = await storage.audit.head();
    for (let i = 0; i < EVENTS; i += 5000) {
      const batch = Array.from({ length: Math.min(5000, EVENTS - i) }, (_, k) => checkEvent(w, i + k, time));
      const written = await storage.audit.append(batch, chain, head);
      head = { sequence: written[written.length - 1].sequence, hash: written[written.length - 1].hash };
    }
    const storeSeconds = (Date.now() - started) / 1000;
    progress(name, `stored ${EVENTS.toLocaleString("en-US")} events in ${storeSeconds.toFixed(0)} s`);
    started = Date.now();
    const report = await new AuditReplay(storage.audit).replay(plan.after, 30);
    const replaySeconds = (Date.now() - started) / 1000;
    await audit.drain();
    return {
      database: name,
      seedSeconds,
      loadSeconds,
      planMs,
      usersChanged: plan.accessChanges.length,
      storeSeconds,
      replayed: report.replayed,
      replaySeconds,
      flips: report.allowToDeny + report.denyToAllow,
    };
  } finally {
    await storage.close();
  }
}

async function sqliteFigures(w: Workload): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-bench-"));
  const path = join(dir, "plan.sqlite");
  try {
    return await measure("SQLite", { kind: "sqlite", path, url: `sqlite:${path}` }, w);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function mysqlFigures(w: Workload): Promise<Figures | string> {
  return withScratchMysql((database) => measure("MariaDB", database, w));
}

export async function runPlanBench(args: string[]): Promise<void> {
  const size = SIZES.find((s) => s.name === "large")!;
  const w = buildWorkload(size, 20_000);
  const only = args[0];
  console.log(
    `bundle plan: one-role change at ${size.users.toLocaleString("en-US")} users / ${size.roles.toLocaleString("en-US")} roles / ${(size.roles * size.rulesPerRole).toLocaleString("en-US")} rules; replay over ${EVENTS.toLocaleString("en-US")} stored check events`,
  );
  const rows: Array<Figures | string> = [];
  if (only === undefined || only === "sqlite") rows.push(await sqliteFigures(w));
  if (only === undefined || only === "mysql") rows.push(await mysqlFigures(w));
  console.log(
    "| database | plan ms (median of runs) | users with access changes | replayed | replay s | replay events/s | flips | (seed s, state load s, events stored s) |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---|");
  for (const row of rows) {
    if (typeof row === "string") {
      console.log(row);
      continue;
    }
    const sorted = [...row.planMs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(
      `| ${row.database} | ${Math.round(median)} (${row.planMs.map((m) => Math.round(m)).join(", ")}) | ${row.usersChanged} | ${row.replayed.toLocaleString("en-US")} | ${row.replaySeconds.toFixed(1)} | ${Math.round(row.replayed / row.replaySeconds).toLocaleString("en-US")} | ${row.flips.toLocaleString("en-US")} | ${row.seedSeconds.toFixed(0)}, ${row.loadSeconds.toFixed(1)}, ${row.storeSeconds.toFixed(0)} |`,
    );
  }
  console.log("targets: plan < 5,000 ms; replay of 1,000,000 events < 30 s");
}
