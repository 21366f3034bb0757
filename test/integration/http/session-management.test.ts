// `sessions` and `revokeSession` over HTTP: a user lists and ends their own login
// sessions; another user's only with the capabilities that reading and ending
// another user's credentials need (token:list, user:lock).
import { expect } from "chai";
import { auditHead, changeOf, changesSince, ok, refused } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addUser, type TestUser } from "../../support/principals";
import { gql, serverForSuite, type TestServer } from "../../support/server";
import { addSession, type TestSession } from "../../support/sessions";
import { subscribe } from "../../support/subscriptions";

interface SessionView {
  id: string;
  source: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  mfa: boolean;
  mfaVerifiedUntil: string | null;
  sourceIp: string | null;
  current: boolean;
}

const FIELDS = "id source createdAt expiresAt lastUsedAt revokedAt mfa mfaVerifiedUntil sourceIp current";
const LIST = `query($userId: ID, $all: Boolean) { sessions(userId: $userId, includeEnded: $all) { ${FIELDS} } }`;
const REVOKE = `mutation($id: ID!) { revokeSession(id: $id) { ${FIELDS} } }`;
const ME = "{ me { id } }";

for (const kind of databaseKinds()) {
  describe(`listing and ending single sessions over HTTP on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;

    serverForSuite(kind, (s) => (server = s));

    /** A viewer with two live sessions and one that has expired. */
    const userWithSessions = async (roles = ["viewer"]) => {
      const user = await addUser(server, roles);
      const first = await addSession(server, user.user.id);
      const second = await addSession(server, user.user.id);
      const expired = await addSession(server, user.user.id, { expiresAt: new Date(Date.now() - 1000) });
      return { user, first, second, expired };
    };
    /** The error code of `{ me }` asked with `secret`; undefined when it is answered. */
    const refusedAs = async (secret: string) =>
      (await gql(server.url, ME, { token: secret })).errors?.[0]?.extensions?.code;
    const list = (secret: string, variables: Record<string, unknown> = {}) =>
      ok<{ sessions: SessionView[] }>(server, secret, LIST, variables).then((d) => d.sessions);

    it("lists the caller's own live sessions without secrets, marking the one in use", async () => {
      const { user, first, second, expired } = await userWithSessions();
      const mine = await list(second.secret);
      expect(mine.map((s) => s.id)).to.have.members([first.id, second.id]);
      expect(mine.find((s) => s.id === second.id)).to.include({ current: true, source: "LOCAL", mfa: false });
      expect(mine.find((s) => s.id === first.id)?.current).to.equal(false);
      const res = await gql(server.url, LIST, { token: second.secret });
      expect(res.raw).to.not.include(first.secret.slice(4)).and.not.include(second.secret.slice(4));
      // Asked with a token, no session is the current one; ended ones only when asked.
      const all = await list(user.token, { all: true });
      expect(all.map((s) => s.id)).to.have.members([first.id, second.id, expired.id]);
      expect(all.every((s) => !s.current)).to.equal(true);
    });

    it("records when a session was last used", async () => {
      const { first, second } = await userWithSessions();
      expect((await list(second.secret)).find((s) => s.id === first.id)?.lastUsedAt).to.equal(null);
      const before = Date.now();
      expect(await refusedAs(first.secret)).to.equal(undefined);
      // Written in the background, after the request it describes.
      let lastUsedAt: string | null | undefined = null;
      for (let i = 0; i < 50 && !lastUsedAt; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        lastUsedAt = (await server.app.storage.sessions.get(first.id))?.lastSeenAt?.toISOString();
      }
      const shown = (await list(second.secret)).find((s) => s.id === first.id)?.lastUsedAt;
      expect(shown).to.equal(lastUsedAt);
      expect(new Date(shown!).getTime()).to.be.within(before - 1000, Date.now());
    });

    it("refuses another user's sessions without token:list, and lists them with it", async () => {
      const { user, first, second } = await userWithSessions();
      const other = await addUser(server, ["viewer"]);
      const denied = await refused(server, other.token, LIST, { userId: user.user.id });
      expect(denied.extensions.code).to.equal("FORBIDDEN");
      const auditor = await addUser(server, ["auditor"]);
      const seen = await list(auditor.token, { userId: user.user.id });
      expect(seen.map((s) => s.id)).to.have.members([first.id, second.id]);
      const unknown = await refused(server, auditor.token, LIST, { userId: "00000000-0000-4000-8000-000000000000" });
      expect(unknown.extensions).to.deep.include({ code: "NOT_FOUND", field: "userId" });
    });

    it("ends one session at once: its next request is UNAUTHENTICATED, the user's other session keeps working", async () => {
      const { user, first, second } = await userWithSessions();
      expect(await refusedAs(first.secret)).to.equal(undefined);
      const since = await auditHead(server);
      const ended = (await ok<{ revokeSession: SessionView }>(server, second.secret, REVOKE, { id: first.id }))
        .revokeSession;
      expect(ended.id).to.equal(first.id);
      expect(ended.revokedAt).to.be.a("string");
      expect(await refusedAs(first.secret)).to.equal("UNAUTHENTICATED");
      expect((await gql<{ me: { id: string } }>(server.url, ME, { token: second.secret })).data?.me.id).to.equal(
        user.user.id,
      );
      expect((await list(second.secret)).map((s) => s.id)).to.deep.equal([second.id]);
      const [event] = await changesSince(server, since, "Mutation.revokeSession");
      expect(event).to.include({ actorId: user.user.id, decision: "ALLOW", resourceName: user.user.email });
      expect(changeOf(event)).to.deep.equal({ user: user.user.email, sessionId: first.id, source: "LOCAL", own: true });
      // Ending it again changes nothing and writes nothing.
      const again = await auditHead(server);
      const twice = (await ok<{ revokeSession: SessionView }>(server, second.secret, REVOKE, { id: first.id }))
        .revokeSession;
      expect(twice.revokedAt).to.equal(ended.revokedAt);
      expect(await changesSince(server, again, "Mutation.revokeSession")).to.deep.equal([]);
    });

    it("ends another user's session only with user:lock", async () => {
      const { user, first } = await userWithSessions();
      for (const roles of [["viewer"], ["auditor"]]) {
        const other: TestUser = await addUser(server, roles);
        const denied = await refused(server, other.token, REVOKE, { id: first.id });
        expect(denied.extensions.code).to.equal("FORBIDDEN");
      }
      expect(await refusedAs(first.secret)).to.equal(undefined);
      const since = await auditHead(server);
      await ok(server, server.adminToken, REVOKE, { id: first.id });
      expect(await refusedAs(first.secret)).to.equal("UNAUTHENTICATED");
      const [event] = await changesSince(server, since, "Mutation.revokeSession");
      expect(changeOf(event)).to.deep.include({ user: user.user.email, sessionId: first.id, own: false });
    });

    it("answers an unknown id with NOT_FOUND naming it, changing nothing", async () => {
      const since = await auditHead(server);
      const id = "00000000-0000-4000-8000-00000000abcd";
      const error = await refused(server, server.adminToken, REVOKE, { id });
      expect(error.extensions).to.deep.include({ code: "NOT_FOUND", field: "id" });
      expect(error.message).to.include(id);
      expect(await changesSince(server, since, "Mutation.revokeSession")).to.deep.equal([]);
    });

    it("closes a subscription opened with the session the moment it is ended", async () => {
      const user = await addUser(server, ["auditor"]);
      const session: TestSession = await addSession(server, user.user.id);
      const other = await addSession(server, user.user.id);
      const feed = subscribe(server, "subscription { auditEvents { operation } }", { token: session.secret });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await ok(server, session.secret, "{ users(first: 1) { id } }");
      await feed.waitFor((e) => e.auditEvents.operation === "Query.users");
      await ok(server, other.secret, REVOKE, { id: session.id });
      expect(await feed.closed).to.equal(4403);
      await feed.dispose();
    });
  });
}
