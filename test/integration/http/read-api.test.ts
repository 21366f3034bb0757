import { expect } from "chai";
import { generateSecret, TOKEN_PREFIX } from "../../../src/domain/credentials/secret-format";
import { databaseKinds } from "../../support/databases";
import { gql, serverForSuite, type TestServer } from "../../support/server";

const BUILT_IN_ROLES = ["admin", "auditor", "cicd", "deployer", "operator", "ops", "viewer"];

for (const kind of databaseKinds()) {
  describe(`read API over HTTP on ${kind.name}`, function () {
    this.timeout(60_000);
    let server: TestServer;
    serverForSuite(kind, (s) => (server = s));

    it("answers the bootstrap admin with itself, the seven built-in roles and the seeded types", async () => {
      const res = await gql<{
        me: unknown;
        roles: Array<{ name: string; builtIn: boolean }>;
        resourceTypes: Array<{ name: string }>;
      }>(server.url, "{ me { email status } roles { name builtIn } resourceTypes { name } }", {
        token: server.adminToken,
      });
      expect(res.errors).to.equal(undefined);
      expect(res.data!.me).to.deep.equal({ email: "admin@portcullis.local", status: "ACTIVE" });
      expect(res.data!.roles.map((r) => r.name).sort()).to.deep.equal(BUILT_IN_ROLES);
      expect(res.data!.roles.every((r) => r.builtIn)).to.equal(true);
      expect(res.data!.resourceTypes.map((t) => t.name)).to.include.members(["job", "secret", "role", "permission"]);
    });

    it("refuses a request without a credential with UNAUTHENTICATED", async () => {
      const res = await gql(server.url, "{ me { email } }");
      expect(res.data).to.equal(null);
      expect(res.errors?.[0]?.extensions?.code).to.equal("UNAUTHENTICATED");
    });

    it("refuses a well-formed but unknown token, and one with a bad checksum, with UNAUTHENTICATED", async () => {
      const unknown = generateSecret(TOKEN_PREFIX);
      const badChecksum = server.adminToken.slice(0, -1) + (server.adminToken.endsWith("A") ? "B" : "A");
      for (const token of [unknown, badChecksum, "not-a-token"]) {
        const res = await gql(server.url, "{ roles { name } }", { token });
        expect(res.errors?.[0]?.extensions?.code, token).to.equal("UNAUTHENTICATED");
        expect(res.data).to.equal(null);
      }
    });

    it("shows the admin's grant and break-glass token, with a hint but never the secret", async () => {
      const res = await gql<{ me: { grants: unknown[]; tokens: unknown[] } }>(
        server.url,
        "{ me { grants { role { name } scope source active subjectType } tokens { name hint breakGlass expiresAt owner { email } roles { name } } } }",
        { token: server.adminToken },
      );
      expect(res.errors).to.equal(undefined);
      expect(res.data!.me.grants).to.deep.equal([
        { role: { name: "admin" }, scope: "", source: "MANUAL", active: true, subjectType: "USER" },
      ]);
      const [token] = res.data!.me.tokens;
      expect(token).to.deep.equal({
        name: "bootstrap break-glass",
        hint: `ptc_…${server.adminToken.slice(-4)}`,
        breakGlass: true,
        expiresAt: null,
        owner: { email: "admin@portcullis.local" },
        roles: [],
      });
      expect(res.raw).to.not.contain(server.adminToken.slice(4, 44));
    });

    it("reads a role with its policies, expanded rules and inherited roles", async () => {
      const res = await gql<{ role: { name: string; inherits: unknown[]; policies: unknown[]; document: string } }>(
        server.url,
        `{ role(name: "DEPLOYER") { name inherits { name } policies { name version builtIn rules { effect resourceType capabilities } } maxSessionTtlSeconds requireSessionMfa requestableRoles { name } document } }`,
        { token: server.adminToken },
      );
      expect(res.errors).to.equal(undefined);
      const role = res.data!.role;
      expect(role.name).to.equal("deployer");
      expect(role.inherits).to.deep.equal([{ name: "viewer" }]);
      expect(role.policies).to.deep.equal([
        {
          name: "deployer-deploy",
          version: 1,
          builtIn: true,
          rules: [
            { effect: "ALLOW", resourceType: "job", capabilities: ["submit", "stop", "restart"] },
            { effect: "ALLOW", resourceType: "app", capabilities: ["deploy", "restart"] },
          ],
        },
      ]);
      expect(role.document).to.contain("name: deployer");
    });

    it("expands a level against the registry and reads an empty capability list back as a deny of '*'", async () => {
      const res = await gql<{ policy: { rules: Array<{ level: string; capabilities: string[] }>; roles: unknown[] } }>(
        server.url,
        `{ policy(name: "viewer-read") { rules { effect resourceType capabilities level } roles { name } } }`,
        { token: server.adminToken },
      );
      expect(res.errors).to.equal(undefined);
      const [star, secret] = res.data!.policy.rules;
      expect(star.level).to.equal("READ");
      expect(star.capabilities).to.include.members(["list", "read", "logs", "query", "env"]).and.not.include("submit");
      expect(secret).to.deep.equal({ effect: "DENY", resourceType: "secret", capabilities: ["*"], level: null });
      expect(res.data!.policy.roles).to.deep.equal([{ name: "viewer" }]);
    });

    it("answers null for a role, policy or user that does not exist", async () => {
      const res = await gql<Record<string, unknown>>(
        server.url,
        `{ role(name: "nope") { name } policy(name: "nope") { name } user(email: "nobody@example.com") { id } }`,
        { token: server.adminToken },
      );
      expect(res.errors).to.equal(undefined);
      expect(res.data).to.deep.equal({ role: null, policy: null, user: null });
    });

    it("finds a user by id or email and pages users by id", async () => {
      const me = (
        await gql<{ me: { id: string; email: string } }>(server.url, "{ me { id email } }", {
          token: server.adminToken,
        })
      ).data!.me;
      const res = await gql(
        server.url,
        `query($id: ID, $after: String, $email: String) { byId: user(id: $id) { email } byEmail: user(email: $email) { id } users(first: 1) { id } rest: users(first: 10, after: $after) { id } }`,
        { token: server.adminToken, variables: { id: me.id, after: me.id, email: "ADMIN@portcullis.local" } },
      );
      expect(res.errors).to.equal(undefined);
      expect(res.data).to.deep.equal({
        byId: { email: me.email },
        byEmail: { id: me.id },
        users: [{ id: me.id }],
        rest: [],
      });
    });

    it("refuses a page size out of range with BAD_USER_INPUT naming the argument", async () => {
      const res = await gql(server.url, "{ users(first: 0) { id } }", { token: server.adminToken });
      expect(res.errors?.[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "first" });
    });

    it("reports health and readiness", async () => {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).to.equal(200);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).to.equal(200);
      expect(await ready.json()).to.deep.equal({
        status: "ready",
        checks: { database: "up", migrations: "applied", cluster: "single instance (no REDIS_URL)" },
      });
    });

    it("never answers with a stack trace, SQL or a file path", async () => {
      const bodies: string[] = [];
      for (const query of [
        "{ me { nope } }",
        "{",
        "query { user(id: 1, email: 2) { id } }",
        '{ users(first: "x") { id } }',
      ]) {
        const res = await fetch(`${server.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${server.adminToken}` },
          body: JSON.stringify({ query }),
        });
        bodies.push(await res.text());
      }
      const broken = await fetch(`${server.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{not json",
      });
      expect(broken.status).to.equal(400);
      bodies.push(await broken.text());
      const huge = await fetch(`${server.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: `{ me { id } } #${"x".repeat(1_100_000)}` }),
      });
      expect(huge.status).to.equal(413);
      bodies.push(await huge.text());
      const missing = await fetch(`${server.url}/no-such-path`);
      expect(missing.status).to.equal(404);
      bodies.push(await missing.text());
      for (const body of bodies) {
        expect(body).to.not.match(/\bat .*\.js:\d+|node_modules|\/work\/|SELECT |INSERT |<html/i);
      }
    });
  });
}
