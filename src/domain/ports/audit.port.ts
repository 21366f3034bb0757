import type { AuditEventInput, AuditEventRecord } from "../audit/audit-event";
import type { AuditFilter } from "../audit/audit-filter";

export interface ChainHead {
  sequence: number;
  hash: string;
}

/** One stored event as chain verification reads it. */
export interface StoredEvent {
  sequence: number;
  /** The event; null when a column cannot be read back (metadata that is not JSON…). */
  record: AuditEventRecord | null;
  /** The roles the `role` search index (audit_event_roles) holds for this sequence. */
  indexedRoles: string[];
}

/** What a replay reads of an event: enough to ask its question again. */
export type AuditDecision = Pick<
  AuditEventRecord,
  | "sequence"
  | "time"
  | "actorId"
  | "tokenId"
  | "sourceIp"
  | "operation"
  | "action"
  | "resourceType"
  | "resourceNamespace"
  | "resourceName"
  | "subjectId"
  | "decision"
  | "metadata"
>;

export type ChainFn = (head: ChainHead, events: AuditEventInput[]) => AuditEventRecord[];

export interface AuditStore {
  /**
   * In one transaction of its own: locks the chain head (so that instances sharing
   * the database never interleave), lets `chain` number and hash the events after
   * it, inserts them and moves the head. All or nothing; resolves after commit.
   * `expected` is where the caller expects the head to be: the rows may be
   * prepared from it before the head is locked (so that the work overlaps
   * another append's commit), and are prepared again when the head is elsewhere.
   */
  append(events: AuditEventInput[], chain: ChainFn, expected?: ChainHead): Promise<AuditEventRecord[]>;
  /**
   * Where the store has a writer of its own (a worker thread), it numbers
   * and hashes the events there, with `chain` of audit-hash.ts, after the head it
   * finds under its lock: otherwise as append. Resolves after commit.
   */
  appendChained?(events: AuditEventInput[]): Promise<AuditEventRecord[]>;
  /**
   * How many appends are worth having in flight at once: 1 where the store runs
   * them one after another anyway (SQLite); more where one can be prepared
   * while another commits (MySQL). Absent means 1.
   */
  readonly concurrentAppends?: number;
  /** Events with sequence in [from, to], ascending. */
  range(from: number, to: number): Promise<AuditEventRecord[]>;
  /** The last sequence and hash written. */
  head(): Promise<{ sequence: number; hash: string }>;
  /**
   * Newest first: at most `limit` events matching `filter` with sequence below
   * `before` (every sequence when null), in descending sequence order. Served by
   * the (column, sequence) indexes, so a page costs about `limit` index entries.
   */
  searchBefore(filter: AuditFilter, before: number | null, limit: number): Promise<AuditEventRecord[]>;
  /**
   * Oldest first: at most `limit` events matching `filter` with sequence above
   * `after` and at most `upTo`, in ascending sequence order — for streaming in
   * batches (export, chain verification) without holding the whole result.
   */
  scanAfter(filter: AuditFilter, after: number, upTo: number, limit: number): Promise<AuditEventRecord[]>;
  /** At most `limit` stored events with sequence in (after, upTo], ascending, each with its role index rows. */
  scanStored(after: number, upTo: number, limit: number): Promise<StoredEvent[]>;
  /** Where verification last found the chain intact; null before the first verification. */
  checkpoint(): Promise<ChainHead | null>;
  /** Moves the checkpoint to `at`; never backwards (another instance may have verified further). */
  saveCheckpoint(at: ChainHead): Promise<void>;

  /**
   * Oldest first: at most `limit` events with sequence in [from, to], as the
   * fields a decision is asked again from (AuditDecision) — a primary-key range,
   * nothing filtered or joined, the chain and actor details left out — for
   * streaming long stretches of the trail (a replay) batch by batch.
   */
  readDecisions(from: number, to: number, limit: number): Promise<AuditDecision[]>;
  /**
   * The lowest sequence among events whose time is at or after `since` (through
   * the time index); null when there is none.
   */
  firstSequenceSince(since: Date): Promise<number | null>;
}
