import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Profile } from "@node-saml/node-saml";
import { identityFromProfile } from "../../../src/auth/saml/saml-identity";
import { idpCertificateWarnings } from "../../../src/auth/saml/saml-service-provider";
import {
  SAML_DEFAULT_DISPLAY_NAME_ATTRIBUTES,
  SAML_DEFAULT_EMAIL_ATTRIBUTES,
  SAML_DEFAULT_GROUPS_ATTRIBUTES,
  SAML_DEFAULT_MFA_CONTEXTS,
} from "../../../src/config";

const CONFIG = {
  provider: "saml",
  emailAttributes: SAML_DEFAULT_EMAIL_ATTRIBUTES,
  displayNameAttributes: SAML_DEFAULT_DISPLAY_NAME_ATTRIBUTES,
  groupsAttributes: SAML_DEFAULT_GROUPS_ATTRIBUTES,
  mfaContexts: SAML_DEFAULT_MFA_CONTEXTS,
};

function profile(attributes: Record<string, unknown>, patch: Partial<Profile> = {}): Profile {
  return {
    issuer: "idp",
    nameID: "user-1",
    nameIDFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    attributes,
    ...patch,
  };
}

describe("identityFromProfile", () => {
  it("takes NameID as the external id and the email, display name and groups from their attributes", () => {
    const result = identityFromProfile(
      profile({ email: "ann@example.com", displayName: "Ann", groups: ["eng", "ops"] }),
      [],
      CONFIG,
    );
    expect(result).to.deep.equal({
      identity: {
        provider: "saml",
        source: "SAML",
        externalId: "user-1",
        email: "ann@example.com",
        displayName: "Ann",
        groups: ["eng", "ops"],
        mfa: false,
      },
    });
  });

  it("reads the long-form claim names and drops duplicate and empty groups", () => {
    const result = identityFromProfile(
      profile({
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": "bob@example.com",
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups": ["a", "b", "a", " ", "b"],
      }),
      [],
      CONFIG,
    );
    expect("identity" in result && result.identity).to.deep.include({
      email: "bob@example.com",
      groups: ["a", "b"],
      displayName: null,
    });
  });

  it("takes a single group value as one group", () => {
    const result = identityFromProfile(profile({ email: "c@example.com", memberOf: "admins" }), [], CONFIG);
    expect("identity" in result && result.identity.groups).to.deep.equal(["admins"]);
  });

  it("falls back to an emailAddress NameID when no email attribute is sent", () => {
    const result = identityFromProfile(
      profile(
        {},
        { nameID: "dee@example.com", nameIDFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" },
      ),
      [],
      CONFIG,
    );
    expect("identity" in result && result.identity.email).to.equal("dee@example.com");
  });

  it("names the problem when there is no email or no NameID", () => {
    expect(identityFromProfile(profile({}), [], CONFIG))
      .to.have.property("problem")
      .that.matches(/no email/);
    expect(identityFromProfile(profile({ email: "e@example.com" }, { nameID: "" }), [], CONFIG)).to.deep.equal({
      problem: "the assertion has no NameID",
    });
  });

  it("reports MFA only for a configured multi-factor AuthnContextClassRef", () => {
    const p = profile({ email: "f@example.com" });
    const mfa = (classes: string[]) => {
      const r = identityFromProfile(p, classes, CONFIG);
      return "identity" in r && r.identity.mfa;
    };
    expect(mfa(["https://refeds.org/profile/mfa"])).to.equal(true);
    expect(mfa(["urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"])).to.equal(false);
    expect(mfa([])).to.equal(false);
  });
});

describe("idpCertificateWarnings", () => {
  const cert = readFileSync(join(__dirname, "..", "..", "..", "..", "test", "fixtures", "saml", "idp.crt"), "utf8");

  it("says nothing about a certificate still valid", () => {
    expect(idpCertificateWarnings([cert])).to.deep.equal([]);
  });

  it("names an expired certificate by position", () => {
    const warnings = idpCertificateWarnings([cert], new Date("2300-01-01T00:00:00Z"));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/^SAML_IDP_CERT certificate 1 \(CN=portcullis test idp\) expired on /);
  });
});
