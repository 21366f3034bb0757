import { expect } from "chai";
import { ConfigError, loadConfig } from "../../src/config";

const MINIMAL = {
  OIDC_ISSUER: "https://idp.example.com/realms/main", OIDC_CLIENT_ID: "portcullis", OIDC_CLIENT_SECRET: "s3cret-value-xyz",
  OIDC_REDIRECT_URI: "https://access.example.com/auth/oidc/callback",
};

describe("loadConfig: OIDC", () => {
  it("leaves OIDC off when no OIDC_ variable is set", () => {
    expect(loadConfig({}).oidc).to.equal(null);
  });

  it("reads the required variables and fills in the defaults", () => {
    const oidc = loadConfig(MINIMAL).oidc!;
    expect(oidc.issuer.href).to.equal("https://idp.example.com/realms/main");
    expect(oidc.clientId).to.equal("portcullis");
    expect(oidc.redirectUri.href).to.equal("https://access.example.com/auth/oidc/callback");
    expect(oidc.scopes).to.deep.equal(["openid", "email", "profile"]);
    expect(oidc.groupsClaim).to.equal("groups");
    expect(oidc.mfaAmr).to.deep.equal(["mfa", "otp", "hwk"]);
    expect(oidc.providerName).to.equal("oidc");
    expect(oidc.sealingKey).to.equal(null);
  });

  it("reads scopes, the groups claim, amr values, the provider name and a hex or base64 sealing key", () => {
    const key = Buffer.alloc(32, 7);
    const oidc = loadConfig({
      ...MINIMAL, OIDC_SCOPES: "openid email groups", OIDC_GROUPS_CLAIM: "roles", OIDC_MFA_AMR: "mfa,hwk", OIDC_PROVIDER_NAME: "okta",
      PORTCULLIS_ENCRYPTION_KEY: key.toString("hex"),
    }).oidc!;
    expect(oidc).to.deep.include({ scopes: ["openid", "email", "groups"], groupsClaim: "roles", mfaAmr: ["mfa", "hwk"], providerName: "okta" });
    expect(oidc.sealingKey!.equals(key)).to.equal(true);
    expect(loadConfig({ ...MINIMAL, PORTCULLIS_ENCRYPTION_KEY: key.toString("base64") }).oidc!.sealingKey!.equals(key)).to.equal(true);
  });

  it("accepts plain http only towards a loopback address", () => {
    expect(loadConfig({ ...MINIMAL, OIDC_ISSUER: "http://127.0.0.1:9000", OIDC_REDIRECT_URI: "http://localhost:4000/auth/oidc/callback" }).oidc).not.to.equal(null);
  });

  // Each case: what is changed from a valid configuration, and the variable the error must name.
  const bad: Array<[Record<string, string | undefined>, string]> = [
    [{ OIDC_ISSUER: undefined }, "OIDC_ISSUER"],
    [{ OIDC_CLIENT_ID: "" }, "OIDC_CLIENT_ID"],
    [{ OIDC_CLIENT_SECRET: " " }, "OIDC_CLIENT_SECRET"],
    [{ OIDC_ISSUER: "idp.example.com" }, "OIDC_ISSUER"],
    [{ OIDC_ISSUER: "http://idp.example.com" }, "OIDC_ISSUER"],
    [{ OIDC_REDIRECT_URI: "http://access.example.com/auth/oidc/callback" }, "OIDC_REDIRECT_URI"],
    [{ OIDC_REDIRECT_URI: "https://access.example.com/cb?x=1" }, "OIDC_REDIRECT_URI"],
    [{ OIDC_SCOPES: "email profile" }, "OIDC_SCOPES"],
    [{ OIDC_GROUPS_CLAIM: "my groups" }, "OIDC_GROUPS_CLAIM"],
    [{ OIDC_MFA_AMR: ",," }, "OIDC_MFA_AMR"],
    [{ OIDC_PROVIDER_NAME: "Okta SSO" }, "OIDC_PROVIDER_NAME"],
    [{ PORTCULLIS_ENCRYPTION_KEY: "too-short" }, "PORTCULLIS_ENCRYPTION_KEY"],
  ];
  for (const [patch, variable] of bad) {
    it(`refuses ${JSON.stringify(patch)} naming ${variable}`, () => {
      try {
        loadConfig({ ...MINIMAL, ...patch });
        expect.fail("expected a ConfigError");
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        expect((err as ConfigError).variable).to.equal(variable);
        expect((err as Error).message).to.match(new RegExp(`^${variable}: `)).and.not.contain("\n");
        expect((err as Error).message).not.to.contain("s3cret-value-xyz");
      }
    });
  }

  it("never repeats the sealing key it refuses", () => {
    expect(() => loadConfig({ ...MINIMAL, PORTCULLIS_ENCRYPTION_KEY: "hunter2hunter2" })).to.throw(ConfigError).with.property("message").that.does.not.contain("hunter2");
  });
});
