// LDAP login end to end: a real OpenLDAP (slapd) seeded with users and groups,
// a real server logging in against it over ldap://, StartTLS and ldaps:// with
// a test CA, and the command line's `login --ldap`.
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { databaseKinds } from "../support/databases";
import { CliHome } from "../support/cli";
import { startLdap, SLAPD, type TestLdap } from "../support/ldap-server";
import { deniedAuthentication } from "../support/oidc-flows";
import { sessionFromSetCookie } from "../support/saml-idp";
import { gql, startServer, type TestServer } from "../support/server";
import { describeIf } from "../support/skip-reasons";

const sqlite = databaseKinds()[0];

/** The JSON of POST /auth/ldap/login: the session, or an error. */
interface LoginAnswer {
  sessionSecret?: string;
  expiresAt?: string;
  errors?: Array<{ message: string; extensions: Record<string, unknown> }>;
}

async function login(
  server: TestServer,
  body: Record<string, string>,
  as: "form" | "json" = "json",
): Promise<{ status: number; body: LoginAnswer; res: Response }> {
  const res = await fetch(`${server.url}/auth/ldap/login`, {
    method: "POST",
    redirect: "manual",
    headers:
      as === "json"
        ? { "content-type": "application/json", accept: "application/json" }
        : { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
    body: as === "json" ? JSON.stringify(body) : new URLSearchParams(body).toString(),
  });
  const text = await res.text();
  const json = (res.headers.get("content-type") ?? "").includes("json");
  return { status: res.status, body: json ? (JSON.parse(text) as LoginAnswer) : {}, res };
}

async function me(server: TestServer, secret: string) {
  const answer = await gql<{
    me: { email: string; source: string; groups: string[]; grants: Array<{ role: { name: string } }> };
  }>(server.url, "{ me { email source groups grants { role { name } } } }", { token: secret });
  expect(answer.errors).to.equal(undefined);
  return answer.data!.me;
}

describeIf(SLAPD, "slapd is not installed (apt-get install slapd ldap-utils)")("LDAP login", function () {
  this.timeout(60_000);
  let ldap: TestLdap;
  let server: TestServer;

  before(async () => {
    ldap = await startLdap();
    await ldap.addUser({ uid: "alice", password: "alice-pw", mail: "alice@example.test", displayName: "Alice Adams" });
    await ldap.addUser({ uid: "bob", password: "bob-pw", mail: "bob@example.test" });
    await ldap.addUser({ uid: "carol", password: "carol-pw", mail: "carol@example.test" });
    await ldap.addUser({ uid: "dave", password: "dave-pw", mail: "dave@example.test" });
    await ldap.setGroup("platform", ["alice", "dave"]);
    await ldap.setGroup("auditors", ["bob"]);
    await ldap.setGroup("staff", [], ["platform"]);
    server = await startServer(sqlite, ldap.env());
    const mapped = await gql(
      server.url,
      `mutation($m: [SsoMappingInput!]!) { setSsoMappings(mappings: $m, provider: "ldap") { group } }`,
      {
        token: server.adminToken,
        variables: {
          m: [
            { group: "platform", role: "deployer", provider: "ldap", scope: "staging" },
            { group: "auditors", role: "auditor", provider: "ldap" },
          ],
        },
      },
    );
    expect(mapped.errors).to.equal(undefined);
  });
  after(async () => {
    await server?.close();
    await ldap?.close();
  });

  it("logs a directory user in from a form: session cookie, 303 to returnTo, groups mapped to roles, source LDAP", async () => {
    const { status, res } = await login(
      server,
      { username: "alice", password: "alice-pw", returnTo: "/console" },
      "form",
    );
    expect(status).to.equal(303);
    expect(res.headers.get("location")).to.equal("/console");
    const cookie = sessionFromSetCookie(res);
    expect(cookie).to.not.equal(null);
    expect(cookie!.attributes)
      .to.match(/HttpOnly/i)
      .and.to.match(/SameSite=Lax/i);
    const who = await me(server, cookie!.secret);
    expect(who).to.deep.include({ email: "alice@example.test", source: "LDAP", groups: ["platform"] });
    expect(who.grants.map((g) => g.role.name)).to.deep.equal(["deployer"]);
  });

  it("answers a caller that asks for JSON with the session secret", async () => {
    const { status, body } = await login(server, { username: "bob", password: "bob-pw" });
    expect(status).to.equal(200);
    expect(body.sessionSecret!).to.match(/^pts_[0-9A-Za-z]{46}$/);
    expect(Date.parse(body.expiresAt!)).to.be.greaterThan(Date.now());
    const who = await me(server, body.sessionSecret!);
    expect(who.grants.map((g) => g.role.name)).to.deep.equal(["auditor"]);
  });

  it("refuses a form posted from another site's page (login CSRF) and signs nobody in", async () => {
    const res = await fetch(`${server.url}/auth/ldap/login`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "text/html",
        origin: "https://attacker.example",
      },
      body: new URLSearchParams({ username: "alice", password: "alice-pw" }).toString(),
    });
    expect(res.status).to.equal(403);
    expect(res.headers.get("set-cookie")).to.equal(null);
    const body = (await res.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0].message).to.include("from another origin (https://attacker.example)");
  });

  it("takes a form posted from this server's own page", async () => {
    const res = await fetch(`${server.url}/auth/ldap/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", origin: server.url },
      body: new URLSearchParams({ username: "alice", password: "alice-pw" }).toString(),
    });
    expect(res.status).to.equal(303);
    expect(res.headers.get("set-cookie")).to.match(/^portcullis_session=pts_/);
  });

  it("refuses a wrong password with 401, creates no session and audits the failure with the strategy and reason", async () => {
    const { status, body, res } = await login(server, { username: "carol", password: "not-carols" });
    expect(status).to.equal(401);
    expect(body.errors![0].message).to.equal("LDAP authentication failed: wrong username or password");
    expect(res.headers.get("set-cookie")).to.equal(null);
    const event = await deniedAuthentication(server, res.headers.get("x-request-id"));
    expect(event?.action).to.equal("ldap");
    expect(event?.metadata).to.deep.include({ failure: "bad_password", username: "carol" });
  });

  it("refuses an unknown user with the same answer as a wrong password, the audit event telling them apart", async () => {
    const { status, body, res } = await login(server, { username: "mallory", password: "whatever" });
    expect(status).to.equal(401);
    expect(body.errors![0].message).to.equal("LDAP authentication failed: wrong username or password");
    const event = await deniedAuthentication(server, res.headers.get("x-request-id"));
    expect(event?.action).to.equal("ldap");
    expect(event?.metadata).to.deep.include({ failure: "unknown_user" });
  });

  it("refuses a username that would change the search filter as an unknown user", async () => {
    const { status, res } = await login(server, { username: "*)(uid=*", password: "alice-pw" });
    expect(status).to.equal(401);
    const event = await deniedAuthentication(server, res.headers.get("x-request-id"));
    expect(event?.metadata).to.deep.include({ failure: "unknown_user" });
  });

  it("refuses a missing password with 400 naming the field, without asking the directory", async () => {
    const { status, body } = await login(server, { username: "alice", password: "" });
    expect(status).to.equal(400);
    expect(body.errors![0].extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "password" });
  });

  it("refuses a locked portcullis user before the directory is asked, whatever the password", async () => {
    const first = await login(server, { username: "dave", password: "dave-pw" });
    expect(first.status).to.equal(200);
    const who = await gql<{ user: { id: string } }>(server.url, `{ user(email: "dave@example.test") { id } }`, {
      token: server.adminToken,
    });
    const dave = who.data!.user;
    const locked = await gql(server.url, `mutation($id: ID!) { lockUser(id: $id, reason: "left") { status } }`, {
      token: server.adminToken,
      variables: { id: dave.id },
    });
    expect(locked.errors).to.equal(undefined);
    for (const password of ["dave-pw", "a wrong one"]) {
      const { status, res } = await login(server, { username: "dave", password });
      expect(status).to.equal(403);
      const event = await deniedAuthentication(server, res.headers.get("x-request-id"));
      expect(event?.action).to.equal("ldap");
      expect(event?.metadata).to.deep.include({ failure: "user_locked" });
    }
  });

  it("applies a group change in the directory at the next login", async () => {
    await ldap.addUser({ uid: "erin", password: "erin-pw", mail: "erin@example.test" });
    await ldap.setGroup("auditors", ["bob", "erin"]);
    const before = await login(server, { username: "erin", password: "erin-pw" });
    expect((await me(server, before.body.sessionSecret!)).grants.map((g) => g.role.name)).to.deep.equal(["auditor"]);
    await ldap.setGroup("auditors", ["bob"]);
    await ldap.setGroup("platform", ["alice", "dave", "erin"]);
    const after = await login(server, { username: "erin", password: "erin-pw" });
    const who = await me(server, after.body.sessionSecret!);
    expect(who.groups).to.deep.equal(["platform"]);
    expect(who.grants.map((g) => g.role.name)).to.deep.equal(["deployer"]);
  });

  it("keeps the command line's session from `login --ldap`, reading the password from stdin and printing no secret", async () => {
    const home = new CliHome();
    try {
      const run = home.spawn(["login", "--ldap", "--username", "bob", "--server", server.url], { stdin: "bob-pw\n" });
      const { code, stdout, stderr } = await run.done;
      expect(code, stderr).to.equal(0);
      expect(stdout).to.equal("");
      expect(stderr)
        .to.contain("as bob@example.test")
        .and.not.match(/pts_|bob-pw/);
      const context = (
        JSON.parse(readFileSync(home.configFile, "utf8")) as { contexts: { default: { secret: string } } }
      ).contexts.default;
      expect((await me(server, context.secret)).email).to.equal("bob@example.test");
      const refused = await home.spawn(["login", "--ldap", "--username", "bob", "--server", server.url], {
        stdin: "wrong\n",
      }).done;
      expect(refused.code).to.not.equal(0);
      expect(refused.stderr).to.contain("login refused (401)");
    } finally {
      home.remove();
    }
  });

  describe("with the groups read from memberOf and nested groups followed", () => {
    let byMemberOf: TestServer;
    let nested: TestServer;
    before(async () => {
      byMemberOf = await startServer(sqlite, ldap.env({ LDAP_GROUP_SEARCH_BASE: "" }));
      nested = await startServer(sqlite, ldap.env({ LDAP_NESTED_GROUPS: "true" }));
    });
    after(async () => {
      await byMemberOf?.close();
      await nested?.close();
    });

    it("takes the group names from the memberOf DNs the overlay keeps", async () => {
      const { body } = await login(byMemberOf, { username: "alice", password: "alice-pw" });
      expect((await me(byMemberOf, body.sessionSecret!)).groups).to.deep.equal(["platform"]);
    });

    it("adds the groups that contain the user's groups", async () => {
      const { body } = await login(nested, { username: "alice", password: "alice-pw" });
      expect((await me(nested, body.sessionSecret!)).groups).to.have.members(["platform", "staff"]);
    });
  });

  describe("over TLS with the test CA", () => {
    const servers: TestServer[] = [];
    after(async () => {
      for (const s of servers) await s.close();
    });
    const serve = async (env: Record<string, string>) => {
      const s = await startServer(sqlite, ldap.env(env));
      servers.push(s);
      return s;
    };

    it("logs in over ldaps:// trusting LDAP_TLS_CA_FILE", async () => {
      const s = await serve({ LDAP_URL: ldap.ldapsUrl, LDAP_TLS_CA_FILE: ldap.caFile });
      expect((await login(s, { username: "alice", password: "alice-pw" })).status).to.equal(200);
    });

    it("logs in over ldap:// upgraded with StartTLS", async () => {
      const s = await serve({ LDAP_STARTTLS: "true", LDAP_TLS_CA_FILE: ldap.caFile });
      expect((await login(s, { username: "alice", password: "alice-pw" })).status).to.equal(200);
    });

    it("answers 503 and audits directory_unavailable when the directory's certificate is not trusted", async () => {
      const s = await serve({ LDAP_URL: ldap.ldapsUrl });
      const { status, res } = await login(s, { username: "alice", password: "alice-pw" });
      expect(status).to.equal(503);
      const event = await deniedAuthentication(s, res.headers.get("x-request-id"));
      expect(event?.action).to.equal("ldap");
      expect(event?.metadata).to.deep.include({ failure: "directory_unavailable" });
    });
  });

  describe("brute force", () => {
    let limited: TestServer;
    before(async () => {
      limited = await startServer(
        sqlite,
        ldap.env({
          PORTCULLIS_AUTH_FAILURES_PER_CREDENTIAL: "3",
          PORTCULLIS_AUTH_FAILURES_PER_ADDRESS: "1000",
          PORTCULLIS_AUTH_REQUESTS_PER_ADDRESS: "1000",
        }),
      );
    });
    after(async () => limited?.close());

    it("limits failed logins per username: over the limit even the right password is refused with 429", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await login(limited, { username: "carol", password: `guess-${i}` })).status);
      expect(statuses).to.deep.equal([401, 401, 401, 429]);
      const right = await login(limited, { username: "Carol", password: "carol-pw" });
      expect(right.status).to.equal(429);
      expect(Number(right.res.headers.get("retry-after"))).to.be.greaterThan(0);
      expect((await login(limited, { username: "alice", password: "alice-pw" })).status).to.equal(200);
    });
  });
});
