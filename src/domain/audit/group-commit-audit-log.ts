// Every decision is written before the response that describes it is sent, but
// not one insert per event: concurrent events wait together and are written in
// one transaction (group commit). A failed write rejects every event of its
// batch, so each caller fails closed.
import { randomUUID } from "node:crypto";
import type { AuditStore } from "../ports/audit.port";
import { type AuditEventInput, type AuditEventRecord } from "./audit-event";
import { eventHash } from "./audit-hash";

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

export class GroupCommitAuditLog implements AuditLog {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private readonly listeners = new Set<(events: AuditEventRecord[]) => void>();

  constructor(
    private readonly store: AuditStore,
    private readonly maxBatch = 2000,
  ) {}

  record(event: AuditEventInput): Promise<AuditEventRecord> {
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

  private async flushLoop(): Promise<void> {
    // Let the callers of this tick join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const records = await this.store.append(batch.map((p) => p.event), (head, events) => chain(head, events));
          batch.forEach((p, i) => p.resolve(records[i]!));
          this.publish(records);
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.flushing = null;
    }
  }
}

/** Numbers and chains a batch after the current head. */
export function chain(head: { sequence: number; hash: string }, events: AuditEventInput[]): AuditEventRecord[] {
  let { sequence, hash: prevHash } = head;
  return events.map((event) => {
    sequence += 1;
    const unhashed = { ...event, id: randomUUID(), sequence };
    const hash = eventHash(prevHash, unhashed);
    const record: AuditEventRecord = { ...unhashed, prevHash, hash };
    prevHash = hash;
    return record;
  });
}
