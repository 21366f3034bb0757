// The SQLite audit writer on a worker thread. better-sqlite3 is synchronous: a
// batch written on the request thread (numbering, hashing, inserting,
// committing) stalls every request for as long as it takes. Here the worker
// (sqlite-audit-writer.worker.ts) owns a connection of its own and does all of
// it; the request thread sends the events and rebuilds the records from the
// ids and hashes it gets back.
//
// Contracts:
// - append resolves only after the batch's COMMIT (the durability promise: a
//   decision's event is committed before its response is sent); a failed
//   batch, or a worker that died, rejects every event of it.
// - Batches are written in the order they were sent, one transaction each.
// - The worker starts with the first append (a CLI command that writes no
//   audit event never starts one) and keeps the process alive only while a
//   batch is in flight.
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { AuditEventInput, AuditEventRecord } from "../domain/audit/audit-event";
import { chainedRecord } from "../domain/audit/audit-hash";
import type { Mutex } from "../domain/mutex";
import type { WriterReply, WriterRequest } from "./sqlite-audit-writer.worker";

const ID_LENGTH = 36;
const HASH_LENGTH = 64;

interface InFlight {
  events: AuditEventInput[];
  resolve(records: AuditEventRecord[]): void;
  reject(err: Error): void;
}

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
    private readonly writer: SqliteAuditWriter,
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

export class SqliteAuditWriter {
  private worker: Worker | null = null;
  private readonly inFlight = new Map<number, InFlight>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly path: string) {}

  append(events: AuditEventInput[]): Promise<AuditEventRecord[]> {
    if (this.closed) return Promise.reject(new Error("the audit writer is closed"));
    if (events.length === 0) return Promise.resolve([]);
    const worker = this.started();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.inFlight.set(id, { events, resolve, reject });
      if (this.inFlight.size === 1) worker.ref();
      const request: WriterRequest = { id, events };
      worker.postMessage(request);
    });
  }

  /** Lets batches in flight finish, then stops the worker. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      worker.once("exit", () => resolve());
      // Keeps the process alive until the worker has closed its connection.
      worker.ref();
      worker.postMessage("close");
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(join(__dirname, "sqlite-audit-writer.worker.js"), { workerData: { path: this.path } });
    worker.unref();
    worker.on("message", (reply: WriterReply) => this.settle(reply));
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const pending of this.inFlight.values()) pending.reject(err);
      this.inFlight.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the audit writer thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: WriterReply): void {
    const pending = this.inFlight.get(reply.id);
    if (!pending) return;
    this.inFlight.delete(reply.id);
    if (this.inFlight.size === 0) this.worker?.unref();
    if (!reply.ok) return pending.reject(new Error(reply.message));
    let { sequence, prevHash } = reply;
    const { events } = pending;
    const records = new Array<AuditEventRecord>(events.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      sequence += 1;
      const hash = reply.hashes.slice(i * HASH_LENGTH, (i + 1) * HASH_LENGTH);
      records[i] = chainedRecord(e, reply.ids.slice(i * ID_LENGTH, (i + 1) * ID_LENGTH), sequence, prevHash, hash);
      prevHash = hash;
    }
    pending.resolve(records);
  }
}
