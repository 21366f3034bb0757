// A passport strategy a deployment adds through PORTCULLIS_LOGIN_STRATEGIES:
// a module of its own, served at /auth/<name>, its logins provisioned like any
// SSO login and its refusals audited under its name.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { createApp } from "../../../src/app";
import { ConfigError, loadConfig } from "../../../src/config";
import { createLogger } from "../../../src/http/logger";
import { databaseKinds } from "../../support/databases";
import { deniedAuthentication } from "../../support/oidc-flows";
import { sessionFromSetCookie } from "../../support/saml-idp";
import { gql, startServer, type TestServer } from "../../support/server";

const sqlite = databaseKinds()[0];

/** An OAuth-shaped provider in a few lines: state kept in req.session, the user named by the callback. */
const MODULE = `
const { Strategy } = require(${JSON.stringify(require.resolve("passport-strategy"))});
class Acme extends Strategy {
  authenticate(req) {
    if (req.query.state === undefined) {
      req.session.state = "s-" + Math.random().toString(36).slice(2);
      return this.redirect("https://acme.example.test/authorize?state=" + req.session.state);
    }
    if (req.query.state !== req.session.state) return this.fail({ message: "state mismatch" });
    if (req.query.user === "nobody") return this.fail({ message: "no such user" });
    this.success({ provider: "acme", source: "OIDC", externalId: "acme-" + req.query.user,
      email: req.query.user + "@acme.example.test", displayName: null, groups: ["acme-admins"], mfa: false });
  }
}
module.exports = () => ({ name: "acme", strategy: new Acme() });
`;

describe("login strategies a deployment adds", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "portcullis-strategy-"));
  const modulePath = join(dir, "acme-strategy.js");
  let server: TestServer;

  before(async () => {
    writeFileSync(modulePath, MODULE);
    server = await startServer(sqlite, { PORTCULLIS_LOGIN_STRATEGIES: modulePath });
    const mapped = await gql(
      server.url,
      `mutation { setSsoMappings(mappings: [{ group: "acme-admins", role: "auditor", provider: "acme" }], provider: "acme") { group } }`,
      { token: server.adminToken },
    );
    expect(mapped.errors).to.equal(undefined);
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const res = await fetch(`${server.url}/auth/acme/login?returnTo=/console`, { redirect: "manual" });
    expect(res.status).to.equal(302);
    const location = new URL(res.headers.get("location")!);
    const cookie = /^(portcullis_login_acme=[^;]+)/.exec(res.headers.get("set-cookie") ?? "")![1];
    return { state: location.searchParams.get("state")!, cookie };
  };

  it("sends the browser to the provider, and on its return provisions the user, maps its groups and sets a session", async () => {
    const { state, cookie } = await start();
    const res = await fetch(`${server.url}/auth/acme/callback?state=${state}&user=zoe`, {
      redirect: "manual",
      headers: { cookie },
    });
    expect(res.status).to.equal(303);
    expect(res.headers.get("location")).to.equal("/console");
    const session = sessionFromSetCookie(res)!;
    const me = await gql<{ me: { email: string; grants: Array<{ role: { name: string } }> } }>(
      server.url,
      "{ me { email grants { role { name } } } }",
      { token: session.secret },
    );
    expect(me.data!.me.email).to.equal("zoe@acme.example.test");
    expect(me.data!.me.grants.map((g) => g.role.name)).to.deep.equal(["auditor"]);
  });

  it("refuses a callback in a browser that started no login, audited under the strategy's name", async () => {
    const res = await fetch(`${server.url}/auth/acme/callback?state=x&user=zoe`, { redirect: "manual" });
    expect(res.status).to.equal(401);
    const event = await deniedAuthentication(server, res.headers.get("x-request-id"));
    expect(event?.action).to.equal("acme");
    expect(event?.metadata).to.deep.include({ failure: "no_transaction" });
  });

  it("refuses what the strategy refuses, with its reason in the audit event", async () => {
    const { state, cookie } = await start();
    const res = await fetch(`${server.url}/auth/acme/callback?state=${state}&user=nobody`, {
      redirect: "manual",
      headers: { cookie },
    });
    expect(res.status).to.equal(401);
    expect(res.headers.get("set-cookie")).to.not.match(/portcullis_session=pts_/);
    const event = await deniedAuthentication(server, res.headers.get("x-request-id"));
    expect(event?.action).to.equal("acme");
    expect(event?.metadata).to.deep.include({ failure: "refused" });
    expect(String((event?.metadata as { reason?: unknown } | undefined)?.reason)).to.contain("no such user");
  });

  it("stops the start naming PORTCULLIS_LOGIN_STRATEGIES when a module is missing or takes a reserved name", async () => {
    const reserved = join(dir, "reserved.js");
    writeFileSync(reserved, MODULE.replace('name: "acme"', 'name: "ldap"'));
    for (const [path, message] of [
      [join(dir, "missing.js"), /cannot load/],
      [reserved, /name 'ldap' is portcullis's own/],
    ] as const) {
      const config = loadConfig({ DATABASE_URL: "sqlite::memory:", PORTCULLIS_LOGIN_STRATEGIES: path });
      const err = await createApp({ config, logger: createLogger("silent") }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).variable).to.equal("PORTCULLIS_LOGIN_STRATEGIES");
      expect((err as ConfigError).message).to.match(message);
    }
  });
});
