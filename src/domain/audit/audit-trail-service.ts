// Reading the audit trail: search (newest first, cursor paging), export
// (oldest first, in batches) and chain verification (docs/audit.md).
import { badInput } from "../errors";
import type { AuditStore } from "../ports/audit.port";
import { GENESIS_HASH, type AuditEventRecord } from "./audit-event";
import type { AuditFilter } from "./audit-filter";
import { decodeAuditCursor, encodeAuditCursor } from "./audit-cursor";
import { eventHash } from "./audit-hash";

export const MAX_PAGE = 500;
/** Rows per query when streaming (export, verification): bounded memory whatever the trail's size. */
export const STREAM_BATCH = 1000;

export interface AuditPage {
  nodes: AuditEventRecord[];
  nextCursor: string | null;
}

export interface AuditChainReport {
  ok: boolean;
  /** Events read and recomputed (up to and including the first broken one). */
  checked: number;
  firstBrokenSequence: number | null;
}

export class AuditTrailService {
  constructor(private readonly store: AuditStore) {}

  async search(filter: AuditFilter, first: number, after: string | null): Promise<AuditPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw badInput("first", `must be between 1 and ${MAX_PAGE}`);
    const before = after == null ? null : decodeAuditCursor(after, "after");
    // One more than asked: whether it exists decides if there is a next page.
    const rows = await this.store.searchBefore(filter, before, first + 1);
    const nodes = rows.slice(0, first);
    const more = rows.length > first;
    return { nodes, nextCursor: more ? encodeAuditCursor(nodes[nodes.length - 1]!.sequence) : null };
  }

  /**
   * Matching events oldest first, one batch at a time, up to the head as it was
   * when the export started (so a busy trail cannot keep an export running forever).
   */
  async *exportBatches(filter: AuditFilter): AsyncGenerator<AuditEventRecord[]> {
    const { sequence: upTo } = await this.store.head();
    let after = 0;
    for (;;) {
      const batch = await this.store.scanAfter(filter, after, upTo, STREAM_BATCH);
      if (batch.length === 0) return;
      yield batch;
      if (batch.length < STREAM_BATCH) return;
      after = batch[batch.length - 1]!.sequence;
    }
  }

  /**
   * Recomputes numbering and the hash chain from sequence 1 up to the head read
   * at the start, then compares the end of the chain with audit_head. A row
   * edited (hash mismatch), deleted (gap), moved or swapped (sequence or prevHash
   * mismatch) breaks the chain where it happened; rows cut off the tail leave
   * audit_head ahead of the last row and break it just after the last one left.
   */
  async verify(): Promise<AuditChainReport> {
    const head = await this.store.head();
    let expected = 1;
    let prev = GENESIS_HASH;
    let checked = 0;
    const broken = (sequence: number): AuditChainReport => ({ ok: false, checked, firstBrokenSequence: sequence });
    let after = 0;
    for (;;) {
      const batch = await this.store.scanAfter({}, after, head.sequence, STREAM_BATCH);
      for (const row of batch) {
        checked++;
        if (row.sequence !== expected) return broken(expected);
        if (row.prevHash !== prev || eventHash(row.prevHash, row) !== row.hash) return broken(row.sequence);
        prev = row.hash;
        expected++;
      }
      if (batch.length < STREAM_BATCH) break;
      after = batch[batch.length - 1]!.sequence;
    }
    const last = expected - 1;
    if (last !== head.sequence) return broken(last + 1);
    if (head.hash !== prev) return broken(last);
    return { ok: true, checked, firstBrokenSequence: null };
  }
}
