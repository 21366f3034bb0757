// The group-commit log with a store that lets two appends be in flight: the
// second batch is prepared from where the first will leave the head, written
// after it, and re-chained when something else moved the head meanwhile.
import { expect } from "chai";
import type { AuditEventInput, AuditEventRecord } from "../../../src/domain/audit/audit-event";
import { GENESIS_HASH } from "../../../src/domain/audit/audit-event";
import { eventHash } from "../../../src/domain/audit/audit-hash";
import { chain, GroupCommitAuditLog } from "../../../src/domain/audit/group-commit-audit-log";
import type { AuditStore, ChainFn, ChainHead } from "../../../src/domain/ports/audit.port";

function input(n: number): AuditEventInput {
  return {
    time: new Date(Date.UTC(2026, 0, 1)),
    actorId: null,
    actorEmail: null,
    actorRoles: [],
    tokenId: null,
    sourceIp: null,
    operation: "check",
    action: "read",
    resourceType: "job",
    resourceNamespace: "",
    resourceName: `n${n}`,
    subjectId: null,
    decision: "DENY",
    reason: "NO_MATCHING_RULE",
    requestId: null,
    metadata: null,
  };
}

/** Appends one at a time under a "lock", like the database's head row; each takes a few ms. */
class SlowStore {
  readonly concurrentAppends = 2;
  readonly rows: AuditEventRecord[] = [];
  readonly calls: Array<{ expected: ChainHead | undefined; head: ChainHead; startedWhileBusy: boolean }> = [];
  private locked: Promise<void> = Promise.resolve();
  private busy = false;

  head(): ChainHead {
    const last = this.rows[this.rows.length - 1];
    return last ? { sequence: last.sequence, hash: last.hash } : { sequence: 0, hash: GENESIS_HASH };
  }

  append(events: AuditEventInput[], fn: ChainFn, expected?: ChainHead): Promise<AuditEventRecord[]> {
    const startedWhileBusy = this.busy;
    const turn = this.locked.then(async () => {
      this.busy = true;
      const head = this.head();
      this.calls.push({ expected, head, startedWhileBusy });
      const records = fn(head, events);
      await new Promise((r) => setTimeout(r, 5));
      this.rows.push(...records);
      this.busy = false;
      return records;
    });
    this.locked = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** Another writer (a policy write, another instance) appends directly. */
  foreign(n: number): void {
    this.rows.push(...chain(this.head(), [input(n)]));
  }
}

function intact(rows: AuditEventRecord[]): boolean {
  let prev = GENESIS_HASH;
  return rows.every((r, i) => {
    const ok = r.sequence === i + 1 && r.prevHash === prev && r.hash === eventHash(prev, r);
    prev = r.hash;
    return ok;
  });
}

describe("GroupCommitAuditLog with appends in flight together", () => {
  it("prepares the next batch while one is written, from where that one leaves the head, and keeps one chain", async () => {
    const store = new SlowStore();
    const log = new GroupCommitAuditLog(store as unknown as AuditStore, 10);
    const published: number[] = [];
    log.onCommitted((events) => published.push(...events.map((e) => e.sequence)));
    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => log.record(input(i))));
    const records = await Promise.all(Array.from({ length: 35 }, (_, i) => log.record(input(100 + i))));
    await log.drain();
    expect(first.map((r) => r.sequence)).to.deep.equal(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(records.map((r) => r.sequence)).to.deep.equal(Array.from({ length: 35 }, (_, i) => i + 11));
    expect(published).to.deep.equal(Array.from({ length: 45 }, (_, i) => i + 1));
    expect(intact(store.rows)).to.equal(true);
    // After the first write the log knows the head: later batches come with the right expectation,
    // and at least one was handed over while another was still being written.
    const later = store.calls.slice(1);
    expect(later.length).to.be.at.least(4);
    for (const call of later) expect(call.expected).to.deep.equal(call.head);
    expect(later.some((call) => call.startedWhileBusy)).to.equal(true);
  });

  it("re-chains a prepared batch from the real head when another writer moved it", async () => {
    const store = new SlowStore();
    const log = new GroupCommitAuditLog(store as unknown as AuditStore, 5);
    await Promise.all(Array.from({ length: 5 }, (_, i) => log.record(input(i))));
    store.foreign(999);
    const records = await Promise.all(Array.from({ length: 12 }, (_, i) => log.record(input(10 + i))));
    await log.drain();
    expect(records.map((r) => r.sequence)).to.deep.equal(Array.from({ length: 12 }, (_, i) => i + 7));
    expect(intact(store.rows)).to.equal(true);
    expect(
      store.calls.some((call) => call.expected !== undefined && call.expected.sequence !== call.head.sequence),
    ).to.equal(true);
  });

  it("fails only the batch that could not be written and carries on from the real head", async () => {
    const store = new SlowStore();
    const log = new GroupCommitAuditLog(store as unknown as AuditStore, 4);
    await Promise.all(Array.from({ length: 4 }, (_, i) => log.record(input(i))));
    const append = store.append.bind(store);
    let failures = 1;
    store.append = (events, fn, expected) =>
      failures-- > 0 ? Promise.reject(new Error("disk full")) : append(events, fn, expected);
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => log.record(input(10 + i))));
    await log.drain();
    const rejected = outcomes.filter((o) => o.status === "rejected");
    expect(rejected).to.have.length(4);
    expect(outcomes.filter((o) => o.status === "fulfilled")).to.have.length(8);
    expect(store.rows.map((r) => r.sequence)).to.deep.equal(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(intact(store.rows)).to.equal(true);
  });
});
