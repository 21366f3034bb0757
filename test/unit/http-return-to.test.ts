import { expect } from "chai";
import { parseReturnTo, returnPathOrRoot } from "../../src/http/return-to";

describe("parseReturnTo (every login route)", () => {
  for (const [raw, path] of [
    [undefined, "/console"],
    ["", "/console"],
    ["/", "/"],
    ["/console", "/console"],
    ["/a/b?x=1#top", "/a/b?x=1#top"],
    ["/a/../b", "/b"],
    ["/app/jobs?tab=mine#top", "/app/jobs?tab=mine#top"],
    ["/%2fx", "/%2fx"],
  ] as const) {
    it(`keeps ${JSON.stringify(raw)} as '${path}'`, () => {
      expect(parseReturnTo(raw)).to.deep.equal({ ok: true, path });
    });
  }

  // Each would end, once a browser resolves it, on another origin.
  const refused = [
    "https://evil.example.test/",
    "//evil.example.test",
    "///evil.example.test",
    "/.//evil.example/phish",
    "/a/..//evil.example",
    "/%2e//evil.example",
    "/%2E//evil.example",
    "/a/%2e%2e//evil.example",
    "/././/evil.example",
    "/\\evil.example.test",
    "\\\\evil",
    "/\t/evil.example",
    "/\n/evil.example",
    "javascript:alert(1)",
    "console",
    "evil.example",
    "/\u0000",
    `/${"a".repeat(2048)}`,
  ];
  for (const raw of refused) {
    it(`refuses ${JSON.stringify(raw).slice(0, 40)}`, () => {
      const parsed = parseReturnTo(raw);
      expect(parsed.ok).to.equal(false);
      expect(returnPathOrRoot(raw)).to.equal("/console");
    });
  }

  it("refuses what is not one string", () => {
    expect(parseReturnTo(["/a", "/b"]).ok).to.equal(false);
    expect(parseReturnTo({ a: 1 }).ok).to.equal(false);
  });
});
