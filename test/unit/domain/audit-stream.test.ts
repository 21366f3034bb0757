import { expect } from "chai";
import type { AuditEventRecord } from "../../../src/domain/audit/audit-event";
import { AuditStream } from "../../../src/domain/audit/audit-stream";

function event(sequence: number): AuditEventRecord {
  return {
    id: `e${sequence}`,
    sequence,
    prevHash: "",
    hash: "",
    time: new Date(0),
    actorId: null,
    actorEmail: null,
    actorRoles: [],
    tokenId: null,
    sourceIp: null,
    operation: "check",
    action: "read",
    resourceType: "job",
    resourceNamespace: "",
    resourceName: "",
    subjectId: null,
    decision: "DENY",
    reason: "NO_MATCHING_RULE",
    requestId: null,
    metadata: null,
  };
}

/** A committed table: what the database holds, whatever the messages say. */
function table(upTo: number) {
  const rows = Array.from({ length: upTo }, (_, i) => event(i + 1));
  let reads = 0;
  return {
    rows,
    reads: () => reads,
    source: {
      head: () => Promise.resolve({ sequence: rows.length, hash: "" }),
      scanAfter: (_f: unknown, after: number, to: number, limit: number) => {
        reads++;
        return Promise.resolve(rows.filter((r) => r.sequence > after && r.sequence <= to).slice(0, limit));
      },
    },
  };
}

const sequences = (batches: AuditEventRecord[][]) => batches.flat().map((e) => e.sequence);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("AuditStream", () => {
  it("starts after the committed head and delivers later events in sequence order", async () => {
    const t = table(3);
    const stream = await AuditStream.start(t.source);
    const got: AuditEventRecord[][] = [];
    stream.listen((events) => got.push(events));
    t.rows.push(event(4), event(5), event(6));
    stream.offer([event(5), event(6)]);
    expect(sequences(got)).to.deep.equal([]);
    stream.offer([event(4)]);
    expect(sequences(got)).to.deep.equal([4, 5, 6]);
    expect(stream.position()).to.equal(6);
    stream.stop();
  });

  it("ignores duplicates and events at or below its position", async () => {
    const t = table(2);
    const stream = await AuditStream.start(t.source);
    const got: AuditEventRecord[][] = [];
    stream.listen((events) => got.push(events));
    stream.offer([event(1), event(2), event(3), event(3)]);
    stream.offer([event(3)]);
    expect(sequences(got)).to.deep.equal([3]);
    stream.stop();
  });

  it("reads a missing event from the database when it does not arrive in time", async () => {
    const t = table(0);
    const stream = await AuditStream.start(t.source, { gapWaitMs: 10 });
    const got: AuditEventRecord[][] = [];
    stream.listen((events) => got.push(events));
    t.rows.push(event(1), event(2), event(3));
    stream.offer([event(2), event(3)]);
    await sleep(50);
    expect(sequences(got)).to.deep.equal([1, 2, 3]);
    stream.stop();
  });

  it("catches up with everything committed when told to (the polling fallback)", async () => {
    const t = table(0);
    const stream = await AuditStream.start(t.source, { batch: 2 });
    const got: AuditEventRecord[][] = [];
    stream.listen((events) => got.push(events));
    for (let i = 1; i <= 5; i++) t.rows.push(event(i));
    await stream.catchUp();
    expect(sequences(got)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(t.reads()).to.equal(3);
    stream.stop();
  });

  it("holds at most maxHeld events and reads the dropped ones back when their turn comes", async () => {
    const t = table(0);
    const stream = await AuditStream.start(t.source, { maxHeld: 2, gapWaitMs: 10 });
    const got: AuditEventRecord[][] = [];
    stream.listen((events) => got.push(events));
    for (let i = 1; i <= 6; i++) t.rows.push(event(i));
    stream.offer([event(3), event(4), event(5), event(6)]);
    await sleep(50);
    expect(sequences(got)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    stream.stop();
  });

  it("moves to the head without reading events while nobody listens", async () => {
    const t = table(0);
    const stream = await AuditStream.start(t.source);
    for (let i = 1; i <= 5; i++) t.rows.push(event(i));
    await stream.catchUp();
    expect(t.reads()).to.equal(0);
    expect(stream.position()).to.equal(5);
    const got: AuditEventRecord[][] = [];
    stream.listen((events) => got.push(events));
    t.rows.push(event(6));
    await stream.catchUp();
    expect(sequences(got)).to.deep.equal([6]);
    stream.stop();
  });
});
