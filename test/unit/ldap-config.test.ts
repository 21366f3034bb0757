import { expect } from "chai";
import { escapeFilterValue } from "../../src/auth/ldap/ldap-directory";
import { ConfigError, loadConfig } from "../../src/config";

const LDAP: Record<string, string> = {
  LDAP_URL: "ldaps://ldap.example.test",
  LDAP_USER_SEARCH_BASE: "ou=people,dc=example,dc=test",
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

describe("loadConfig: LDAP", () => {
  it("leaves LDAP off when no LDAP_ variable is set", () => {
    expect(loadConfig({}).ldap).to.equal(null);
  });

  it("fills in the defaults: uid filter, memberOf groups named by cn, mail, displayName then cn, provider ldap", () => {
    expect(loadConfig(LDAP).ldap).to.deep.include({
      url: "ldaps://ldap.example.test",
      startTls: false,
      bindDn: null,
      userFilter: "(uid={{username}})",
      groupSearchBase: null,
      groupsAttribute: "memberOf",
      groupNameAttribute: "cn",
      emailAttributes: ["mail"],
      displayNameAttributes: ["displayName", "cn"],
      provider: "ldap",
      timeoutMs: 5000,
    });
  });

  const refused: Array<[Record<string, string>, string, RegExp]> = [
    [{ LDAP_USER_SEARCH_BASE: LDAP.LDAP_USER_SEARCH_BASE }, "LDAP_URL", /is required when LDAP is configured/],
    [{ ...LDAP, LDAP_URL: "http://ldap.example.test" }, "LDAP_URL", /not an ldap:\/\/ or ldaps:\/\/ URL/],
    [{ ...LDAP, LDAP_URL: "ldap://admin:pw@ldap.example.test" }, "LDAP_URL", /must not carry credentials/],
    [{ ...LDAP, LDAP_STARTTLS: "true" }, "LDAP_STARTTLS", /cannot be true with an ldaps:\/\//],
    [{ ...LDAP, LDAP_STARTTLS: "yes" }, "LDAP_STARTTLS", /'yes' is not true or false/],
    [{ ...LDAP, LDAP_BIND_DN: "cn=portcullis,dc=example,dc=test" }, "LDAP_BIND_PASSWORD", /set together/],
    [{ ...LDAP, LDAP_USER_FILTER: "(uid=alice)" }, "LDAP_USER_FILTER", /holding \{\{username\}\}/],
    [{ ...LDAP, LDAP_USER_FILTER: "(uid={{username}}" }, "LDAP_USER_FILTER", /is not a filter/],
    [{ ...LDAP, LDAP_USER_SEARCH_BASE: "people" }, "LDAP_USER_SEARCH_BASE", /is not a DN/],
    [{ ...LDAP, LDAP_NESTED_GROUPS: "true" }, "LDAP_NESTED_GROUPS", /needs LDAP_GROUP_SEARCH_BASE/],
    [{ ...LDAP, LDAP_TLS_CA_FILE: "/nonexistent/ca.pem" }, "LDAP_TLS_CA_FILE", /cannot read '\/nonexistent\/ca.pem'/],
    [{ ...LDAP, LDAP_TIMEOUT: "90s" }, "LDAP_TIMEOUT", /not a timeout of 1 to 60 seconds/],
    [{ ...LDAP, LDAP_PROVIDER: "Corp LDAP" }, "LDAP_PROVIDER", /not a provider name/],
  ];
  for (const [env, variable, message] of refused) {
    it(`refuses ${variable} in ${JSON.stringify(env).slice(0, 90)}, naming it`, () => {
      const err = configError(env);
      expect(err.variable).to.equal(variable);
      expect(err.message).to.match(message);
    });
  }

  it("never puts the bind password in an error", () => {
    const err = configError({ ...LDAP, LDAP_BIND_PASSWORD: "s3cret-pw" });
    expect(err.message).to.not.contain("s3cret-pw");
  });
});

describe("escapeFilterValue", () => {
  it("escapes what would change a filter (RFC 4515) and leaves the rest", () => {
    expect(escapeFilterValue("*)(uid=*")).to.equal("\\2a\\29\\28uid=\\2a");
    expect(escapeFilterValue("a\\b\0c")).to.equal("a\\5cb\\00c");
    expect(escapeFilterValue("alice.o'neil@example.com")).to.equal("alice.o'neil@example.com");
  });
});
