import { expect } from "chai";
import type { SsoLoginResult } from "../../../src/domain/sso/sso-login";
import { SESSION_COOKIE } from "../../../src/http/session-cookie";
import { ok } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addUser } from "../../support/principals";
import { gql, serverForSuite, type TestServer } from "../../support/server";
import { addRoleWithOptions, anIdentity, loginRequest, unique } from "../../support/sso";
import { subscribe } from "../../support/subscriptions";

const ME = "{ me { id } }";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const kind of databaseKinds()) {
  describe(`sessions over HTTP on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;

    serverForSuite(kind, (s) => (server = s));

    /** A fresh SSO user whose provider maps every user to `role`. */
    const loginAs = async (role = "viewer"): Promise<SsoLoginResult> => {
      const provider = unique("idp");
      await server.app.storage.ssoMappings.replace(provider, [{ provider, group: "*", role, scope: "" }]);
      return server.app.services.ssoLogin.login(anIdentity({ provider }), loginRequest());
    };
    const cookie = (secret: string) => ({ cookie: `other=1; ${SESSION_COOKIE}=${secret}` });
    const meByCookie = (secret: string) => gql<{ me: { id: string } }>(server.url, ME, { headers: cookie(secret) });
    const meByBearer = (secret: string) => gql<{ me: { id: string } }>(server.url, ME, { token: secret });
    const logout = (headers: Record<string, string>) => fetch(`${server.url}/auth/logout`, { method: "POST", headers });
    const unauthenticated = (res: Awaited<ReturnType<typeof gql>>) => res.errors?.[0]?.extensions?.code;

    it("authenticates GraphQL with the session as a cookie and as a bearer", async () => {
      const session = await loginAs();
      expect((await meByCookie(session.sessionSecret)).data?.me.id).to.equal(session.userId);
      expect((await meByBearer(session.sessionSecret)).data?.me.id).to.equal(session.userId);
    });

    it("judges a request with an Authorization header by that header alone, never the cookie", async () => {
      const session = await loginAs();
      const res = await gql(server.url, ME, {
        headers: { ...cookie(session.sessionSecret), authorization: "Bearer nonsense" },
      });
      expect(unauthenticated(res)).to.equal("UNAUTHENTICATED");
    });

    it("does not take a token from the cookie", async () => {
      const user = await addUser(server, ["viewer"]);
      expect(unauthenticated(await meByCookie(user.token))).to.equal("UNAUTHENTICATED");
    });

    it("ends the session at the role's maxSessionTtl", async () => {
      const role = await addRoleWithOptions(server, "{ maxSessionTtl: 2s }");
      const session = await loginAs(role);
      expect(session.expiresAt.getTime() - Date.now()).to.be.at.most(2000);
      expect((await meByCookie(session.sessionSecret)).data?.me.id).to.equal(session.userId);
      await sleep(Math.max(0, session.expiresAt.getTime() - Date.now()) + 200);
      expect(unauthenticated(await meByCookie(session.sessionSecret))).to.equal("UNAUTHENTICATED");
    });

    it("logs out by cookie: 204, the cookie cleared, the session refused on the very next request", async () => {
      const session = await loginAs();
      const res = await logout(cookie(session.sessionSecret));
      expect(res.status).to.equal(204);
      expect(res.headers.get("set-cookie")).to.match(new RegExp(`^${SESSION_COOKIE}=;.*Expires=Thu, 01 Jan 1970`, "i"));
      expect(unauthenticated(await meByCookie(session.sessionSecret))).to.equal("UNAUTHENTICATED");
      expect((await server.app.storage.sessions.get(session.sessionId))?.revokedAt).to.be.instanceOf(Date);
    });

    it("logs out by bearer, and audits the logout", async () => {
      const session = await loginAs();
      expect((await meByBearer(session.sessionSecret)).data?.me.id).to.equal(session.userId);
      const res = await logout({ authorization: `Bearer ${session.sessionSecret}` });
      expect(res.status).to.equal(204);
      expect(unauthenticated(await meByBearer(session.sessionSecret))).to.equal("UNAUTHENTICATED");
      const trail = await ok<{ auditEvents: { nodes: unknown[] } }>(
        server,
        server.adminToken,
        `query($f: AuditFilter) { auditEvents(filter: $f) { nodes { actorId metadata } } }`,
        {
          f: { operation: "logout", actorId: session.userId },
        },
      );
      expect(trail.auditEvents.nodes).to.deep.equal([
        { actorId: session.userId, metadata: { sessionId: session.sessionId, ended: true } },
      ]);
    });

    it("answers 401 JSON to a logout without a valid session, or with a token", async () => {
      const headerSets: Array<Record<string, string>> = [
        {},
        cookie("pts_not-a-session"),
        { authorization: `Bearer ${(await addUser(server, [])).token}` },
      ];
      for (const headers of headerSets) {
        const res = await logout(headers);
        expect(res.status).to.equal(401);
        expect(res.headers.get("content-type")).to.match(/^application\/json/);
        expect(
          ((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code,
        ).to.equal("UNAUTHENTICATED");
      }
      const session = await loginAs();
      await logout(cookie(session.sessionSecret));
      expect((await logout(cookie(session.sessionSecret))).status).to.equal(401);
    });

    const endings: Array<[string, (userId: string) => { query: string; variables: Record<string, unknown> }]> = [
      [
        "revokeSessions",
        (userId) => ({ query: "mutation($id: ID!) { revokeSessions(userId: $id) }", variables: { id: userId } }),
      ],
      [
        "lockUser",
        (userId) => ({ query: "mutation($id: ID!) { lockUser(id: $id) { id } }", variables: { id: userId } }),
      ],
      [
        "deprovisionUser",
        (userId) => ({ query: "mutation($id: ID!) { deprovisionUser(id: $id) { id } }", variables: { id: userId } }),
      ],
    ];
    for (const [mutation, call] of endings) {
      it(`ends the session at once on ${mutation}`, async () => {
        const session = await loginAs();
        expect((await meByCookie(session.sessionSecret)).data?.me.id).to.equal(session.userId);
        const { query, variables } = call(session.userId);
        await ok(server, server.adminToken, query, variables);
        expect(unauthenticated(await meByCookie(session.sessionSecret))).to.equal("UNAUTHENTICATED");
        expect(unauthenticated(await meByBearer(session.sessionSecret))).to.equal("UNAUTHENTICATED");
      });
    }

    it("lets GET /audit/export use the session cookie", async () => {
      const session = await loginAs("auditor");
      const res = await fetch(`${server.url}/audit/export?days=1`, { headers: cookie(session.sessionSecret) });
      expect(res.status).to.equal(200);
      await res.text();
      const anonymous = await fetch(`${server.url}/audit/export?days=1`);
      expect(anonymous.status).to.equal(401);
    });

    it("accepts the session cookie on the graphql-ws handshake from the server's own origin only", async () => {
      const session = await loginAs("auditor");
      const host = new URL(server.url).host;
      const query = "subscription { auditEvents { operation actorId } }";
      const own = subscribe(server, query, { headers: { ...cookie(session.sessionSecret), origin: `http://${host}` } });
      await sleep(300);
      await ok(server, session.sessionSecret, "{ users(first: 1) { id } }");
      await own.waitFor((e) => e.auditEvents.operation === "Query.users" && e.auditEvents.actorId === session.userId);
      await own.dispose();
      const foreign = subscribe(server, query, {
        headers: { ...cookie(session.sessionSecret), origin: "https://evil.example" },
      });
      expect(await foreign.closed).to.equal(4403);
    });
  });
}
