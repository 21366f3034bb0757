import { expect } from "chai";
import { ConfigError, loadConfig } from "../../src/config";

describe("loadConfig", () => {
  it("defaults to the embedded SQLite file on port 4000", () => {
    const config = loadConfig({});
    expect(config.database).to.deep.equal({
      kind: "sqlite",
      path: "data/portcullis.sqlite",
      url: "sqlite:data/portcullis.sqlite",
    });
    expect(config.port).to.equal(4000);
    expect(config.redisUrl).to.equal(null);
    expect(config.bootstrapToken).to.equal(null);
    expect(config.nodeEnv).to.equal("development");
    expect(config.trustedProxies).to.deep.equal([]);
    expect(config.scimProvider).to.equal("saml");
  });

  it("takes the SSO provider whose mappings SCIM group membership feeds", () => {
    expect(loadConfig({ SCIM_PROVIDER: "oidc" }).scimProvider).to.equal("oidc");
  });

  it("has no encryption key and a 15-minute step-up window unless told otherwise", () => {
    expect(loadConfig({}).encryptionKey).to.equal(null);
    expect(loadConfig({}).mfaStepUpTtlSeconds).to.equal(900);
    const key = Buffer.alloc(32, 7);
    const config = loadConfig({
      PORTCULLIS_ENCRYPTION_KEY: key.toString("base64"),
      PORTCULLIS_MFA_STEP_UP_TTL: "1h30m",
    });
    expect(config.encryptionKey).to.deep.equal(key);
    expect(config.mfaStepUpTtlSeconds).to.equal(5400);
  });

  it("keeps access requests pending 24 hours unless PORTCULLIS_ACCESS_REQUEST_TTL says otherwise", () => {
    expect(loadConfig({}).accessRequestTtlSeconds).to.equal(24 * 3600);
    expect(loadConfig({ PORTCULLIS_ACCESS_REQUEST_TTL: "2h" }).accessRequestTtlSeconds).to.equal(7200);
    expect(() => loadConfig({ PORTCULLIS_ACCESS_REQUEST_TTL: "soon" })).to.throw(/PORTCULLIS_ACCESS_REQUEST_TTL/);
    expect(() => loadConfig({ PORTCULLIS_ACCESS_REQUEST_TTL: "0s" })).to.throw(/PORTCULLIS_ACCESS_REQUEST_TTL/);
  });

  it("reads a MySQL URL, a port, Redis and trusted proxies", () => {
    const config = loadConfig({
      DATABASE_URL: "mysql://root@127.0.0.1:3306/portcullis",
      PORT: "8080",
      REDIS_URL: "redis://127.0.0.1:6379",
      TRUSTED_PROXIES: "10.0.0.0/8, ::1",
      NODE_ENV: "production",
    });
    expect(config.database).to.deep.equal({ kind: "mysql", url: "mysql://root@127.0.0.1:3306/portcullis" });
    expect(config.port).to.equal(8080);
    expect(config.redisUrl).to.equal("redis://127.0.0.1:6379");
    expect(config.trustedProxies).to.deep.equal(["10.0.0.0/8", "::1"]);
    expect(config.nodeEnv).to.equal("production");
  });

  const bad: Array<[Record<string, string>, string]> = [
    [{ DATABASE_URL: "postgres://x/y" }, "DATABASE_URL"],
    [{ DATABASE_URL: "sqlite:" }, "DATABASE_URL"],
    [{ DATABASE_URL: "mysql://127.0.0.1:3306" }, "DATABASE_URL"],
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ REDIS_URL: "http://localhost" }, "REDIS_URL"],
    [{ NODE_ENV: "staging" }, "NODE_ENV"],
    [{ TRUSTED_PROXIES: "10.0.0.0/33" }, "TRUSTED_PROXIES"],
    [{ TRUSTED_PROXIES: "proxy.local" }, "TRUSTED_PROXIES"],
    // Forms the engine's network parser refuses (and so would never match) are refused at start-up.
    [{ TRUSTED_PROXIES: "10.0.0.0/08" }, "TRUSTED_PROXIES"],
    [{ TRUSTED_PROXIES: "010.0.0.1" }, "TRUSTED_PROXIES"],
    [{ TRUSTED_PROXIES: "10.0.0.0/8/1" }, "TRUSTED_PROXIES"],
    [{ TRUSTED_PROXIES: "fe80::1/129" }, "TRUSTED_PROXIES"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ PORTCULLIS_ADMIN_EMAIL: "admin" }, "PORTCULLIS_ADMIN_EMAIL"],
    [{ SCIM_PROVIDER: "Okta SAML" }, "SCIM_PROVIDER"],
    [{ PORTCULLIS_ENCRYPTION_KEY: Buffer.alloc(16).toString("base64") }, "PORTCULLIS_ENCRYPTION_KEY"],
    [{ PORTCULLIS_ENCRYPTION_KEY: "not base64!" }, "PORTCULLIS_ENCRYPTION_KEY"],
    [{ PORTCULLIS_MFA_STEP_UP_TTL: "15 minutes" }, "PORTCULLIS_MFA_STEP_UP_TTL"],
    [{ PORTCULLIS_MFA_STEP_UP_TTL: "0s" }, "PORTCULLIS_MFA_STEP_UP_TTL"],
  ];
  for (const [env, variable] of bad) {
    it(`refuses ${JSON.stringify(env)} naming ${variable}`, () => {
      try {
        loadConfig(env);
        expect.fail("expected a ConfigError");
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        expect((err as ConfigError).variable).to.equal(variable);
        expect((err as Error).message).to.match(new RegExp(`^${variable}: `));
        expect((err as Error).message).to.not.contain("\n");
      }
    });
  }

  it("names the refused TRUSTED_PROXIES value", () => {
    expect(() => loadConfig({ TRUSTED_PROXIES: "10.0.0.0/08" }))
      .to.throw(ConfigError)
      .with.property("message")
      .that.contains("'10.0.0.0/08'");
  });

  it("does not repeat a password from a bad DATABASE_URL", () => {
    expect(() => loadConfig({ DATABASE_URL: "postgres://user:hunter2@db/x" }))
      .to.throw(ConfigError)
      .with.property("message")
      .that.does.not.contain("hunter2");
  });
});
