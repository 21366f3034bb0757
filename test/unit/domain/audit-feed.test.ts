import { expect } from "chai";
import type { AuditEventRecord } from "../../../src/domain/audit/audit-event";
import { matchesAuditFilter } from "../../../src/domain/audit/audit-event-matcher";
import { AuditFeed, type FeedEnd } from "../../../src/domain/audit/audit-feed";
import type { AuditFilter } from "../../../src/domain/audit/audit-filter";
import type { AuditLog } from "../../../src/domain/audit/group-commit-audit-log";
import type { AuditStore } from "../../../src/domain/ports/audit.port";
import type { PolicyRuntime } from "../../../src/domain/policy/policy-runtime";
import type { Principal } from "../../../src/domain/principal";

function event(sequence: number, over: Partial<AuditEventRecord> = {}): AuditEventRecord {
  return {
    id: `e${sequence}`,
    sequence,
    prevHash: "",
    hash: "",
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)),
    actorId: "u1",
    actorEmail: "a@example.com",
    actorRoles: ["auditor"],
    tokenId: null,
    sourceIp: null,
    operation: "Query.users",
    action: "list",
    resourceType: "user",
    resourceNamespace: "system",
    resourceName: "",
    subjectId: null,
    decision: "ALLOW",
    reason: "ALLOWED",
    requestId: null,
    metadata: null,
    ...over,
  };
}

/** The trail in memory: `commit` writes to the table and tells listeners, as the audit log does. */
function fakes(allowed: { value: boolean }) {
  const table: AuditEventRecord[] = [];
  const listeners = new Set<(events: AuditEventRecord[]) => void>();
  const audit = {
    record: () => Promise.resolve(event(0)),
    onCommitted: (l: (events: AuditEventRecord[]) => void) => (listeners.add(l), () => listeners.delete(l)),
    publish: (records: AuditEventRecord[]) => listeners.forEach((l) => l(records)),
    drain: () => Promise.resolve(),
  } as unknown as AuditLog;
  const store = {
    head: () => Promise.resolve({ sequence: table.length, hash: "" }),
    scanAfter: (filter: AuditFilter, after: number, upTo: number, limit: number) =>
      Promise.resolve(
        table.filter((e) => e.sequence > after && e.sequence <= upTo && matchesAuditFilter(filter, e)).slice(0, limit),
      ),
  } as unknown as AuditStore;
  const engine = {
    check: () => ({ allowed: allowed.value, reason: allowed.value ? "ALLOWED" : "NO_MATCH" }),
    rolesOf: () => ["auditor"],
  };
  const runtime = { engine: () => engine } as unknown as PolicyRuntime;
  const commit = (n: number, over: Partial<AuditEventRecord> = {}) => {
    const batch = Array.from({ length: n }, (_, i) => event(table.length + i + 1, over));
    table.push(...batch);
    audit.publish(batch);
  };
  const events = { listen: audit.onCommitted.bind(audit) };
  return { audit, store, runtime, events, commit, listeners };
}

const principal = {
  user: { id: "u1", email: "a@example.com" },
  credential: { kind: "token", tokenId: "t1", breakGlass: false },
  mfa: false,
  sourceIp: null,
} as unknown as Principal;

/** The sequence of the feed's next event; fails when the feed has ended. */
async function nextSequence(feed: AsyncIterator<AuditEventRecord>): Promise<number> {
  const next = await feed.next();
  if (next.done) throw new Error("the feed ended");
  return next.value.sequence;
}

describe("AuditFeed", () => {
  it("replays from the table after resumeAfter, then goes live without a gap or a duplicate", async () => {
    const f = fakes({ value: true });
    f.commit(5);
    const feed = await new AuditFeed(f).open({
      principal,
      filter: {},
      resumeAfter: "2",
      requestId: null,
      onEnd: () => undefined,
    });
    // Committed after the feed listens but before it reads the head: in the table and in the buffer.
    f.commit(2);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) seen.push(await nextSequence(feed));
    f.commit(1);
    seen.push(await nextSequence(feed));
    expect(seen).to.deep.equal([3, 4, 5, 6, 7, 8]);
    await feed.return!();
    expect(f.listeners.size).to.equal(0);
  });

  it("ends a subscriber that falls more than its buffer behind, without waiting for it", async () => {
    const f = fakes({ value: true });
    const ends: FeedEnd[] = [];
    const feed = await new AuditFeed(f, 3).open({
      principal,
      filter: {},
      resumeAfter: null,
      requestId: null,
      onEnd: (why) => ends.push(why),
    });
    f.commit(2);
    f.commit(2);
    expect(ends).to.deep.equal(["overflow"]);
    expect(f.listeners.size).to.equal(0);
    expect((await feed.next()).done).to.equal(true);
  });

  it("takes a burst larger than its buffer into an empty buffer: one group commit is not falling behind", async () => {
    const f = fakes({ value: true });
    const ends: FeedEnd[] = [];
    const feed = await new AuditFeed(f, 3).open({
      principal,
      filter: {},
      resumeAfter: null,
      requestId: null,
      onEnd: (why) => ends.push(why),
    });
    f.commit(5);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) seen.push(await nextSequence(feed));
    expect(ends).to.deep.equal([]);
    expect(seen).to.have.length(5);
    await feed.return!();
  });

  it("ends the feed as forbidden when audit:read is lost before a delivery", async () => {
    const allowed = { value: true };
    const f = fakes(allowed);
    const ends: FeedEnd[] = [];
    const feed = await new AuditFeed(f).open({
      principal,
      filter: {},
      resumeAfter: null,
      requestId: null,
      onEnd: (why) => ends.push(why),
    });
    f.commit(1);
    expect(await nextSequence(feed)).to.equal(1);
    allowed.value = false;
    f.commit(1);
    expect((await feed.next()).done).to.equal(true);
    expect(ends).to.deep.equal(["forbidden"]);
  });

  it("ends a feed waiting for its next event when it is returned", async () => {
    const f = fakes({ value: true });
    const feed = await new AuditFeed(f).open({
      principal,
      filter: {},
      resumeAfter: null,
      requestId: null,
      onEnd: () => undefined,
    });
    const pending = feed.next();
    await feed.return!();
    expect((await pending).done).to.equal(true);
    expect(f.listeners.size).to.equal(0);
  });

  it("refuses a subscriber without audit:read with FORBIDDEN naming the capability", async () => {
    const f = fakes({ value: false });
    const err = await new AuditFeed(f)
      .open({ principal, filter: {}, resumeAfter: null, requestId: null, onEnd: () => undefined })
      .catch((e: unknown) => e);
    expect(err).to.include({ code: "FORBIDDEN" });
    expect((err as { details: object }).details).to.include({ capability: "audit:read" });
    expect(f.listeners.size).to.equal(0);
  });
});

describe("matchesAuditFilter", () => {
  it("matches the query's semantics: exact fields, roles included, since inclusive and until exclusive", () => {
    const e = event(10);
    expect(matchesAuditFilter({}, e)).to.equal(true);
    expect(matchesAuditFilter({ decision: "DENY" }, e)).to.equal(false);
    expect(matchesAuditFilter({ role: "auditor", actorEmail: "a@example.com" }, e)).to.equal(true);
    expect(matchesAuditFilter({ role: "admin" }, e)).to.equal(false);
    expect(matchesAuditFilter({ actorEmail: "A@example.com" }, e)).to.equal(false);
    expect(matchesAuditFilter({ since: e.time }, e)).to.equal(true);
    expect(matchesAuditFilter({ until: e.time }, e)).to.equal(false);
    expect(matchesAuditFilter({ resourceName: "x" }, e)).to.equal(false);
  });
});
