// Every decision is written before the response that describes it is sent, but
// not one insert per event: concurrent events wait together and are written in
// one transaction (group commit). A failed write rejects every event of its
// batch, so each caller fails closed.
import type { AuditStore, ChainFn, ChainHead } from "../ports/audit.port";
import { type AuditEventInput, type AuditEventRecord } from "./audit-event";
import { chain } from "./audit-hash";
import { noMetrics, secondsSince, type AuditMetrics } from "../../observability/metric-ports";

export { chain };

interface Pending {
  event: AuditEventInput;
  resolve(record: AuditEventRecord): void;
  reject(err: unknown): void;
}

export interface AuditLog {
  /** Resolves once the event is durable; rejects when it could not be written. */
  record(event: AuditEventInput): Promise<AuditEventRecord>;
  /** Called with each committed batch, in sequence order. */
  onCommitted(listener: (events: AuditEventRecord[]) => void): () => void;
  /** Tells listeners about events written elsewhere (in a caller's own transaction). */
  publish(records: AuditEventRecord[]): void;
  /** Waits for writes in progress. */
  drain(): Promise<void>;
}

export interface AuditLogOptions {
  metrics?: AuditMetrics;
  /** The trace the caller is part of, if tracing is on: kept in the event's metadata as `traceId`. */
  traceId?: () => string | null;
  /** Wraps each caller's wait for its event to be durable in a trace span (tracing on). */
  span?: <T>(name: string, work: () => Promise<T>) => Promise<T>;
}

export class GroupCommitAuditLog implements AuditLog {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private readonly listeners = new Set<(events: AuditEventRecord[]) => void>();
  /** The head after the last batch this log wrote; null before the first, or after a failure. */
  private lastHead: ChainHead | null = null;

  constructor(
    private readonly store: AuditStore,
    private readonly maxBatch = 2000,
    private readonly options: AuditLogOptions = {},
  ) {}

  /** Events waiting for a group commit. */
  pending(): number {
    return this.queue.length;
  }

  record(event: AuditEventInput): Promise<AuditEventRecord> {
    const traceId = this.options.traceId?.() ?? null;
    if (traceId !== null) event = { ...event, metadata: { ...event.metadata, traceId } };
    const span = traceId !== null ? this.options.span : undefined;
    return span ? span("audit commit", () => this.enqueue(event)) : this.enqueue(event);
  }

  /** Queues the event for the next group commit; resolves once it is durable. */
  private enqueue(event: AuditEventInput): Promise<AuditEventRecord> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  onCommitted(listener: (events: AuditEventRecord[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(records: AuditEventRecord[]): void {
    (this.options.metrics ?? noMetrics).written(records);
    for (const listener of this.listeners) {
      try {
        listener(records);
      } catch {
        // a listener's failure is its own; the events are written
      }
    }
  }

  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /**
   * Writes the queue in batches. Where the store allows it, the next batch is
   * prepared (numbered, hashed, formatted) from where the batches in flight
   * will leave the head, while they commit; the store prepares it again if the
   * head is elsewhere (another instance, or a policy write, moved it). Callers
   * and listeners hear of batches in the order they were written.
   */
  private async flushLoop(): Promise<void> {
    // Let the callers of this tick join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    const depth = Math.max(1, this.store.concurrentAppends ?? 1);
    const inFlight: Array<Promise<void>> = [];
    let settled: Promise<void> = Promise.resolve();
    // Where the head will stand once the batches in flight are written; null when not known.
    let expected: ChainHead | null = this.lastHead;
    try {
      while (this.queue.length > 0 || inFlight.length > 0) {
        const chainsItself = this.store.appendChained !== undefined;
        if (
          this.queue.length === 0 ||
          inFlight.length >= depth ||
          (expected === null && inFlight.length > 0 && !chainsItself)
        ) {
          await inFlight.shift();
          if (inFlight.length === 0) expected = this.lastHead;
          continue;
        }
        const batch = this.queue.splice(0, this.maxBatch);
        const events = batch.map((p) => p.event);
        const started = process.hrtime.bigint();
        // A store with a writer of its own chains there: nothing to predict here.
        const own = this.store.appendChained?.(events);
        const base = own ? null : expected;
        const predicted = base ? chain(base, events) : null;
        const chainFn: ChainFn = (head, evs) =>
          predicted && base && head.sequence === base.sequence && head.hash === base.hash
            ? predicted
            : chain(head, evs);
        const appended = own ?? this.store.append(events, chainFn, base ?? undefined);
        // Handled below, in order; marked handled now so that an early failure is not reported as unhandled.
        appended.catch(() => undefined);
        expected = predicted !== null && predicted.length > 0 ? headOf(predicted) : null;
        settled = settled
          .then(() => appended)
          .then(
            (records) => {
              this.options.metrics?.batchCommitted(records.length, secondsSince(started));
              if (records.length > 0) this.lastHead = headOf(records);
              batch.forEach((p, i) => p.resolve(records[i]));
              this.publish(records);
            },
            (err: unknown) => {
              this.lastHead = null;
              for (const p of batch) p.reject(err);
            },
          );
        inFlight.push(settled);
        // Let the callers of this tick join the next batch.
        if (depth > 1) await new Promise<void>((r) => setImmediate(r));
        else {
          await inFlight.shift();
          expected = this.lastHead;
        }
      }
    } finally {
      this.flushing = null;
    }
  }
}

function headOf(records: AuditEventRecord[]): ChainHead {
  const last = records[records.length - 1];
  return { sequence: last.sequence, hash: last.hash };
}
