import { expect } from "chai";
import { globContains, globMatches, globProblem } from "../../../src/engine";

/** An independent statement of the glob rules as a regular expression, for comparison. */
function oracle(glob: string): RegExp {
  const segments = glob.split("/");
  let source = "";
  segments.forEach((segment, i) => {
    const first = i === 0;
    const last = i === segments.length - 1;
    if (segment === "**") {
      if (first && last) source += "[\\s\\S]*";
      else if (last) source += "(?:/[\\s\\S]*)?";
      else source += `${first ? "" : "/"}(?:[\\s\\S]*/)?`;
      return;
    }
    if (!first && segments[i - 1] !== "**") source += "/";
    for (const c of segment)
      source += c === "*" ? "[^/]*" : c === "?" ? "[^/]" : c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  });
  return new RegExp(`^${source}$`);
}

describe("glob matching", () => {
  const table: Array<[string, string, boolean]> = [
    ["prod", "prod", true],
    ["prod", "prod/a", false],
    ["prod", "Prod", false],
    ["prod/**", "prod", true],
    ["prod/**", "prod/a", true],
    ["prod/**", "prod/a/b", true],
    ["prod/**", "production", false],
    ["prod/**", "", false],
    ["**", "", true],
    ["**", "a/b/c", true],
    ["*", "", true],
    ["*", "abc", true],
    ["*", "a/b", false],
    ["prod/*", "prod", false],
    ["prod/*", "prod/a", true],
    ["prod/*", "prod/a/b", false],
    ["?", "a", true],
    ["?", "", false],
    ["?", "ab", false],
    ["?", "/", false],
    ["a?c", "abc", true],
    ["api-*", "api-", true],
    ["api-*", "api-1", true],
    ["api-*", "api", false],
    ["*-1", "api-1", true],
    ["*-1", "api-12", false],
    ["**/payments", "payments", true],
    ["**/payments", "eu/prod/payments", true],
    ["**/payments", "eu/payments/x", false],
    ["a/**/b", "a/b", true],
    ["a/**/b", "a/x/y/b", true],
    ["a/**/b", "ab", false],
    ["a/**/b", "a/x/y/c", false],
    ["a/**/b/**/c", "a/b/c", true],
    ["a/**/b/**/c", "a/x/b/y/z/c", true],
    ["a/**/b/**/c", "a/x/c/b", false],
    ["*/a", "x/a", true],
    ["*/a", "a", false],
    ["p?od/**", "prod/x", true],
    ["prod*", "production", true],
    ["prod*", "prod/x", false],
    ["*a*b*", "xaxbx", true],
    ["*a*b*", "xbxax", false],
  ];
  for (const [glob, text, expected] of table) {
    it(`${expected ? "matches" : "does not match"} '${text}' with '${glob}'`, () => {
      expect(globMatches(glob, text)).to.equal(expected);
      expect(oracle(glob).test(text), "the regular-expression statement of the rules agrees").to.equal(expected);
    });
  }

  it("agrees with the regular-expression statement of the rules on every short combination", () => {
    const globs = [
      "**",
      "*",
      "?",
      "a",
      "a/**",
      "**/a",
      "a/**/b",
      "*/b",
      "a*",
      "*a*",
      "a?/*",
      "**/*/b",
      "?/**/?",
      "a/*/**",
    ];
    const alphabet = ["a", "b", "/"];
    const texts = [""];
    for (let len = 1; len <= 5; len++) {
      for (const prefix of texts.filter((t) => t.length === len - 1)) for (const c of alphabet) texts.push(prefix + c);
    }
    for (const glob of globs) {
      const re = oracle(glob);
      for (const text of texts) expect(globMatches(glob, text), `${glob} vs '${text}'`).to.equal(re.test(text));
    }
  });

  it("decides a pathological pattern against a 10,000-character name correctly", () => {
    const name = "a".repeat(10_000);
    expect(globMatches("*a*a*a*a*a*a*b", name)).to.equal(false);
    expect(globMatches("*a*a*a*a*a*a*b", `${name}b`)).to.equal(true);
    expect(globMatches("*a*a*a*a*a*a*", name)).to.equal(true);
    expect(globMatches("**/*a*a*a*a*b/**", `${"a/".repeat(5000)}x`)).to.equal(false);
    expect(globMatches("a/**/a/**/a/**/b", `${"a/".repeat(5000)}a`)).to.equal(false);
  });
});

describe("glob validation", () => {
  const refused: Array<[string, string]> = [
    ["", "empty"],
    ["a**", "'**' must be a whole segment"],
    ["***", "'**' must be a whole segment"],
    ["**a/b", "'**' must be a whole segment"],
    ["a//b", "empty segments"],
    ["/a", "start or end with '/'"],
    ["a/", "start or end with '/'"],
    ["a\u0000b", "control characters"],
    ["a\nb", "control characters"],
    ["x".repeat(257), "at most 256 characters"],
    ["*a????????????????", "at most 16 wildcards"],
    [Array(17).fill("**").join("/x/"), "at most 16 wildcards"],
  ];
  for (const [glob, problem] of refused) {
    it(`refuses ${JSON.stringify(glob)}`, () => expect(globProblem(glob)).to.include(problem));
  }
  for (const glob of [
    "**",
    "*",
    "prod/**",
    "a/**/b",
    "team-?",
    "svc-*-api",
    "**/x",
    "x".repeat(256),
    "*a???????????????",
  ]) {
    it(`accepts '${glob}'`, () => expect(globProblem(glob)).to.equal(null));
  }
});

describe("glob containment", () => {
  const table: Array<[string, string, boolean]> = [
    ["**", "anything/at/all", true],
    ["**", "*", true],
    ["prod/**", "prod/a/*", true],
    ["prod/**", "prod/**", true],
    ["prod/**", "prod", true],
    ["prod/*", "prod/**", false],
    ["prod/*", "prod/a", true],
    ["prod/*", "prod/a*", true],
    ["prod/a*", "prod/*", false],
    ["*", "a?c", true],
    ["a?c", "*", false],
    ["**/a", "x/y/a", true],
    ["**/a", "**/b", false],
    ["a/**/b", "a/x/b", true],
    ["a/**/b", "a/**/b/**/b", true],
    ["prod", "prod/**", false],
    ["*", "**", false],
    ["p*", "prod*", true],
    ["prod*", "p*", false],
  ];
  for (const [outer, inner, expected] of table) {
    it(`${expected ? "knows" : "does not claim"} that '${outer}' contains '${inner}'`, () => {
      expect(globContains(outer, inner)).to.equal(expected);
    });
  }

  it("never claims containment that some string contradicts (exhaustive over short strings)", () => {
    const globs = ["**", "*", "?", "a", "a/**", "**/a", "a/*", "*/a", "a*", "*a", "a/**/b", "??", "a/?", "**/b/**"];
    const alphabet = ["a", "b", "/"];
    const texts = [""];
    for (let len = 1; len <= 5; len++) {
      for (const prefix of texts.filter((t) => t.length === len - 1)) for (const c of alphabet) texts.push(prefix + c);
    }
    for (const outer of globs) {
      for (const inner of globs) {
        const contained = globContains(outer, inner);
        const witness = texts.find((t) => globMatches(inner, t) && !globMatches(outer, t));
        if (contained) expect(witness, `${outer} ⊇ ${inner} but '${witness}'`).to.equal(undefined);
      }
    }
  });
});
