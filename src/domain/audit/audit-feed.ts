// The live `auditEvents` subscription (docs/audit.md), on this instance.
//
// Contracts:
// - A subscriber needs audit:read. The check when it starts is audited (operation
//   `Subscription.auditEvents`); the check repeated before each delivery is not,
//   since auditing it would feed the trail from itself (one event per delivered
//   event, each delivered again).
// - Live events come from the instance's audit stream: every instance's events,
//   in sequence order, each once (see audit-stream.ts).
// - `resumeAfter` is a plain sequence number: events after it are replayed from
//   the table, then live events follow, with no gap and no duplicate. The feed
//   listens before it reads the head, so every event above that head reaches the
//   live buffer; buffered events at or below it were replayed and are skipped.
// - Listening never slows the audit writer: the listener filters and appends.
//   A subscriber whose buffer passes `bufferLimit` is ended ("overflow"), and its
//   transport closes it; nobody else waits for it.
import type { DecisionMetrics, FeedMetrics } from "../../observability/metric-ports";
import { DomainError, badInput } from "../errors";
import { auditedSystemCheck } from "../decisions/audited-system-check";
import { callerContext, enginePrincipal } from "../engine-principal";
import type { AuditStore } from "../ports/audit.port";
import type { PolicyRuntime } from "../policy/policy-runtime";
import type { Principal } from "../principal";
import type { AuditEventRecord } from "./audit-event";
import type { AuditFilter } from "./audit-filter";
import type { AuditLog } from "./group-commit-audit-log";
import type { AuditStream } from "./audit-stream";
import { matchesAuditFilter } from "./audit-event-matcher";

export const FEED_CAPABILITY = "audit:read";
export const FEED_OPERATION = "Subscription.auditEvents";
/** Live events a subscriber may have waiting before it is disconnected. */
export const FEED_BUFFER_LIMIT = 1000;
const REPLAY_BATCH = 500;

/** Why a feed ended on its own: the transport closes the connection accordingly. */
export type FeedEnd = "overflow" | "forbidden";

export interface FeedRequest {
  principal: Principal;
  filter: AuditFilter;
  /** A sequence number as a decimal string; null for live events only. */
  resumeAfter: string | null;
  requestId: string | null;
  onEnd: (why: FeedEnd) => void;
}

export interface FeedDeps {
  runtime: PolicyRuntime;
  /** Where the start decision is recorded. */
  audit: AuditLog;
  /** Replays come from here. */
  store: AuditStore;
  /** Live events of every instance, in sequence order. */
  events: Pick<AuditStream, "listen">;
  metrics?: FeedMetrics & DecisionMetrics;
}

export class AuditFeed {
  constructor(
    private readonly deps: FeedDeps,
    private readonly bufferLimit = FEED_BUFFER_LIMIT,
  ) {}

  /** Checks (audited) and validates, then starts listening; throws DomainError otherwise. */
  async open(request: FeedRequest): Promise<AsyncIterableIterator<AuditEventRecord>> {
    const decision = await auditedSystemCheck(this.deps, request.principal, {
      operation: FEED_OPERATION,
      capability: FEED_CAPABILITY,
      name: "",
      requestId: request.requestId,
    });
    if (!decision.allowed) {
      const details = { reason: decision.reason, capability: FEED_CAPABILITY };
      throw decision.reason === "MFA_REQUIRED"
        ? new DomainError(
            "MFA_REQUIRED",
            `${FEED_OPERATION} needs ${FEED_CAPABILITY} with MFA: step up and retry`,
            details,
          )
        : new DomainError("FORBIDDEN", `${FEED_OPERATION} needs ${FEED_CAPABILITY} (${decision.reason})`, details);
    }
    const resumeAfter = parseResumeAfter(request.resumeAfter);
    const mayRead = () => this.mayRead(request.principal);
    return new FeedIterator(this.deps, request.filter, resumeAfter, this.bufferLimit, mayRead, request.onEnd);
  }

  /** The per-delivery check: the engine as it is now, not audited (see above). */
  private mayRead(principal: Principal): boolean {
    const [type, capability] = FEED_CAPABILITY.split(":") as [string, string];
    const resource = { type, namespace: "system", name: "", labels: {} };
    return this.deps.runtime.engine().check(enginePrincipal(principal), capability, resource, callerContext(principal))
      .allowed;
  }
}

function parseResumeAfter(text: string | null): number | null {
  if (text === null) return null;
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw badInput("resumeAfter", 'must be an event sequence number, e.g. "42"');
  }
  return Number(text);
}

/**
 * Hand-written rather than an async generator: `return()` must end a feed that
 * is waiting for the next event (a generator suspended in an await cannot be
 * returned until that await settles, which leaks the listener).
 */
class FeedIterator implements AsyncIterableIterator<AuditEventRecord> {
  private buffer: AuditEventRecord[] = [];
  private wake: (() => void) | null = null;
  private ended = false;
  private readonly unlisten: () => void;
  /** Replay state; null once replay is done (or when there is none). */
  private replay: { after: number; upTo: number | null; batch: AuditEventRecord[] } | null;
  /** Live events at or below this were (or will be) replayed from the table. */
  private skipUpTo = 0;

  constructor(
    private readonly deps: Pick<FeedDeps, "store" | "events" | "metrics">,
    private readonly filter: AuditFilter,
    resumeAfter: number | null,
    private readonly bufferLimit: number,
    private readonly mayRead: () => boolean,
    private readonly onEnd: (why: FeedEnd) => void,
  ) {
    this.replay = resumeAfter === null ? null : { after: resumeAfter, upTo: null, batch: [] };
    // Listen first: the head read afterwards bounds the replay.
    this.unlisten = deps.events.listen((events) => this.receive(events));
    deps.metrics?.subscriptionOpened();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<AuditEventRecord> {
    return this;
  }

  async next(): Promise<IteratorResult<AuditEventRecord>> {
    const replayed = await this.nextReplayed();
    if (replayed) return this.deliver(replayed);
    for (;;) {
      while (this.buffer.length === 0 && !this.ended) await new Promise<void>((resolve) => (this.wake = resolve));
      if (this.ended) return { done: true, value: undefined };
      const event = this.buffer.shift()!;
      if (event.sequence > this.skipUpTo) return this.deliver(event);
    }
  }

  return(): Promise<IteratorResult<AuditEventRecord>> {
    this.end(null);
    return Promise.resolve({ done: true, value: undefined });
  }

  private async nextReplayed(): Promise<AuditEventRecord | null> {
    const replay = this.replay;
    if (!replay) return null;
    if (replay.upTo === null) {
      replay.upTo = (await this.deps.store.head()).sequence;
      this.skipUpTo = Math.max(replay.upTo, replay.after);
    }
    if (replay.batch.length === 0 && replay.after < replay.upTo) {
      replay.batch = await this.deps.store.scanAfter(this.filter, replay.after, replay.upTo, REPLAY_BATCH);
      replay.after = replay.batch.length < REPLAY_BATCH ? replay.upTo : replay.batch[replay.batch.length - 1].sequence;
    }
    const event = replay.batch.shift();
    if (event === undefined) this.replay = null;
    return this.ended ? null : (event ?? null);
  }

  private deliver(event: AuditEventRecord): IteratorResult<AuditEventRecord> {
    if (this.ended) return { done: true, value: undefined };
    if (!this.mayRead()) {
      this.end("forbidden");
      return { done: true, value: undefined };
    }
    this.deps.metrics?.delivered();
    return { done: false, value: event };
  }

  /** The stream's listener: filter and append, nothing that could wait. */
  private receive(events: AuditEventRecord[]): void {
    if (this.ended) return;
    for (const event of events) if (matchesAuditFilter(this.filter, event)) this.buffer.push(event);
    if (this.buffer.length > this.bufferLimit) return this.end("overflow");
    this.wake?.();
    this.wake = null;
  }

  private end(why: FeedEnd | null): void {
    if (this.ended) return;
    this.ended = true;
    this.unlisten();
    if (why === "overflow") this.deps.metrics?.dropped(this.buffer.length);
    this.deps.metrics?.subscriptionClosed();
    this.buffer = [];
    this.wake?.();
    this.wake = null;
    if (why) this.onEnd(why);
  }
}
