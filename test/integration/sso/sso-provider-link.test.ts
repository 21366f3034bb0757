// An SSO identity is (protocol, provider, external id). Two providers of the same
// protocol (here two OIDC login strategies a deployment added, served over HTTP
// like any other) may present the same sub: provider B's never signs in as the
// user provider A's belongs to, whatever email it claims. Ids compare exactly,
// case included, on every database. A user recorded before providers were is
// claimed by the first login presenting its id, then pinned. An id an
// administrator sets over SCIM belongs to SCIM_PROVIDER.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { AuditEventRecord } from "../../../src/domain/audit/audit-event";
import type { UserRecord } from "../../../src/domain/model";
import { toUserDef } from "../../../src/domain/policy-state";
import { auditHead, changeOf, changesSince, eventsSince } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addUser } from "../../support/principals";
import { sessionFromSetCookie } from "../../support/saml-idp";
import { aScimUser, patchOp, scim } from "../../support/scim";
import { gql, serverForSuite, type TestServer } from "../../support/server";

/** A provider that signs in whoever the callback names: it plays a trusted IdP and a hostile one alike. */
const strategyModule = (name: string) => `
const { Strategy } = require(${JSON.stringify(require.resolve("passport-strategy"))});
class Idp extends Strategy {
  authenticate(req) {
    if (req.query.state === undefined) {
      req.session.state = "s-" + Math.random().toString(36).slice(2);
      return this.redirect("https://${name}.example.test/authorize?state=" + req.session.state);
    }
    if (req.query.state !== req.session.state) return this.fail({ message: "state mismatch" });
    this.success({ provider: "${name}", source: "OIDC", externalId: req.query.sub, email: req.query.email,
      displayName: null, groups: [], mfa: false });
  }
}
module.exports = () => ({ name: "${name}", strategy: new Idp() });
`;

const A = "idp-a";
const B = "idp-b";
const dir = mkdtempSync(join(tmpdir(), "portcullis-providers-"));
const modules = [A, B].map((name) => {
  const path = join(dir, `${name}.js`);
  writeFileSync(path, strategyModule(name));
  return path;
});
after(() => rmSync(dir, { recursive: true, force: true }));

const tag = () => randomUUID().slice(0, 8);

interface Outcome {
  provider: string;
  status: number;
  /** The signed-in user's id, when a session was issued. */
  userId: string | null;
  requestId: string | null;
}

for (const kind of databaseKinds()) {
  describe(`SSO identities tied to their provider on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    // SCIM provisions for provider A: ids an administrator sets over SCIM are A's.
    serverForSuite(kind, (s) => (server = s), { PORTCULLIS_LOGIN_STRATEGIES: modules.join(","), SCIM_PROVIDER: A });

    /** The whole browser round trip through /auth/<provider>, then `me` with the session issued. */
    async function signIn(provider: string, sub: string, email: string): Promise<Outcome> {
      const start = await fetch(`${server.url}/auth/${provider}/login?returnTo=/console`, { redirect: "manual" });
      expect(start.status).to.equal(302);
      const state = new URL(start.headers.get("location")!).searchParams.get("state")!;
      const cookie = new RegExp(`^(portcullis_login_${provider}=[^;]+)`).exec(
        start.headers.get("set-cookie") ?? "",
      )![1];
      const query = new URLSearchParams({ state, sub, email });
      const res = await fetch(`${server.url}/auth/${provider}/callback?${query}`, {
        redirect: "manual",
        headers: { cookie },
      });
      const requestId = res.headers.get("x-request-id");
      const session = sessionFromSetCookie(res);
      if (res.status !== 303 || session === null) return { provider, status: res.status, userId: null, requestId };
      const me = await gql<{ me: { id: string } }>(server.url, "{ me { id } }", { token: session.secret });
      expect(me.errors, me.raw).to.equal(undefined);
      return { provider, status: res.status, userId: me.data!.me.id, requestId };
    }

    const stored = async (id: string) => (await server.app.storage.users.get(id))!;

    /** The login event (ALLOW or DENY) of a request. */
    async function loginEvent(since: number, requestId: string | null): Promise<AuditEventRecord> {
      const events = (await eventsSince(server, since, "login")).filter((e) => e.requestId === requestId);
      expect(events, `login events of request ${requestId}`).to.have.length(1);
      return events[0];
    }

    async function expectLinkRefused(outcome: Outcome, since: number, user: UserRecord, why: RegExp): Promise<void> {
      expect(outcome.status).to.equal(401);
      expect(outcome.userId).to.equal(null);
      const event = await loginEvent(since, outcome.requestId);
      expect([event.decision, event.subjectId]).to.deep.equal(["DENY", user.id]);
      expect(event.metadata).to.deep.include({ failure: "LINK_REFUSED", provider: outcome.provider });
      expect(String((event.metadata as { why?: unknown }).why)).to.match(why);
    }

    /** An administrator's SCIM PATCH of a user's externalId (a value replaces it, none removes it). */
    const patchExternalId = (id: string, value?: string) =>
      scim(
        server,
        server.adminToken,
        "PATCH",
        `/Users/${id}`,
        patchOp(
          value === undefined ? { op: "remove", path: "externalId" } : { op: "replace", path: "externalId", value },
        ),
      );

    /** As the row of a database from before providers were recorded. */
    async function forgetProvider(user: UserRecord): Promise<UserRecord> {
      const legacy = { ...user, externalProvider: null };
      await server.app.storage.users.update(legacy);
      server.app.services.runtime.engine().putUser(toUserDef(legacy));
      return legacy;
    }

    it("signs a user in again through the provider that issued its sub, and records that provider", async () => {
      const sub = `sub-${tag()}`;
      const email = `a-${tag()}@example.com`;
      const first = await signIn(A, sub, email);
      expect(first.status).to.equal(303);
      expect(await stored(first.userId!)).to.deep.include({ source: "OIDC", externalId: sub, externalProvider: A });
      expect((await signIn(A, sub, email)).userId).to.equal(first.userId);
    });

    it("never signs provider B's identity in as the user provider A's sub belongs to", async () => {
      const sub = `sub-${tag()}`;
      const victim = await signIn(A, sub, `victim-${tag()}@example.com`);
      const before = await stored(victim.userId!);

      // The victim's address: the id is another provider's, so the user is found by email
      // only, and refused: it is linked to provider A.
      const since = await auditHead(server);
      const claimed = await signIn(B, sub, before.email);
      await expectLinkRefused(claimed, since, before, /is linked to provider idp-a/);
      expect(await stored(victim.userId!)).to.deep.equal(before);

      // Another address: another identity, provisioned as a user of its own.
      const other = await signIn(B, sub, `attacker-${tag()}@example.com`);
      expect(other.status).to.equal(303);
      expect(other.userId).to.not.equal(victim.userId);
      expect(await stored(other.userId!)).to.deep.include({ externalId: sub, externalProvider: B });

      // Provider A still signs in its own user; B's own user stays B's and cannot take the
      // victim's address (CONFLICT, nothing changed).
      expect((await signIn(A, sub, before.email)).userId).to.equal(victim.userId);
      expect((await signIn(B, sub, `attacker-${tag()}@example.com`)).userId).to.equal(other.userId);
      expect((await signIn(B, sub, before.email)).userId).to.equal(null);
      expect(await stored(victim.userId!)).to.deep.include({ externalProvider: A, email: before.email });
    });

    it("never signs provider B in as an administrator linked on purpose to provider A's id", async () => {
      const admin = await addUser(server, ["admin"]);
      const sub = `admin-sub-${tag()}`;
      const since = await auditHead(server);
      const linked = await patchExternalId(admin.user.id, sub);
      expect(linked.status, linked.raw).to.equal(200);
      expect(await stored(admin.user.id)).to.deep.include({ source: "LOCAL", externalId: sub, externalProvider: A });
      const [change] = await changesSince(server, since, "SCIM.Users.update");
      expect(changeOf<{ changed: Record<string, unknown> }>(change).changed).to.deep.include({
        externalProvider: { from: null, to: A },
      });

      const refusedSince = await auditHead(server);
      const asAdmin = await signIn(B, sub, admin.user.email);
      await expectLinkRefused(asAdmin, refusedSince, await stored(admin.user.id), /LOCAL user/);
      const elsewhere = await signIn(B, sub, `someone-${tag()}@example.com`);
      expect(elsewhere.status).to.equal(303);
      expect(elsewhere.userId).to.not.equal(admin.user.id);
      expect(await stored(elsewhere.userId!)).to.deep.include({ source: "OIDC", externalProvider: B });
      expect(server.app.services.runtime.engine().rolesOf(elsewhere.userId!)).to.not.include("admin");

      const own = await signIn(A, sub, admin.user.email);
      expect(own.userId).to.equal(admin.user.id);
      expect(await stored(admin.user.id)).to.deep.include({ source: "LOCAL", externalProvider: A });
    });

    it("removing the externalId over SCIM removes its provider, and the next id set is the SCIM provider's", async () => {
      const created = await scim(server, server.adminToken, "POST", "/Users", aScimUser());
      expect(created.status, created.raw).to.equal(201);
      const id = String(created.body.id);
      expect(await stored(id)).to.deep.include({ source: "SCIM", externalProvider: A });
      const removed = await patchExternalId(id);
      expect(removed.status, removed.raw).to.equal(200);
      expect(await stored(id)).to.deep.include({ externalId: null, externalProvider: null });
      const local = await addUser(server, ["viewer"]);
      const sub = `put-${tag()}`;
      const put = await scim(server, server.adminToken, "PUT", `/Users/${local.user.id}`, {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: local.user.email,
        externalId: sub,
      });
      expect(put.status, put.raw).to.equal(200);
      expect(await stored(local.user.id)).to.deep.include({ externalId: sub, externalProvider: A });
      expect((await signIn(B, sub, `b-${tag()}@example.com`)).userId).to.not.equal(local.user.id);
      expect((await signIn(A, sub, `a-${tag()}@example.com`)).userId).to.equal(local.user.id);
    });

    it("compares external ids exactly: 'ABC' and 'abc' are two users", async () => {
      const id = tag();
      const upper = await signIn(A, `SUB-${id}`.toUpperCase(), `upper-${id}@example.com`);
      const lower = await signIn(A, `sub-${id}`.toLowerCase(), `lower-${id}@example.com`);
      expect(upper.status).to.equal(303);
      expect(lower.status).to.equal(303);
      expect(lower.userId).to.not.equal(upper.userId);
      expect((await signIn(A, `SUB-${id}`.toUpperCase(), `upper-${id}@example.com`)).userId).to.equal(upper.userId);
      expect((await stored(upper.userId!)).externalId).to.equal(`SUB-${id}`.toUpperCase());
      expect((await stored(lower.userId!)).externalId).to.equal(`sub-${id}`);
    });

    it("lets the first login presenting a legacy user's id claim it, then keeps it pinned to that provider", async () => {
      const sub = `legacy-${tag()}`;
      const email = `legacy-${tag()}@example.com`;
      const legacy = await forgetProvider(await stored((await signIn(A, sub, email)).userId!));

      const since = await auditHead(server);
      const claim = await signIn(B, sub, email);
      expect(claim.userId).to.equal(legacy.id);
      const event = await loginEvent(since, claim.requestId);
      expect(event.decision).to.equal("ALLOW");
      expect(event.metadata).to.deep.include({ provider: B, claimed: true });
      expect(await stored(legacy.id)).to.deep.include({ externalId: sub, externalProvider: B });

      const again = await auditHead(server);
      const next = await signIn(B, sub, email);
      expect(next.userId).to.equal(legacy.id);
      expect((await loginEvent(again, next.requestId)).metadata).to.not.have.property("claimed");

      const refusedSince = await auditHead(server);
      const fromA = await signIn(A, sub, email);
      await expectLinkRefused(fromA, refusedSince, await stored(legacy.id), /is linked to provider idp-b/);
    });

    it("lets the first login presenting a legacy administrator-set id claim the LOCAL user, then only that provider", async () => {
      const local = await addUser(server, ["viewer"]);
      const sub = `legacy-local-${tag()}`;
      const linked = await patchExternalId(local.user.id, sub);
      expect(linked.status, linked.raw).to.equal(200);
      await forgetProvider(await stored(local.user.id));

      const since = await auditHead(server);
      const claim = await signIn(B, sub, local.user.email);
      expect(claim.userId).to.equal(local.user.id);
      expect((await loginEvent(since, claim.requestId)).metadata).to.deep.include({ provider: B, claimed: true });
      expect(await stored(local.user.id)).to.deep.include({ source: "LOCAL", externalProvider: B });
      expect((await signIn(A, sub, `a-${tag()}@example.com`)).userId).to.not.equal(local.user.id);
    });
  });
}
