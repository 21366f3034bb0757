import { expect } from "chai";
import {
  checkSecret,
  checksum,
  generateSecret,
  hashesEqual,
  hashSecret,
  secretHint,
  SESSION_PREFIX,
  TOKEN_PREFIX,
} from "../../../src/domain/credentials/secret-format";

describe("credential secret format", () => {
  it("computes the checksum as base62 CRC-32 of the body, padded to six characters", () => {
    // Reference values computed independently (zlib.crc32 in Python, then base62).
    expect(checksum("a".repeat(40))).to.equal("3gcfED");
    expect(checksum("Zx9".repeat(13) + "Q")).to.equal("2jMZV0");
    expect(checksum("0".repeat(40))).to.equal("2kaqcA");
  });

  it("generates ptc_ secrets of 50 characters whose checksum verifies", () => {
    for (let i = 0; i < 200; i++) {
      const secret = generateSecret(TOKEN_PREFIX);
      expect(secret).to.match(/^ptc_[0-9A-Za-z]{46}$/);
      expect(checkSecret(secret)).to.deep.equal({ ok: true, prefix: TOKEN_PREFIX });
    }
  });

  it("generates pts_ session secrets in the same format", () => {
    const secret = generateSecret(SESSION_PREFIX);
    expect(secret).to.match(/^pts_[0-9A-Za-z]{46}$/);
    expect(checkSecret(secret, SESSION_PREFIX).ok).to.equal(true);
    expect(checkSecret(secret, TOKEN_PREFIX).ok).to.equal(false);
  });

  it("never generates the same secret twice in a large sample", () => {
    const seen = new Set(Array.from({ length: 5000 }, () => generateSecret(TOKEN_PREFIX)));
    expect(seen.size).to.equal(5000);
  });

  it("uses every base62 character in the body", () => {
    const chars = new Set(Array.from({ length: 300 }, () => generateSecret(TOKEN_PREFIX).slice(4, 44)).join(""));
    expect(chars.size).to.equal(62);
  });

  it("refuses a secret whose checksum does not match", () => {
    const secret = generateSecret(TOKEN_PREFIX);
    const last = secret.at(-1)!;
    const tampered = secret.slice(0, -1) + (last === "0" ? "1" : "0");
    expect(checkSecret(tampered)).to.deep.equal({ ok: false, problem: "checksum" });
    const bodyChanged = secret.slice(0, 4) + (secret[4] === "a" ? "b" : "a") + secret.slice(5);
    expect(checkSecret(bodyChanged)).to.deep.equal({ ok: false, problem: "checksum" });
  });

  it("refuses secrets of the wrong shape", () => {
    const good = generateSecret(TOKEN_PREFIX);
    for (const bad of [
      "",
      "ptc_",
      good.slice(0, -1),
      good + "x",
      "xyz_" + good.slice(4),
      good.replace(/^ptc_/, "PTC_"),
      good.slice(0, 10) + "-" + good.slice(11),
    ]) {
      expect(checkSecret(bad), bad).to.deep.equal({ ok: false, problem: "format" });
    }
  });

  it("stores only a SHA-256 hash and compares hashes in constant time", () => {
    const secret = generateSecret(TOKEN_PREFIX);
    const hash = hashSecret(secret);
    expect(hash).to.match(/^[0-9a-f]{64}$/);
    expect(hash).to.not.contain(secret.slice(4, 20));
    expect(hashesEqual(hash, hashSecret(secret))).to.equal(true);
    expect(hashesEqual(hash, hashSecret(generateSecret(TOKEN_PREFIX)))).to.equal(false);
    expect(hashesEqual(hash, "abc")).to.equal(false);
  });

  it("shows a hint of the prefix and the last four characters only", () => {
    const secret = generateSecret(TOKEN_PREFIX);
    expect(secretHint(secret)).to.equal(`ptc_…${secret.slice(-4)}`);
  });
});
