import { expect } from "chai";
import { formatDuration, parseDuration, ValidationError } from "../../../src/engine";

describe("durations", () => {
  const table: Array<[string, number]> = [
    ["90s", 90],
    ["30m", 1800],
    ["8h", 28800],
    ["1h30m", 5400],
    ["7d", 604800],
    ["1d2h3m4s", 93784],
  ];
  for (const [text, seconds] of table) {
    it(`reads ${text} as ${seconds} seconds`, () => expect(parseDuration(text)).to.equal(seconds));
  }

  it("writes seconds back in the largest units that add up", () => {
    expect(formatDuration(5400)).to.equal("1h30m");
    expect(formatDuration(90)).to.equal("1m30s");
    expect(formatDuration(604800)).to.equal("7d");
    expect(formatDuration(0)).to.equal("0s");
    for (const s of [1, 59, 61, 3599, 3601, 86399, 90061, 31_536_000])
      expect(parseDuration(formatDuration(s))).to.equal(s);
  });

  for (const bad of ["", "8", "h", "1.5h", "30m1h", "-1h", "1w", "8 h", "99999999999d", "3651d"]) {
    it(`refuses '${bad}'`, () => expect(() => parseDuration(bad)).to.throw(ValidationError));
  }
});
