// An audit writer on a worker thread of its own: the request thread sends each
// group commit's events and rebuilds the records from the ids and hashes it
// gets back; the worker (sqlite-audit-writer.worker.ts, mysql-audit-writer.worker.ts)
// reads the chain head under the database's lock, numbers and hashes the
// events after it, inserts them with their role rows, moves the head and
// commits. Numbering, hashing, formatting rows and the driver's work stay off
// the thread that serves requests.
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
import { chainedRecord, chainInPlace } from "../domain/audit/audit-hash";
import type { ChainHead } from "../domain/ports/audit.port";

/** One batch, sent to the worker. */
export interface WriterRequest {
  id: number;
  events: AuditEventInput[];
}

/** The worker's answer to a batch: the head it chained from, and each event's id and hash, concatenated. */
export type WriterReply =
  | { id: number; ok: true; sequence: number; prevHash: string; ids: string; hashes: string }
  | { id: number; ok: false; message: string };

/** What a worker is sent to stop: it finishes the batches it has, closes its connections and exits. */
export const CLOSE = "close";

const ID_LENGTH = 36;
const HASH_LENGTH = 64;

/**
 * A worker's batch chained after `head`, one event at a time, with what its
 * reply carries: each event's id and hash, concatenated in order (what
 * AuditWriterThread.settle reads back).
 */
export class ChainedBatch {
  sequence: number;
  prevHash: string;
  ids = "";
  hashes = "";

  constructor(readonly head: ChainHead) {
    this.sequence = head.sequence;
    this.prevHash = head.hash;
  }

  /** Numbers and hashes `event`, the worker's own clone, in place as the next event of the chain. */
  next(event: AuditEventInput): AuditEventRecord {
    this.sequence += 1;
    const record = chainInPlace(event, this.sequence, this.prevHash);
    this.prevHash = record.hash;
    this.ids += record.id;
    this.hashes += record.hash;
    return record;
  }

  /** Where the head stands after the events chained so far. */
  last(): ChainHead {
    return { sequence: this.sequence, hash: this.prevHash };
  }

  /** The answer to batch `id`, once it is committed. */
  reply(id: number): WriterReply {
    return { id, ok: true, sequence: this.head.sequence, prevHash: this.head.hash, ids: this.ids, hashes: this.hashes };
  }
}

/** The answer to batch `id` when it could not be written. */
export function failedReply(id: number, err: unknown): WriterReply {
  return { id, ok: false, message: err instanceof Error ? err.message : String(err) };
}

interface InFlight {
  events: AuditEventInput[];
  resolve(records: AuditEventRecord[]): void;
  reject(err: Error): void;
}

export class AuditWriterThread {
  private worker: Worker | null = null;
  private readonly inFlight = new Map<number, InFlight>();
  private nextId = 1;
  private closed = false;

  /** `script`: the worker's compiled file beside this one; `data`: its workerData (where its database is). */
  constructor(
    private readonly script: string,
    private readonly data: unknown,
  ) {}

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
      worker.postMessage(CLOSE);
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(join(__dirname, this.script), { workerData: this.data });
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
