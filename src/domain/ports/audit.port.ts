import type { AuditEventInput, AuditEventRecord } from "../audit/audit-event";
import type { AuditFilter } from "../audit/audit-filter";

export type ChainFn = (head: { sequence: number; hash: string }, events: AuditEventInput[]) => AuditEventRecord[];

export interface AuditStore {
  /**
   * In one transaction of its own: locks the chain head (so that instances sharing
   * the database never interleave), lets `chain` number and hash the events after
   * it, inserts them and moves the head. All or nothing; resolves after commit.
   */
  append(events: AuditEventInput[], chain: ChainFn): Promise<AuditEventRecord[]>;
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
}
