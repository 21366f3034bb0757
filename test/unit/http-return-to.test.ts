import { expect } from "chai";
import { sameOriginPath } from "../../src/http/return-to";

describe("sameOriginPath", () => {
  for (const [raw, path] of [["/", "/"], ["/console", "/console"], ["/a/b?x=1#top", "/a/b?x=1#top"], ["/a/../b", "/b"]] as const) {
    it(`keeps the path '${raw}'`, () => {
      expect(sameOriginPath(raw)).to.equal(path);
    });
  }

  const refused = [
    "https://evil.example.test/", "//evil.example.test", "///evil.example.test", "/.//evil.example.test", "/a/..//evil.example.test", "/\\evil.example.test", "\\\\evil",
    "javascript:alert(1)", "console", "", "/\tx", "/\u0000", `/${"a".repeat(2048)}`,
  ];
  for (const raw of refused) {
    it(`refuses ${JSON.stringify(raw).slice(0, 40)}`, () => {
      expect(sameOriginPath(raw)).to.equal(null);
    });
  }

  it("refuses what is not a string", () => {
    expect(sameOriginPath(["/a"])).to.equal(null);
    expect(sameOriginPath(undefined)).to.equal(null);
  });
});
