import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, loadConfig, SAML_DEFAULT_MFA_CONTEXTS } from "../../src/config";

const FIXTURES = join(__dirname, "..", "..", "..", "test", "fixtures", "saml");
const IDP_CERT = readFileSync(join(FIXTURES, "idp.crt"), "utf8");
const OTHER_CERT = readFileSync(join(FIXTURES, "other-idp.crt"), "utf8");

const SAML: Record<string, string> = {
  SAML_IDP_ENTRY_POINT: "https://idp.example.test/sso",
  SAML_IDP_CERT: IDP_CERT,
  SAML_IDP_ENTITY_ID: "https://idp.example.test/metadata",
  SAML_SP_ENTITY_ID: "https://portcullis.example.test/saml",
  SAML_ACS_URL: "https://portcullis.example.test/auth/saml/acs",
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig: SAML", () => {
  it("leaves SAML off when no SAML_ variable is set", () => {
    expect(loadConfig({}).saml).to.equal(null);
  });

  it("reads the required variables and fills in the defaults", () => {
    const saml = loadConfig(SAML).saml!;
    expect(saml).to.include({
      idpEntryPoint: SAML.SAML_IDP_ENTRY_POINT,
      idpEntityId: SAML.SAML_IDP_ENTITY_ID,
      spEntityId: SAML.SAML_SP_ENTITY_ID,
      acsUrl: SAML.SAML_ACS_URL,
      clockSkewMs: 60_000,
      provider: "saml",
    });
    expect(saml.idpCerts).to.have.length(1);
    expect(saml.emailAttributes)
      .to.include("email")
      .and.to.include("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress");
    expect(saml.groupsAttributes).to.include("groups");
    expect(saml.displayNameAttributes).to.include("displayName");
    expect(saml.mfaContexts).to.deep.equal(SAML_DEFAULT_MFA_CONTEXTS);
  });

  it("takes several certificates for a rollover, as PEM text or as files", () => {
    expect(loadConfig({ ...SAML, SAML_IDP_CERT: IDP_CERT + OTHER_CERT }).saml!.idpCerts).to.have.length(2);
    const files = `${join(FIXTURES, "idp.crt")}, ${join(FIXTURES, "other-idp.crt")}`;
    expect(loadConfig({ ...SAML, SAML_IDP_CERT: files }).saml!.idpCerts).to.deep.equal([
      IDP_CERT.trim(),
      OTHER_CERT.trim(),
    ]);
  });

  it("reads a PEM written on one line with \\n escapes", () => {
    expect(loadConfig({ ...SAML, SAML_IDP_CERT: IDP_CERT.trim().replace(/\n/g, "\\n") }).saml!.idpCerts).to.deep.equal([
      IDP_CERT.trim(),
    ]);
  });

  it("reads attribute lists, the skew, the MFA classes and the provider name", () => {
    const saml = loadConfig({
      ...SAML,
      SAML_EMAIL_ATTRIBUTE: "mail",
      SAML_GROUPS_ATTRIBUTE: "memberOf, roles",
      SAML_DISPLAY_NAME_ATTRIBUTE: "cn",
      SAML_CLOCK_SKEW: "2m",
      SAML_MFA_CONTEXTS: "urn:example:mfa",
      SAML_PROVIDER: "okta",
    }).saml!;
    expect(saml).to.deep.include({
      emailAttributes: ["mail"],
      groupsAttributes: ["memberOf", "roles"],
      displayNameAttributes: ["cn"],
    });
    expect(saml).to.deep.include({ clockSkewMs: 120_000, mfaContexts: ["urn:example:mfa"], provider: "okta" });
    expect(loadConfig({ ...SAML, SAML_CLOCK_SKEW: "300" }).saml!.clockSkewMs).to.equal(300_000);
  });

  it("names the first missing required variable when only some are set", () => {
    const err = configError({ SAML_IDP_ENTRY_POINT: SAML.SAML_IDP_ENTRY_POINT });
    expect(err.variable).to.equal("SAML_IDP_CERT");
    expect(err.message).to.match(/^SAML_IDP_CERT: is required when SAML is configured/);
  });

  const bad: Array<[Record<string, string>, string, RegExp]> = [
    [{ SAML_CLOCK_SKEW: "301" }, "SAML_CLOCK_SKEW", /more than the 5 minutes/],
    [{ SAML_CLOCK_SKEW: "6m" }, "SAML_CLOCK_SKEW", /more than the 5 minutes/],
    [{ SAML_CLOCK_SKEW: "soon" }, "SAML_CLOCK_SKEW", /'soon' is not a duration/],
    [
      { SAML_IDP_CERT: "-----BEGIN CERTIFICATE-----\nnotbase64\n-----END CERTIFICATE-----" },
      "SAML_IDP_CERT",
      /not a valid X.509/,
    ],
    [
      { SAML_IDP_CERT: "/nonexistent/idp.crt" },
      "SAML_IDP_CERT",
      /cannot read certificate file '\/nonexistent\/idp.crt'/,
    ],
    [{ SAML_IDP_ENTRY_POINT: "idp.example.test/sso" }, "SAML_IDP_ENTRY_POINT", /is not a URL/],
    [{ SAML_ACS_URL: "ftp://portcullis.example.test/acs" }, "SAML_ACS_URL", /not an http\(s\) URL/],
    [{ SAML_SP_ENTITY_ID: "has spaces" }, "SAML_SP_ENTITY_ID", /not an entity id/],
    [{ SAML_PROVIDER: "Okta!" }, "SAML_PROVIDER", /not a provider name/],
    [{ SAML_GROUPS_ATTRIBUTE: " , " }, "SAML_GROUPS_ATTRIBUTE", /lists nothing/],
  ];
  for (const [patch, variable, message] of bad) {
    it(`refuses ${variable}=${JSON.stringify(Object.values(patch)[0]).slice(0, 40)} with one line naming it`, () => {
      const err = configError({ ...SAML, ...patch });
      expect(err.variable).to.equal(variable);
      expect(err.message).to.match(message);
      expect(err.message).to.not.contain("\n");
    });
  }
});
