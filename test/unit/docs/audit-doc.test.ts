// docs/audit.md tells users how to recompute the hash chain of an export. These
// tests hold its worked example and its verification script to the code that
// writes the chain, so the document cannot drift from it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { GENESIS_HASH, type AuditEventRecord } from "../../../src/domain/audit/audit-event";
import { canonicalEvent, eventHash } from "../../../src/domain/audit/audit-hash";
import { exportLine } from "../../../src/http/audit-export.route";

const DOC = readFileSync(join(__dirname, "..", "..", "..", "..", "docs", "audit.md"), "utf8");

/** The fenced blocks of the document, in order, with their info string. */
const blocks = [...DOC.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], text: m[2] }));

function event(sequence: number, prevHash: string, metadata: Record<string, unknown> | null): AuditEventRecord {
  const body = {
    id: `e-${sequence}`,
    sequence,
    time: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, sequence)),
    actorId: "u-1",
    actorEmail: "a@example.com",
    actorRoles: ["admin", "viewer"],
    tokenId: null,
    sourceIp: "10.0.0.1",
    operation: "check",
    action: "read",
    resourceType: "job",
    resourceNamespace: "prod",
    resourceName: "api",
    subjectId: "u-2",
    decision: "DENY" as const,
    reason: "EXPLICIT_DENY" as const,
    requestId: "r-1",
    metadata,
  };
  return { ...body, prevHash, hash: eventHash(prevHash, body) };
}

describe("docs/audit.md", () => {
  it("works its example exactly as the server hashes events", () => {
    const example = JSON.parse(blocks.find((b) => b.lang === "json")!.text) as Record<string, unknown>;
    const { hash, prevHash, ...fields } = example;
    const record = { ...fields, time: new Date(String(fields.time)) } as unknown as AuditEventRecord;
    expect(prevHash).to.equal(GENESIS_HASH);
    expect(eventHash(GENESIS_HASH, record)).to.equal(hash);
    expect(DOC).to.contain("\n" + canonicalEvent(record) + "\n");
  });

  it("gives a script that accepts a real chain and finds an edited or a missing event", function () {
    this.timeout(20_000);
    const script = blocks.find((b) => b.lang === "js" && b.text.includes("createInterface"))!.text;
    const dir = mkdtempSync(join(tmpdir(), "audit-doc-"));
    try {
      writeFileSync(join(dir, "verify-audit.mjs"), script);
      const events: AuditEventRecord[] = [];
      for (let s = 1; s <= 4; s++)
        events.push(
          event(s, events.at(-1)?.hash ?? GENESIS_HASH, s === 2 ? { z: 1, a: { y: [2, { c: null, b: "x" }] } } : null),
        );
      const run = (lines: string[]) => {
        try {
          return execFileSync(process.execPath, [join(dir, "verify-audit.mjs")], {
            input: lines.join(""),
            encoding: "utf8",
          });
        } catch (err) {
          return String((err as { stdout?: string }).stdout);
        }
      };
      const lines = events.map(exportLine);
      expect(run(lines)).to.equal(`ok: 4 events, head 4 ${events[3].hash}\n`);
      expect(run(lines.slice(1))).to.equal(`ok: 3 events, head 4 ${events[3].hash}\n`);
      expect(
        run([lines[0], lines[1].replace('"reason":"EXPLICIT_DENY"', '"reason":"ALLOWED"'), ...lines.slice(2)]),
      ).to.equal("broken at sequence 2: hash does not match the event\n");
      expect(run([lines[0], lines[2], lines[3]])).to.equal("broken at sequence 3: expected sequence 2\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
