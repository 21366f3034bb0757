import { expect } from "chai";
import { identityFromClaims } from "../../../src/auth/oidc/oidc-identity";
import { OidcFailure } from "../../../src/auth/oidc/oidc-failure";
import { SealedBox } from "../../../src/auth/oidc/sealed-box";

const SETTINGS = { providerName: "oidc", groupsClaim: "groups", mfaAmr: ["mfa", "otp", "hwk"] };

describe("SealedBox", () => {
  const box = new SealedBox(Buffer.alloc(32, 1));
  const later = () => new Date(Date.now() + 60_000);

  it("opens what it sealed for the same purpose before it expires", () => {
    expect(box.open("login", box.seal("login", { state: "abc" }, later()))).to.deep.equal({ state: "abc" });
  });

  it("refuses a value sealed for another purpose, expired, altered, or sealed with another key", () => {
    const sealed = box.seal("login", { state: "abc" }, later());
    expect(box.open("device", sealed)).to.equal(null);
    expect(box.open("login", box.seal("login", { state: "abc" }, new Date(Date.now() - 1)))).to.equal(null);
    const parts = sealed.split(".");
    const flip = (text: string) => (text[0] === "A" ? "B" : "A") + text.slice(1);
    for (let i = 1; i < parts.length; i++) {
      expect(box.open("login", parts.map((p, j) => (j === i ? flip(p) : p)).join(".")), `part ${i} altered`).to.equal(
        null,
      );
      expect(
        box.open("login", parts.map((p, j) => (j === i ? p.slice(0, 6) : p)).join(".")),
        `part ${i} truncated`,
      ).to.equal(null);
    }
    expect(new SealedBox(Buffer.alloc(32, 2)).open("login", sealed)).to.equal(null);
    expect(box.open("login", "garbage")).to.equal(null);
  });

  it("does not show its payload", () => {
    expect(box.seal("login", { state: "visible-state" }, later())).not.to.contain("visible-state");
  });
});

describe("identityFromClaims", () => {
  const claims = {
    sub: "u-1",
    email: "Ann@Example.com",
    name: "Ann",
    groups: ["ops", "ops", " staff "],
    amr: ["pwd", "otp"],
  };

  it("takes the subject, a lower-cased email, the name, deduplicated groups and MFA from amr", () => {
    expect(identityFromClaims(claims, null, SETTINGS)).to.deep.equal({
      provider: "oidc",
      source: "OIDC",
      externalId: "u-1",
      email: "ann@example.com",
      displayName: "Ann",
      groups: ["ops", "staff"],
      mfa: true,
    });
  });

  it("fills in from userinfo what the ID token leaves out, but never MFA", () => {
    const identity = identityFromClaims(
      { sub: "u-1", amr: ["pwd"] },
      { sub: "u-1", email: "a@example.com", groups: ["g"], amr: ["mfa"] },
      SETTINGS,
    );
    expect(identity).to.deep.include({ email: "a@example.com", groups: ["g"], mfa: false });
  });

  it("reads groups from the configured claim", () => {
    expect(
      identityFromClaims({ ...claims, roles: "admins" }, null, { ...SETTINGS, groupsClaim: "roles" }).groups,
    ).to.deep.equal(["admins"]);
  });

  const refusals: Array<[string, Record<string, unknown>, string]> = [
    ["no email", { sub: "u-1" }, "no_email"],
    ["an unverified email", { sub: "u-1", email: "a@example.com", email_verified: false }, "email_unverified"],
    ["no subject", { email: "a@example.com" }, "claims_invalid"],
    ["groups that are not strings", { sub: "u-1", email: "a@example.com", groups: [{ id: 1 }] }, "claims_invalid"],
  ];
  for (const [what, input, reason] of refusals) {
    it(`refuses ${what}`, () => {
      expect(() => identityFromClaims(input, null, SETTINGS))
        .to.throw(OidcFailure)
        .with.property("reason", reason);
    });
  }
});
