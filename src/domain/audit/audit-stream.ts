// Every committed audit event of the whole deployment, on this instance, in
// sequence order, each once. Events arrive from this instance's own commits
// and from other instances over the cluster bus, in any order and possibly not
// at all (the bus delivers at most once); the database is the authority.
//
// Contracts:
// - Listeners get events in strictly increasing sequence order with no gap and
//   no duplicate, starting after the head that was current when the stream
//   started.
// - An event that arrives ahead of a missing one waits for it at most
//   `gapWaitMs`; then the missing range is read from the database (every event
//   announced anywhere is committed before it is announced).
// - `catchUp()` reads whatever was committed since the last delivered event:
//   the polling fallback when the bus is down, and a safety net when it is up.
//   With no listener it only moves to the head: nothing is owed to anyone.
// - `advance(sequence)` says events up to `sequence` are committed without
//   sending them (no instance wanted them in full): with listeners they are
//   read from the database, without any the position simply moves there.
// - Held events are bounded: beyond `maxHeld` the newest are dropped, to be
//   read back from the database when their turn comes.
import type { AuditStore } from "../ports/audit.port";
import type { AuditEventRecord } from "./audit-event";

export interface AuditStreamOptions {
  gapWaitMs?: number;
  maxHeld?: number;
  batch?: number;
  onError?: (err: unknown) => void;
}

type Source = Pick<AuditStore, "head" | "scanAfter">;

export class AuditStream {
  private readonly held = new Map<number, AuditEventRecord>();
  private readonly listeners = new Set<(events: AuditEventRecord[]) => void>();
  private gapTimer: NodeJS.Timeout | null = null;
  private filling: Promise<void> | null = null;
  private stopped = false;
  /** The highest sequence announced by `advance`: a fill in progress may have read a lower head. */
  private announced = 0;
  private readonly gapWaitMs: number;
  private readonly maxHeld: number;
  private readonly batch: number;

  private constructor(
    private readonly source: Source,
    private delivered: number,
    private readonly options: AuditStreamOptions,
  ) {
    this.gapWaitMs = options.gapWaitMs ?? 100;
    this.maxHeld = options.maxHeld ?? 50_000;
    this.batch = options.batch ?? 1000;
  }

  /** A stream positioned at the current head: it delivers what is committed from now on. */
  static async start(source: Source, options: AuditStreamOptions = {}): Promise<AuditStream> {
    return new AuditStream(source, (await source.head()).sequence, options);
  }

  /** The last sequence delivered to listeners. */
  position(): number {
    return this.delivered;
  }

  /** Whether anyone listens: then other instances send their events in full. */
  hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  /** Events up to `sequence` are committed; their content was not sent. */
  advance(sequence: number): void {
    if (this.stopped || sequence <= this.delivered) return;
    if (this.listeners.size === 0) {
      // Nothing is owed to anyone (as in catchUp), and no read is needed to know where the head is.
      this.delivered = sequence;
      for (const held of this.held.keys()) if (held <= sequence) this.held.delete(held);
      this.flush();
      return;
    }
    this.announced = Math.max(this.announced, sequence);
    void this.catchUp();
  }

  listen(listener: (events: AuditEventRecord[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Committed events, from anywhere, in any order; duplicates and old events are ignored. */
  offer(records: readonly AuditEventRecord[]): void {
    if (this.stopped) return;
    for (const record of records) {
      if (record.sequence <= this.delivered || this.held.has(record.sequence)) continue;
      if (this.held.size >= this.maxHeld) break;
      this.held.set(record.sequence, record);
    }
    this.flush();
  }

  /** Reads and delivers everything committed after the position. Concurrent calls share one read. */
  catchUp(): Promise<void> {
    if (this.filling) return this.filling;
    this.filling = this.fill().finally(() => {
      this.filling = null;
      // Announced while the read was under way, past the head it read: read again.
      if (this.announced > this.delivered && !this.stopped && this.listeners.size > 0) void this.catchUp();
      else if (this.held.size > 0) this.scheduleGapFill();
    });
    return this.filling;
  }

  stop(): void {
    this.stopped = true;
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = null;
    this.held.clear();
    this.listeners.clear();
  }

  private async fill(): Promise<void> {
    try {
      const head = (await this.source.head()).sequence;
      if (this.listeners.size === 0) {
        // Nobody to deliver to: move to the head without reading the events (a
        // subscriber that starts later replays from the table what it asks for).
        if (head > this.delivered) this.delivered = head;
        for (const sequence of this.held.keys()) if (sequence <= head) this.held.delete(sequence);
        this.flush();
        return;
      }
      while (!this.stopped && this.delivered < head) {
        const events = await this.source.scanAfter({}, this.delivered, head, this.batch);
        if (events.length === 0) break;
        for (const event of events) if (event.sequence > this.delivered) this.held.set(event.sequence, event);
        this.flush();
      }
    } catch (err) {
      this.options.onError?.(err);
    }
  }

  private flush(): void {
    const out: AuditEventRecord[] = [];
    for (let next = this.held.get(this.delivered + 1); next !== undefined; next = this.held.get(this.delivered + 1)) {
      this.held.delete(next.sequence);
      this.delivered = next.sequence;
      out.push(next);
    }
    if (out.length > 0) {
      for (const listener of this.listeners) {
        try {
          listener(out);
        } catch {
          // a listener's failure is its own; the stream goes on
        }
      }
    }
    if (this.held.size === 0 && this.gapTimer) {
      clearTimeout(this.gapTimer);
      this.gapTimer = null;
    } else if (this.held.size > 0) {
      this.scheduleGapFill();
    }
  }

  private scheduleGapFill(): void {
    if (this.gapTimer || this.filling || this.stopped) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      void this.catchUp();
    }, this.gapWaitMs);
    this.gapTimer.unref();
  }
}
