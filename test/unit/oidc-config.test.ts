import { expect } from "chai";
import { ConfigError, loadConfig } from "../../src/config";

const MINIMAL = {
  OIDC_ISSUER: "https://idp.example.com/realms/main",
  OIDC_CLIENT_ID: "portcullis",
  OIDC_CLIENT_SECRET: "s3cret-value-xyz",
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
  });

  it("reads scopes, the groups claim, amr values and the provider name", () => {
    const oidc = loadConfig({
      ...MINIMAL,
      OIDC_SCOPES: "openid email groups",
      OIDC_GROUPS_CLAIM: "roles",
      OIDC_MFA_AMR: "mfa,hwk",
      OIDC_PROVIDER_NAME: "okta",
    }).oidc!;
    expect(oidc).to.deep.include({
      scopes: ["openid", "email", "groups"],
      groupsClaim: "roles",
      mfaAmr: ["mfa", "hwk"],
      providerName: "okta",
    });
  });

  it("accepts plain http only towards a loopback address", () => {
    expect(
      loadConfig({
        ...MINIMAL,
        OIDC_ISSUER: "http://127.0.0.1:9000",
        OIDC_REDIRECT_URI: "http://localhost:4000/auth/oidc/callback",
      }).oidc,
    ).not.to.equal(null);
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
  ];
  for (const [patch, variable] of bad) {
    it(`refuses ${JSON.stringify(patch)} naming ${variable}`, () => {
      try {
        loadConfig({ ...MINIMAL, ...patch });
        expect.fail("expected a ConfigError");
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        expect((err as ConfigError).variable).to.equal(variable);
        expect((err as Error).message)
          .to.match(new RegExp(`^${variable}: `))
          .and.not.contain("\n");
        expect((err as Error).message).not.to.contain("s3cret-value-xyz");
      }
    });
  }
});
