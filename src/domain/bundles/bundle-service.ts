// applyBundle: plans (dry run) or applies a bundle of resource types, policies,
// roles and SSO mappings as one policy-state write.
//
// 1. The bundle is read and validated whole (bundle-document.ts); a bad one is
//    BAD_USER_INPUT and nothing else happens.
// 2. It is rehearsed: run object by object in a transaction that is rolled back
//    (bundle-run.ts), against a scratch engine compiled from the current state,
//    which ends up holding the state the bundle leaves.
// 3. The guard (docs/guard-table.md, applyBundle): every object the bundle names or
//    prunes is decided and audited, operation `Mutation.applyBundle`: `read` on
//    it for a dry run; for an apply `create`/`update`/`delete` on each object it
//    changes (`update` on `sso` per provider, `create` on `resource_type`) and
//    `read` on the ones it leaves as they are. A refusal is FORBIDDEN after
//    every decision is recorded. A dry run also works out, without recording
//    them (they are forecasts, not decisions taken), the write capabilities an
//    apply would need, and lists the missing ones among `escalations` with the
//    escalation refusals of step 2.
// 4. An apply then runs the bundle again in one PolicyWriter write, all or
//    nothing: one change record per object (the single mutations' operations)
//    and one `Mutation.applyBundle` record with the bundle's SHA-256. If the
//    objects it changes are not those guarded in 3 (the state moved meanwhile),
//    it is refused with CONFLICT. `expectedVersion`, when given, must equal the
//    stored policy-state version, else CONFLICT.
// The plan's access changes compare the current engine with the scratch one
// (Engine.diffAccess).
import { Engine, type Permission } from "../../engine";
import { actorFields, credentialMetadata } from "../audit/audit-actor";
import type { AuditLog } from "../audit/group-commit-audit-log";
import { callerContext, enginePrincipal } from "../engine-principal";
import { DomainError } from "../errors";
import { refusalCode } from "../decisions/refusal-code";
import type { UserRecord } from "../model";
import type { PolicyRuntime } from "../policy/policy-runtime";
import type { PolicyWriter } from "../policy/policy-writer";
import type { Storage } from "../ports/storage.port";
import type { Principal } from "../principal";
import { parseBundle, type Bundle, type BundleItem } from "./bundle-document";
import { runBundle, type BundleEscalation, type BundleRun, type ObjectChange } from "./bundle-run";

export interface ApplyBundleArgs {
  document: string;
  dryRun: boolean;
  expectedVersion: number | null;
  /** Kinds to prune besides those the bundle declares. */
  prune: readonly string[];
}

export interface PermissionChange {
  change: "GAINED" | "LOST";
  permission: Permission;
}

export interface BundlePlan {
  applied: boolean;
  /** The policy-state version the plan was computed against. */
  version: number;
  changes: ObjectChange[];
  summary: { created: number; updated: number; deleted: number; usersGaining: number; usersLosing: number };
  /** Ordered by user email. */
  accessChanges: Array<{ user: UserRecord; changes: PermissionChange[] }>;
  escalations: BundleEscalation[];
  /** The state the bundle leaves, compiled: what the replay decides with. */
  after: Engine;
}

const SYSTEM_TYPE: Record<BundleItem["kind"], string> = {
  policy: "policy",
  role: "role",
  ssoMappings: "sso",
  resourceType: "resource_type",
};

/** The capability an object's change needs (docs/guard-table.md). */
function writeCapability(change: Pick<ObjectChange, "kind" | "action">): string {
  if (change.kind === "ssoMappings") return "sso:update";
  if (change.kind === "resourceType") return "resource_type:create";
  return `${SYSTEM_TYPE[change.kind]}:${change.action}`;
}

const objectKey = (o: { kind: string; name: string }) => `${o.kind}\u0000${o.name.toLowerCase()}`;
const changeKey = (c: ObjectChange) => `${objectKey(c)}\u0000${c.action}`;
const USER_BATCH = 1000;

interface Rehearsal {
  version: number;
  run: BundleRun;
  after: Engine;
  access: ReturnType<Engine["diffAccess"]>;
}

export class BundleService {
  constructor(
    private readonly deps: { storage: Storage; writer: PolicyWriter; runtime: PolicyRuntime; audit: AuditLog },
  ) {}

  async apply(actor: Principal, args: ApplyBundleArgs, requestId: string): Promise<BundlePlan> {
    const bundle = await this.read(args);
    // Escalations are collected even for an apply, so that the guard decides (and audits) first, as for every mutation.
    const rehearsal = await this.rehearse(actor, bundle, args.expectedVersion, true);
    const targets = this.targets(bundle, rehearsal.run.changes);
    const refusals = await this.guard(actor, targets, args.dryRun, requestId);
    if (args.dryRun) {
      if (refusals.read) throw refusals.read;
      return this.plan(false, rehearsal, [...rehearsal.run.escalations, ...refusals.forecast]);
    }
    if (refusals.write) throw refusals.write;
    const escalation = rehearsal.run.escalations[0];
    if (escalation !== undefined)
      throw new DomainError(
        "ESCALATION_DENIED",
        escalation.message,
        escalation.capability ? { capability: escalation.capability } : {},
      );
    const applied = await this.write(actor, bundle, args.expectedVersion, rehearsal, requestId);
    return this.plan(applied.run.changes.length > 0, applied, []);
  }

  private async read(args: ApplyBundleArgs): Promise<Bundle> {
    const [policies, roles] = await Promise.all([this.deps.storage.policies.all(), this.deps.storage.roles.all()]);
    return parseBundle(args.document, { types: this.deps.runtime.engine().typeMap(), policies, roles }, args.prune);
  }

  /** A scratch engine of the live state, compiled outside the writers' turn and the transaction; recompiled there only if the state moved meanwhile. */
  private prepare(): { version: number; engine: Engine } {
    const version = this.deps.runtime.version();
    return { version, engine: Engine.compile(this.deps.runtime.engine().snapshot()) };
  }

  private rehearse(
    actor: Principal,
    bundle: Bundle,
    expectedVersion: number | null,
    collect: boolean,
  ): Promise<Rehearsal> {
    const prepared = this.prepare();
    return this.deps.writer.rehearse(async (repos, engine, version) => {
      checkVersion(expectedVersion, version);
      const after = prepared.version === version ? prepared.engine : Engine.compile(engine.snapshot());
      const run = await runBundle({ repos, engine: after, actor }, bundle, new Date(), collect);
      return { version, run, after, access: engine.diffAccess(after, hintOf(run)) };
    });
  }

  private async write(
    actor: Principal,
    bundle: Bundle,
    expectedVersion: number | null,
    rehearsed: Rehearsal,
    requestId: string,
  ): Promise<Rehearsal> {
    const prepared = this.prepare();
    const guarded = new Set(rehearsed.run.changes.map(changeKey));
    const request = { actor, operation: "Mutation.applyBundle", requestId };
    return this.deps.writer.write(request, async (repos, engine, version) => {
      checkVersion(expectedVersion, version - 1);
      const after = prepared.version === version - 1 ? prepared.engine : Engine.compile(engine.snapshot());
      const run = await runBundle({ repos, engine: after, actor }, bundle, new Date(), false);
      if (run.changes.length !== guarded.size || run.changes.some((c) => !guarded.has(changeKey(c)))) {
        throw new DomainError("CONFLICT", "the policy state changed while the bundle was being applied; plan it again");
      }
      const result: Rehearsal = { version: version - 1, run, after, access: engine.diffAccess(after, hintOf(run)) };
      if (run.changes.length === 0) return { result };
      return {
        result,
        apply: run.apply,
        objectChanges: run.events,
        events: run.extraEvents,
        record: {
          kind: "bundle",
          sha256: bundle.sha256,
          documents: bundle.items.length,
          prune: [...bundle.prune],
          changes: run.changes.map(({ kind, name, action }) => ({ kind, name, action })),
        },
      };
    });
  }

  /** Every object named or pruned, with the action when it changes. */
  private targets(
    bundle: Bundle,
    changes: ObjectChange[],
  ): Array<{ kind: BundleItem["kind"]; name: string; action: ObjectChange["action"] | null }> {
    const changed = new Map(changes.map((c) => [objectKey(c), c]));
    const out = bundle.items.map((i) => ({
      kind: i.kind,
      name: changed.get(objectKey(i))?.name ?? i.name,
      action: changed.get(objectKey(i))?.action ?? null,
    }));
    const named = new Set(bundle.items.map(objectKey));
    for (const c of changes) if (!named.has(objectKey(c))) out.push({ kind: c.kind, name: c.name, action: c.action });
    return out;
  }

  /**
   * Decides and audits each target (one group commit). Returns the first
   * refusal of a read (dry run) or write (apply), and for a dry run the write
   * capabilities an apply would lack.
   */
  private async guard(
    actor: Principal,
    targets: ReturnType<BundleService["targets"]>,
    dryRun: boolean,
    requestId: string,
  ) {
    const engine = this.deps.runtime.engine();
    const principal = enginePrincipal(actor);
    const context = callerContext(actor);
    const decide = (capability: string, name: string) => {
      const [type, action] = capability.split(":") as [string, string];
      return {
        capability,
        name,
        type,
        action,
        decision: engine.check(principal, action, { type, namespace: "system", name, labels: {} }, context),
      };
    };
    const decisions = targets.map((t) =>
      decide(
        t.action === null || dryRun
          ? `${SYSTEM_TYPE[t.kind]}:read`
          : writeCapability({ kind: t.kind, action: t.action }),
        t.name,
      ),
    );
    const time = new Date();
    const actorInfo = actorFields(actor, engine);
    await Promise.all(
      decisions.map((d) =>
        this.deps.audit.record({
          time,
          ...actorInfo,
          operation: "Mutation.applyBundle",
          action: d.action,
          resourceType: d.type,
          resourceNamespace: "system",
          resourceName: d.name,
          subjectId: null,
          decision: d.decision.allowed ? "ALLOW" : "DENY",
          reason: d.decision.reason,
          requestId,
          metadata: credentialMetadata(actor),
        }),
      ),
    );
    const denied = decisions.find((d) => !d.decision.allowed);
    const refusal =
      denied === undefined
        ? null
        : new DomainError(
            refusalCode(denied.decision.reason),
            `Mutation.applyBundle needs ${denied.capability} on '${denied.name}' (${denied.decision.reason})`,
            { reason: denied.decision.reason, capability: denied.capability },
          );
    const forecast: BundleEscalation[] = [];
    if (dryRun) {
      for (const t of targets) {
        if (t.action === null) continue;
        const d = decide(writeCapability({ kind: t.kind, action: t.action }), t.name);
        if (!d.decision.allowed)
          forecast.push({
            kind: t.kind,
            name: t.name,
            capability: d.capability,
            message: `applying needs ${d.capability} on '${t.name}' (${d.decision.reason})`,
          });
      }
    }
    return { read: dryRun ? refusal : null, write: dryRun ? null : refusal, forecast };
  }

  private async plan(applied: boolean, r: Rehearsal, escalations: BundleEscalation[]): Promise<BundlePlan> {
    const ids = r.access.map((a) => a.userId);
    const users = new Map<string, UserRecord>();
    for (let i = 0; i < ids.length; i += USER_BATCH) {
      for (const u of await this.deps.storage.users.getMany(ids.slice(i, i + USER_BATCH))) users.set(u.id, u);
    }
    const accessChanges = r.access
      .flatMap((a) => {
        const user = users.get(a.userId);
        if (user === undefined) return [];
        const changes: PermissionChange[] = [
          ...a.gained.map((permission) => ({ change: "GAINED" as const, permission })),
          ...a.lost.map((permission) => ({ change: "LOST" as const, permission })),
        ];
        return [{ user, changes }];
      })
      .sort((x, y) => (x.user.email < y.user.email ? -1 : x.user.email > y.user.email ? 1 : 0));
    const count = (action: ObjectChange["action"]) => r.run.changes.filter((c) => c.action === action).length;
    return {
      applied,
      version: r.version,
      changes: r.run.changes,
      accessChanges,
      escalations,
      after: r.after,
      summary: {
        created: count("create"),
        updated: count("update"),
        deleted: count("delete"),
        usersGaining: r.access.filter((a) => a.gained.length > 0).length,
        usersLosing: r.access.filter((a) => a.lost.length > 0).length,
      },
    };
  }
}

function checkVersion(expected: number | null, stored: number): void {
  if (expected !== null && expected !== stored) {
    throw new DomainError(
      "CONFLICT",
      `the policy state is at version ${stored}, not ${expected} as expected: plan the bundle again`,
      { field: "expectedVersion" },
    );
  }
}

function hintOf(run: BundleRun) {
  return {
    policies: run.touched.policies,
    roles: run.touched.roles,
    types: run.touched.types,
    extraUsers: run.ssoUsers,
  };
}
