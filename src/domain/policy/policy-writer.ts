// Every change to the policy state goes through here. Writers take turns: on
// this instance through a local lock, across instances through the locked
// policy_state row. A write's checks (escalation above all) therefore see the
// state exactly as it will be changed, and its audit record commits with it.
import type { Engine } from "../../engine";
import { actorFields } from "../audit/audit-actor";
import type { AuditEventInput, AuditEventRecord } from "../audit/audit-event";
import { auditEscalationRefusal } from "../audit/escalation-audit";
import { chain, type AuditLog } from "../audit/group-commit-audit-log";
import { Mutex } from "../mutex";
import type { Repositories, Storage } from "../ports/storage.port";
import type { Principal } from "../principal";
import type { SystemActor } from "../system-actor";
import type { PolicyRuntime } from "./policy-runtime";

export interface PolicyChange<T> {
  result: T;
  /** Applies the change to this instance's compiled state, after commit. */
  apply?: (engine: Engine) => void;
  /** What changed, for the audit trail (old and new documents, counts…). */
  record?: Record<string, unknown>;
  /** The object changed, for the audit record. */
  resource?: { type: string; name: string };
  /**
   * ALLOW events of the write besides (or instead of) the change record, each
   * with its own operation and metadata as given (`accessRequest.approved` for
   * the review that decides a request), appended after it in the same transaction.
   */
  events?: WriteEvent[];
  /**
   * Further change records of the same write, each its own audit event with its
   * own operation (a bundle: one per object changed), written before `record`.
   */
  objectChanges?: ChangeEvent[];
}

export interface WriteEvent {
  operation: string;
  action: string;
  resource: { type: string; name: string };
  metadata: Record<string, unknown>;
}

export interface ChangeEvent {
  operation: string;
  record: Record<string, unknown>;
  resource?: { type: string; name: string };
}

/** A write's work: `version` is the policy-state version the write will leave (the stored one plus 1). */
export type WriteWork<T> = (repos: Repositories, engine: Engine, version: number) => Promise<PolicyChange<T>>;

export interface WriteRequest {
  /** A caller, or a named part of portcullis acting on its own account (never null). */
  actor: Principal | SystemActor;
  /** `Mutation.createRole`… */
  operation: string;
  requestId: string;
}

/** Carries a rehearsal's result out of the transaction it rolls back. */
class Rehearsed extends Error {
  constructor(readonly result: unknown) {
    super("rehearsal rolled back");
  }
}

/** Carries a write's result out of a transaction rolled back because it changed nothing. */
class Unchanged extends Error {
  constructor(readonly result: unknown) {
    super("write changed nothing");
  }
}

export class PolicyWriter {
  private readonly turn = new Mutex();
  private readonly committed = new Set<() => void>();

  constructor(
    private readonly storage: Storage,
    private readonly runtime: PolicyRuntime,
    private readonly audit: AuditLog,
  ) {}

  /** Called after every committed write of this instance (caches of policy-derived data listen). */
  onCommitted(listener: () => void): () => void {
    this.committed.add(listener);
    return () => this.committed.delete(listener);
  }

  /**
   * Brings this instance's compiled state up to the stored version when another
   * instance moved it; in the writers' turn, so it never interleaves with a
   * local write. Resolves true when it recompiled.
   */
  catchUp(): Promise<boolean> {
    return this.turn.run(async () => {
      if ((await this.storage.policyState.version()) === this.runtime.version()) return false;
      await this.runtime.reload(this.storage);
      return true;
    });
  }

  /**
   * Runs `work` as a write would run it (in the writers' turn, in a transaction,
   * against the compiled state of the stored version, which it is handed), then
   * rolls the transaction back: what a write would do, without doing it. `work`
   * must not change the live engine.
   */
  rehearse<T>(work: (repos: Repositories, engine: Engine, version: number) => Promise<T>): Promise<T> {
    return this.turn.run(async () => {
      try {
        await this.storage.transaction(async (repos) => {
          const version = await repos.policyState.version();
          if (version !== this.runtime.version()) await this.runtime.reload(repos);
          throw new Rehearsed(await work(repos, this.runtime.engine(), version));
        });
      } catch (err) {
        if (err instanceof Rehearsed) return err.result as T;
        throw err;
      }
      throw new Error("unreachable: a rehearsal always rolls back");
    });
  }

  write<T>(request: WriteRequest, work: WriteWork<T>): Promise<T> {
    return this.turn.run(async () => {
      let version = 0;
      let committed: { change: PolicyChange<T>; records: AuditEventRecord[] };
      try {
        committed = await this.storage.transaction(async (repos) => {
          version = await repos.policyState.lockAndBump();
          // Another instance changed the state since we compiled it: catch up first.
          if (version !== this.runtime.version() + 1) await this.runtime.reload(repos);
          const change = await work(repos, this.runtime.engine(), version);
          // Nothing to apply and nothing to record: roll back, version bump included.
          if (!change.apply && !change.record && !change.events?.length && !change.objectChanges?.length)
            throw new Unchanged(change.result);
          const events = [
            ...(change.objectChanges ?? []).map((e) => this.event({ ...request, operation: e.operation }, e)),
            ...(change.record ? [this.event(request, change)] : []),
            ...(change.events ?? []).map((e) => this.extraEvent(request, e)),
          ];
          const records: AuditEventRecord[] = events.length > 0 ? await repos.audit.append(events, chain) : [];
          return { change, records };
        });
      } catch (err) {
        // A catch-up inside the transaction compiled the committed state but took the
        // version as bumped; the bump rolled back, so the state is version - 1. Left
        // at `version`, the next write of another instance (which commits that number)
        // would look as if already applied here, and this instance would miss it.
        if (version > 0 && this.runtime.version() === version) this.runtime.advanceTo(version - 1);
        if (!(err instanceof Unchanged)) {
          // The write is rolled back; the refusal is still a decision, recorded on its own.
          await auditEscalationRefusal(this.audit, this.runtime.engine(), request, err);
          throw err;
        }
        return err.result as T;
      }
      const { change, records } = committed;
      try {
        change.apply?.(this.runtime.engine());
        this.runtime.advanceTo(version);
      } catch {
        await this.runtime.reload(this.storage);
      }
      for (const listener of this.committed) listener();
      if (records.length > 0) this.audit.publish(records);
      return change.result;
    });
  }

  private event(request: WriteRequest, change: Pick<PolicyChange<unknown>, "record" | "resource">): AuditEventInput {
    return {
      time: new Date(),
      ...actorFields(request.actor, this.runtime.engine()),
      operation: request.operation,
      action: "change",
      resourceType: change.resource?.type ?? null,
      resourceNamespace: change.resource ? "system" : null,
      resourceName: change.resource?.name ?? null,
      subjectId: null,
      decision: "ALLOW",
      reason: "ALLOWED",
      requestId: request.requestId,
      metadata: { change: change.record },
    };
  }

  private extraEvent(request: WriteRequest, c: WriteEvent): AuditEventInput {
    return {
      time: new Date(),
      ...actorFields(request.actor, this.runtime.engine()),
      operation: c.operation,
      action: c.action,
      resourceType: c.resource.type,
      resourceNamespace: "system",
      resourceName: c.resource.name,
      subjectId: null,
      decision: "ALLOW",
      reason: "ALLOWED",
      requestId: request.requestId,
      metadata: c.metadata,
    };
  }
}
