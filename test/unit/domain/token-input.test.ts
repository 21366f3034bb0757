import { expect } from "chai";
import { DomainError } from "../../../src/domain/errors";
import { readTokenInput, type CreateTokenArgs } from "../../../src/domain/tokens/token-input";

function fieldOf(input: CreateTokenArgs): string | undefined {
  try {
    readTokenInput(input);
  } catch (err) {
    expect(err).to.be.instanceOf(DomainError);
    expect((err as DomainError).code).to.equal("BAD_USER_INPUT");
    return (err as DomainError).details.field;
  }
  return undefined;
}

describe("readTokenInput", () => {
  it("keeps a valid input, dropping repeated roles (ignoring case) but remembering where each kept one was", () => {
    const spec = readTokenInput({
      name: "ci",
      roles: ["viewer", "Viewer", "cicd"],
      boundCidrs: ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"],
      ttlSeconds: 60,
    });
    expect(spec).to.deep.equal({
      name: "ci",
      userId: null,
      roles: ["viewer", "cicd"],
      rolePaths: ["input.roles[0]", "input.roles[2]"],
      ttlSeconds: 60,
      boundCidrs: ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"],
      breakGlass: false,
    });
  });

  it("refuses blank, overlong and control-character names at input.name", () => {
    expect(fieldOf({ name: "   " })).to.equal("input.name");
    expect(fieldOf({ name: "n".repeat(129) })).to.equal("input.name");
    expect(fieldOf({ name: "n".repeat(128) })).to.equal(undefined);
    expect(fieldOf({ name: "line\nbreak" })).to.equal("input.name");
  });

  it("refuses a TTL that is not a positive number of seconds up to a year, and any TTL on a break-glass token", () => {
    expect(fieldOf({ name: "t", ttlSeconds: -5 })).to.equal("input.ttlSeconds");
    expect(fieldOf({ name: "t", ttlSeconds: 1.5 })).to.equal("input.ttlSeconds");
    expect(fieldOf({ name: "t", ttlSeconds: 365 * 86400 })).to.equal(undefined);
    expect(fieldOf({ name: "t", ttlSeconds: 365 * 86400 + 1 })).to.equal("input.ttlSeconds");
    expect(fieldOf({ name: "t", ttlSeconds: 60, breakGlass: true })).to.equal("input.ttlSeconds");
    expect(readTokenInput({ name: "t", breakGlass: true }).breakGlass).to.equal(true);
  });

  it("refuses an invalid network at its index, and empty role names at theirs", () => {
    expect(fieldOf({ name: "t", boundCidrs: ["10.0.0.0/8", " 10.0.0.0/8"] })).to.equal("input.boundCidrs[1]");
    expect(fieldOf({ name: "t", boundCidrs: ["fe80::1%eth0"] })).to.equal("input.boundCidrs[0]");
    expect(fieldOf({ name: "t", boundCidrs: ["::/129"] })).to.equal("input.boundCidrs[0]");
    expect(fieldOf({ name: "t", roles: ["viewer", ""] })).to.equal("input.roles[1]");
  });
});
