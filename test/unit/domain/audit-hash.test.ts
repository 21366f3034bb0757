import { expect } from "chai";
import { GENESIS_HASH, type AuditEventRecord } from "../../../src/domain/audit/audit-event";
import { AUDIT_EVENT_FIELDS, canonicalEvent, canonicalJson, eventHash } from "../../../src/domain/audit/audit-hash";
import { chain } from "../../../src/domain/audit/group-commit-audit-log";

const EVENT: Omit<AuditEventRecord, "hash" | "prevHash"> = {
  id: "e1",
  sequence: 1,
  time: new Date("2026-01-02T03:04:05.006Z"),
  actorId: "u1",
  actorEmail: "a@example.com",
  actorRoles: ["viewer", "admin"],
  tokenId: null,
  sourceIp: "10.0.0.1",
  operation: "check",
  action: "read",
  resourceType: "job",
  resourceNamespace: "prod",
  resourceName: "web",
  subjectId: "u2",
  decision: "DENY",
  reason: "NO_MATCHING_RULE",
  requestId: "r1",
  metadata: { z: 1, a: { y: [1, { d: null, c: "é" }], b: true } },
};

describe("audit hash chain", () => {
  it("writes canonical JSON with keys sorted at every depth and no whitespace", () => {
    // Reference: Python's json.dumps(sort_keys=True, separators=(',', ':'), ensure_ascii=False).
    expect(canonicalEvent(EVENT)).to.equal(
      '{"action":"read","actorEmail":"a@example.com","actorId":"u1","actorRoles":["viewer","admin"],"decision":"DENY","id":"e1","metadata":{"a":{"b":true,"y":[1,{"c":"é","d":null}]},"z":1},"operation":"check","reason":"NO_MATCHING_RULE","requestId":"r1","resourceName":"web","resourceNamespace":"prod","resourceType":"job","sequence":1,"sourceIp":"10.0.0.1","subjectId":"u2","time":"2026-01-02T03:04:05.006Z","tokenId":null}',
    );
  });

  it("hashes prevHash followed by the canonical event with SHA-256", () => {
    // Reference: hashlib.sha256(("0"*64 + canonical).encode()).hexdigest()
    expect(eventHash(GENESIS_HASH, EVENT)).to.equal("29b15c152932463da776356b074e4dae50deef89f36c6a6baee0042554eb32bb");
  });

  it("writes absent values as null and leaves hash and prevHash out", () => {
    const sparse = { ...EVENT, metadata: null, subjectId: undefined as unknown as null, hash: "x", prevHash: "y" };
    const text = canonicalEvent(sparse);
    expect(text).to.contain('"subjectId":null').and.contain('"metadata":null');
    expect(text).to.not.contain('"hash"').and.not.contain('"prevHash"');
    expect(canonicalJson({ b: undefined, a: [undefined] })).to.equal('{"a":[null],"b":null}');
  });

  it("writes exactly canonicalJson of the fields AUDIT_EVENT_FIELDS names, whatever the strings hold", () => {
    const picked = (e: Record<string, unknown>) =>
      canonicalJson(Object.fromEntries(AUDIT_EVENT_FIELDS.map((f) => [f, e[f]])));
    // Every field a different value, so that a field written under another key, or left out, shows.
    const distinct = Object.fromEntries(AUDIT_EVENT_FIELDS.map((f, i) => [f, `${f}-${i}`])) as unknown as typeof EVENT;
    const tricky = [
      'quote " and backslash \\',
      "control \u0000\u001f tab\t newline\n",
      "lone surrogates \ud800 and \udfff",
      "a pair 😀 stays as it is",
      "line separators \u2028\u2029 and DEL \u007f",
      "",
    ];
    const cases: Array<Record<string, unknown>> = [
      EVENT,
      distinct,
      { ...EVENT, time: "2026-01-02T03:04:05.006Z" },
      { ...EVENT, actorId: undefined, metadata: undefined, actorRoles: [] },
      ...tricky.map((text) => ({ ...EVENT, actorEmail: text, reason: text, metadata: { [text]: text } })),
    ];
    for (const e of cases) {
      const text = canonicalEvent(e as typeof EVENT);
      expect(text, JSON.stringify(e)).to.equal(picked(e));
      expect(Object.keys(JSON.parse(text) as object)).to.deep.equal([...AUDIT_EVENT_FIELDS].sort());
    }
  });

  it("changes the hash when any field changes", () => {
    const base = eventHash(GENESIS_HASH, EVENT);
    expect(eventHash(GENESIS_HASH, { ...EVENT, decision: "ALLOW" })).to.not.equal(base);
    expect(eventHash(GENESIS_HASH, { ...EVENT, metadata: { z: 2 } })).to.not.equal(base);
    expect(eventHash("1".repeat(64), EVENT)).to.not.equal(base);
  });

  it("numbers a batch after the head and links each event to the one before", () => {
    const { id: _id, sequence: _seq, ...input } = EVENT;
    const records = chain({ sequence: 41, hash: "a".repeat(64) }, [input, input, input]);
    expect(records.map((r) => r.sequence)).to.deep.equal([42, 43, 44]);
    expect(records[0].prevHash).to.equal("a".repeat(64));
    expect(records[1].prevHash).to.equal(records[0].hash);
    expect(records[2].prevHash).to.equal(records[1].hash);
    for (const r of records) expect(r.hash).to.equal(eventHash(r.prevHash, r));
    expect(new Set(records.map((r) => r.id)).size).to.equal(3);
  });
});
