// The SQLite audit writer on a worker thread (audit-writer-thread.ts). better-sqlite3
// is synchronous: a batch written on the request thread (numbering, hashing,
// inserting, committing) stalls every request for as long as it takes. Here the
// worker (sqlite-audit-writer.worker.ts) owns a connection of its own and does
// all of it.
import type { AuditEventInput, AuditEventRecord } from "../domain/audit/audit-event";
import type { Mutex } from "../domain/mutex";
import { AuditWriterThread } from "./audit-writer-thread";

/**
 * Appends under the request thread's SQLite lock, so that its own statements
 * and transactions never wait on the writer's SQLite lock (which would block
 * the thread in busy_timeout) nor start a snapshot the writer invalidates. A
 * batch sent while another is in flight joins that one's turn, so the worker
 * always has the next batch ready; once someone else waits for the lock, new
 * batches queue for it like anyone else.
 */
export class LockedAppends {
  private turn: { inFlight: number; end(): void } | null = null;

  constructor(
    private readonly writer: AuditWriterThread,
    private readonly lock: Mutex,
  ) {}

  append(events: AuditEventInput[]): Promise<AuditEventRecord[]> {
    const turn = this.turn;
    if (turn && !this.lock.contended()) return this.within(turn, events);
    let appended!: Promise<AuditEventRecord[]>;
    const started = new Promise<void>((ready) => {
      void this.lock.run(
        () =>
          new Promise<void>((end) => {
            const mine = { inFlight: 0, end };
            this.turn = mine;
            appended = this.within(mine, events);
            ready();
          }),
      );
    });
    return started.then(() => appended);
  }

  private within(turn: { inFlight: number; end(): void }, events: AuditEventInput[]): Promise<AuditEventRecord[]> {
    turn.inFlight++;
    return this.writer.append(events).finally(() => {
      if (--turn.inFlight > 0) return;
      if (this.turn === turn) this.turn = null;
      turn.end();
    });
  }
}

/** The SQLite writer thread: its own connection to the database file, in WAL mode. */
export class SqliteAuditWriter extends AuditWriterThread {
  constructor(path: string) {
    super("sqlite-audit-writer.worker.js", { path });
  }
}
