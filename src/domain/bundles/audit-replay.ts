// Replays the audit trail against another policy state: every `check` and every
// guard decision of the window is asked again of the engine handed in, and the
// decisions that would come out the other way are counted and (the first 100
// of each direction, oldest first) listed. Events are read from the store in
// batches of ascending sequence, never all at once.
//
// The question of an event:
// - `check`: the subject (subjectTokenId in the metadata for a token, else
//   subjectId), the action on the resource recorded, with the labels and the
//   context (mfa, sourceIp) the metadata holds; labels are recorded since
//   bundles exist, so older checks replay without labels.
// - a guard decision (operation `Query.*`, `Mutation.*`, `Subscription.*`,
//   `BundlePlan.*` or an HTTP route such as `GET /audit/export`, on namespace
//   `system`): the actor, as its token when it used one, with the session's MFA
//   (metadata `mfa`) and the recorded source address.
// Anything else (authentications, logins, change records, actions of the
// server itself) is not a decision the policy state makes, and is skipped.
import type { Decision, DecisionContext, Engine, Principal, Resource } from "../../engine";
import type { AuditEventRecord } from "../audit/audit-event";
import type { AuditDecision, AuditStore } from "../ports/audit.port";

export const MAX_FLIPS = 100;
const BATCH = 5000;
const GUARDED = /^(Query|Mutation|Subscription|BundlePlan)\.|^(GET|POST|PUT|PATCH|DELETE) \//;

/** Distinct questions remembered during one replay. */
const MAX_REMEMBERED = 200_000;

function questionKey(q: ReplayQuestion): string {
  const who = q.principal.kind === "user" ? `u${q.principal.userId}` : `t${q.principal.tokenId}`;
  const r = q.resource;
  const labels = Object.keys(r.labels).length === 0 ? "" : JSON.stringify(Object.entries(r.labels).sort());
  return `${who}\u0000${q.action}\u0000${r.type}\u0000${r.namespace}\u0000${r.name}\u0000${labels}\u0000${q.context.mfa}\u0000${q.context.sourceIp ?? ""}`;
}

export interface ReplayFlip {
  event: AuditEventRecord;
  now: Decision;
}

export interface ReplayReport {
  since: Date;
  replayed: number;
  allowToDeny: number;
  denyToAllow: number;
  allowToDenyFlips: ReplayFlip[];
  denyToAllowFlips: ReplayFlip[];
}

export interface ReplayQuestion {
  principal: Principal;
  action: string;
  resource: Resource;
  context: DecisionContext;
}

const meta = (e: AuditDecision) => e.metadata ?? {};

function labelsOf(value: unknown): Record<string, string> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).filter(([, v]) => typeof v === "string"),
  ) as Record<string, string>;
}

/** The question an event recorded, or null when the event is not a decision of the policy state. */
export function replayQuestion(e: AuditDecision): ReplayQuestion | null {
  if (e.action === null || e.resourceType === null || e.action === "change") return null;
  const m = meta(e);
  if (e.operation === "check") {
    const tokenId = typeof m.subjectTokenId === "string" ? m.subjectTokenId : null;
    if (tokenId === null && e.subjectId === null) return null;
    const context = (m.context ?? {}) as { mfa?: unknown; sourceIp?: unknown };
    return {
      principal: tokenId !== null ? { kind: "token", tokenId } : { kind: "user", userId: e.subjectId! },
      action: e.action,
      resource: {
        type: e.resourceType,
        namespace: e.resourceNamespace ?? "",
        name: e.resourceName ?? "",
        labels: labelsOf(m.labels),
      },
      context: { mfa: context.mfa === true, sourceIp: typeof context.sourceIp === "string" ? context.sourceIp : null },
    };
  }
  if (
    !GUARDED.test(e.operation) ||
    e.resourceNamespace !== "system" ||
    e.actorId === null ||
    e.actorId.startsWith("system:")
  )
    return null;
  return {
    principal: e.tokenId !== null ? { kind: "token", tokenId: e.tokenId } : { kind: "user", userId: e.actorId },
    action: e.action,
    resource: { type: e.resourceType, namespace: "system", name: e.resourceName ?? "", labels: {} },
    context: { mfa: m.mfa === true, sourceIp: e.sourceIp },
  };
}

export class AuditReplay {
  constructor(
    private readonly store: AuditStore,
    private readonly now: () => Date = () => new Date(),
    private readonly batch = BATCH,
  ) {}

  /** Replays the last `days` days, up to the events written when it starts. */
  async replay(engine: Engine, days: number): Promise<ReplayReport> {
    const since = new Date(this.now().getTime() - days * 86_400_000);
    const report: ReplayReport = {
      since,
      replayed: 0,
      allowToDeny: 0,
      denyToAllow: 0,
      allowToDenyFlips: [],
      denyToAllowFlips: [],
    };
    const found = {
      allowToDeny: [] as Array<{ sequence: number; now: Decision }>,
      denyToAllow: [] as Array<{ sequence: number; now: Decision }>,
    };
    const upTo = (await this.store.head()).sequence;
    // Events are numbered in the order they were written, with their own clock's time: the window
    // starts at the first event of `since` (time index) and is read by sequence from there.
    const from = await this.store.firstSequenceSince(since);
    if (from === null) return report;
    // A trail repeats itself (a gateway asks the same question all day): each distinct question
    // is decided once per replay, all against the same state. Bounded, so memory stays flat.
    const decided = new Map<string, Decision>();
    const decide = (q: ReplayQuestion): Decision => {
      const key = questionKey(q);
      let decision = decided.get(key);
      if (decision === undefined) {
        decision = engine.check(q.principal, q.action, q.resource, q.context);
        if (decided.size >= MAX_REMEMBERED) decided.clear();
        decided.set(key, decision);
      }
      return decision;
    };
    // The next batch is read while this one is decided (on MySQL the server works meanwhile).
    let next: Promise<AuditDecision[]> | null = this.store.readDecisions(from, upTo, this.batch);
    while (next !== null) {
      const events: AuditDecision[] = await next;
      next =
        events.length < this.batch
          ? null
          : this.store.readDecisions(events[events.length - 1].sequence + 1, upTo, this.batch);
      for (const event of events) {
        if (event.time < since) continue;
        const q = replayQuestion(event);
        if (q === null) continue;
        report.replayed++;
        const now = decide(q);
        const was = event.decision === "ALLOW";
        if (was === now.allowed) continue;
        const list = was ? found.allowToDeny : found.denyToAllow;
        if (was) report.allowToDeny++;
        else report.denyToAllow++;
        if (list.length < MAX_FLIPS) list.push({ sequence: event.sequence, now });
      }
    }
    // The events of the flips listed are read whole, once the stream is done.
    const whole = async (flips: typeof found.allowToDeny) =>
      Promise.all(
        flips.map(async ({ sequence, now }) => ({ event: (await this.store.range(sequence, sequence))[0], now })),
      );
    report.allowToDenyFlips = await whole(found.allowToDeny);
    report.denyToAllowFlips = await whole(found.denyToAllow);
    return report;
  }
}
