// Reading the audit trail: search (newest first, cursor paging), export
// (oldest first, in batches) and chain verification (docs/audit.md).
import { badInput } from "../errors";
import type { AuditStore, ChainHead } from "../ports/audit.port";
import { GENESIS_HASH, type AuditEventRecord } from "./audit-event";
import type { AuditFilter } from "./audit-filter";
import { decodeAuditCursor, encodeAuditCursor } from "./audit-cursor";
import { eventHash } from "./audit-hash";

export const MAX_PAGE = 500;
/** Rows per query when streaming (export, verification): bounded memory whatever the trail's size. */
export const STREAM_BATCH = 1000;

/**
 * Events read, recomputed and compared per step of chain verification, which
 * yields to the event loop between steps: small enough that one step (the read
 * and the hashing) stays well under the 100 ms any request may hold the loop.
 */
export const VERIFY_BATCH = 250;

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
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw badInput("first", `must be between 1 and ${MAX_PAGE}`);
    const before = after == null ? null : decodeAuditCursor(after, "after");
    // One more than asked: whether it exists decides if there is a next page.
    const rows = await this.store.searchBefore(filter, before, first + 1);
    const nodes = rows.slice(0, first);
    const more = rows.length > first;
    return { nodes, nextCursor: more ? encodeAuditCursor(nodes[nodes.length - 1].sequence) : null };
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
      after = batch[batch.length - 1].sequence;
    }
  }

  /**
   * Recomputes numbering and the hash chain up to the head read at the start,
   * then compares the end of the chain with audit_head. A row edited (hash
   * mismatch), deleted (gap), moved or swapped (sequence or prevHash mismatch),
   * unreadable (metadata that is not JSON) or whose role-index rows differ from
   * its actorRoles (what `role` searches read) breaks the chain where it
   * happened; rows cut off the tail leave audit_head ahead of the last row and
   * break it just after the last one left.
   *
   * It starts from the stored checkpoint (where the last verification found the
   * chain intact, checking that that event still carries the same hash) unless
   * `full`, and moves the checkpoint to the head when it finds no break. Reads
   * and hashes VERIFY_BATCH events at a time, yielding to the event loop between
   * batches. Concurrent calls of the same kind share one run.
   */
  verify(full = false): Promise<AuditChainReport> {
    const running = this.running.get(full);
    if (running) return running;
    const run = this.verifyOnce(full).finally(() => this.running.delete(full));
    this.running.set(full, run);
    return run;
  }

  private readonly running = new Map<boolean, Promise<AuditChainReport>>();

  private async verifyOnce(full: boolean): Promise<AuditChainReport> {
    const head = await this.store.head();
    let checked = 0;
    const broken = (sequence: number): AuditChainReport => ({ ok: false, checked, firstBrokenSequence: sequence });
    let from: ChainHead = { sequence: 0, hash: GENESIS_HASH };
    const checkpoint = full ? null : await this.store.checkpoint();
    if (checkpoint && checkpoint.sequence > 0) {
      // Events verified before have gone from the tail.
      if (checkpoint.sequence > head.sequence) return broken(head.sequence + 1);
      const [at] = await this.store.scanStored(checkpoint.sequence - 1, checkpoint.sequence, 1);
      if (!at || at.record?.hash !== checkpoint.hash) return broken(checkpoint.sequence);
      from = checkpoint;
    }
    let expected = from.sequence + 1;
    let prev = from.hash;
    let after = from.sequence;
    for (;;) {
      const batch = await this.store.scanStored(after, head.sequence, VERIFY_BATCH);
      for (const { sequence, record, indexedRoles } of batch) {
        checked++;
        if (sequence !== expected) return broken(expected);
        if (record === null || record.prevHash !== prev || eventHash(record.prevHash, record) !== record.hash)
          return broken(sequence);
        if (!sameRoles(record.actorRoles, indexedRoles)) return broken(sequence);
        prev = record.hash;
        expected++;
      }
      if (batch.length < VERIFY_BATCH) break;
      after = batch[batch.length - 1].sequence;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const last = expected - 1;
    if (last !== head.sequence) return broken(last + 1);
    if (head.hash !== prev) return broken(last);
    if (last > from.sequence) await this.store.saveCheckpoint({ sequence: last, hash: prev });
    return { ok: true, checked, firstBrokenSequence: null };
  }
}

/** The role index holds one row per distinct role of the event's actor, no more and no fewer. */
function sameRoles(actorRoles: readonly string[], indexed: readonly string[]): boolean {
  const expected = new Set(actorRoles);
  return expected.size === indexed.length && indexed.every((role) => expected.has(role));
}
