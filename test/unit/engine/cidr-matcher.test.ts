import { expect } from "chai";
import { CidrSet, cidrContains, parseCidr, parseIp } from "../../../src/engine";

const inAny = (ip: string | null, cidrs: string[]) =>
  CidrSet.compile(cidrs).containsAddress(ip === null ? null : parseIp(ip));

describe("network matching", () => {
  const table: Array<[string | null, string[], boolean]> = [
    ["10.20.1.2", ["10.20.0.0/16"], true],
    ["10.21.1.2", ["10.20.0.0/16"], false],
    ["10.20.1.2", ["10.20.1.2/32"], true],
    ["10.20.1.3", ["10.20.1.2/32"], false],
    ["10.20.1.2", ["10.20.1.2"], true],
    ["203.0.113.9", ["0.0.0.0/0"], true],
    ["2001:db8::1", ["2001:db8::/32"], true],
    ["2001:db9::1", ["2001:db8::/32"], false],
    ["::1", ["::1/128"], true],
    ["::ffff:10.20.3.4", ["10.20.0.0/16"], true],
    ["::ffff:10.21.3.4", ["10.20.0.0/16"], false],
    ["10.20.3.4", ["::ffff:10.20.0.0/112"], true],
    ["10.1.2.3", ["2001:db8::/32"], false],
    ["2001:db8::1", ["0.0.0.0/0"], false],
    ["fe80::1%eth0", ["fe80::/10"], true],
    [null, ["0.0.0.0/0"], false],
    ["not an address", ["0.0.0.0/0"], false],
    ["10.1.2", ["10.0.0.0/8"], false],
    ["10.1.2.300", ["10.0.0.0/8"], false],
    ["010.1.2.3", ["10.0.0.0/8"], false],
    ["192.168.1.9", ["10.0.0.0/8", "192.168.1.0/24"], true],
  ];
  for (const [ip, cidrs, expected] of table) {
    it(`${expected ? "places" : "does not place"} ${ip} in ${cidrs.join(", ")}`, () =>
      expect(inAny(ip, cidrs)).to.equal(expected));
  }

  it("parses only valid networks", () => {
    for (const bad of [
      "10.0.0.0/33",
      "::/129",
      "10.0.0/8",
      "10.0.0.0/",
      "10.0.0.0/08",
      "x/8",
      "1::2::3/64",
      "",
      "10.0.0.0/8/8",
    ]) {
      expect(parseCidr(bad), bad).to.equal(null);
    }
    for (const good of ["10.0.0.0/8", "0.0.0.0/0", "::/0", "2001:db8::/32", "10.1.2.3", "::ffff:10.0.0.0/104"]) {
      expect(parseCidr(good), good).to.not.equal(null);
    }
  });

  it("knows which network contains which", () => {
    const c = (a: string, b: string) => cidrContains(parseCidr(a)!, parseCidr(b)!);
    expect(c("10.0.0.0/8", "10.20.0.0/16")).to.equal(true);
    expect(c("10.20.0.0/16", "10.0.0.0/8")).to.equal(false);
    expect(c("10.0.0.0/8", "11.0.0.0/16")).to.equal(false);
    expect(c("2001:db8::/32", "2001:db8:1::/48")).to.equal(true);
    expect(c("10.0.0.0/8", "::ffff:10.1.0.0/112")).to.equal(true);
    expect(c("::/0", "10.0.0.0/8")).to.equal(false);
  });
});
