import type { AuditEventInput, AuditEventRecord } from "../audit/audit-event";

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
}
