import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { hashSecret } from "../../../src/domain/credentials/secret-format";
import type { TokenRecord } from "../../../src/domain/model";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser, setStatus } from "../../support/principals";
import { gql, startServer, type TestServer } from "../../support/server";

const TOKEN_FIELDS =
  "id name hint roles { name } owner { id } boundCidrs breakGlass createdAt expiresAt lastUsedAt lastUsedIp revokedAt";
const CREATE = `mutation($input: CreateTokenInput!) { createToken(input: $input) { secret token { ${TOKEN_FIELDS} } } }`;
const ROTATE = `mutation($id: ID!) { rotateToken(id: $id) { secret token { ${TOKEN_FIELDS} } } }`;
const REVOKE = `mutation($id: ID!) { revokeToken(id: $id) { ${TOKEN_FIELDS} } }`;
const REVOKE_ALL = "mutation($userId: ID!) { revokeUserTokens(userId: $userId) }";
const LIST = `query($userId: ID, $includeRevoked: Boolean) { tokens(userId: $userId, includeRevoked: $includeRevoked) { ${TOKEN_FIELDS} } }`;
const CAN = `query($subject: SubjectInput, $action: String!, $resource: ResourceInput!) { can(subject: $subject, action: $action, resource: $resource) { allowed reason } }`;

const ISSUER_POLICY =
  "kind: policy\nname: token-issuing\nrules:\n  - resource: token\n    capabilities: [list, read, create, revoke]\n";
const ISSUER_ROLE = "kind: role\nname: token-issuer\npolicies: [token-issuing]\n";
const job = (namespace: string) => ({ type: "job", namespace, name: "web" });
/** What deployer allows beyond viewer: the first missing capability of a refused deployer token is one of these. */
const DEPLOYER_ONLY = ["job:submit", "job:stop", "job:restart", "app:deploy", "app:restart"];

/** A token as TOKEN_FIELDS selects it. */
interface TokenView {
  id: string;
  name: string;
  hint: string;
  roles: Array<{ name: string }>;
  owner: { id: string };
  boundCidrs: string[];
  breakGlass: boolean;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  revokedAt: string | null;
}
interface IssuedToken {
  secret: string;
  token: TokenView;
}
interface Created {
  createToken: IssuedToken;
}
interface Rotated {
  rotateToken: IssuedToken;
}
interface Revoked {
  revokeToken: TokenView;
}
interface RevokedAll {
  revokeUserTokens: number;
}
interface Listed {
  tokens: TokenView[];
}
interface Decided {
  can: { allowed: boolean; reason: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const kind of databaseKinds()) {
  describe(`tokens over HTTP on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let proxied: TestServer;

    before(async () => {
      server = await startServer(kind);
      proxied = await startServer(kind, { TRUSTED_PROXIES: "127.0.0.1" });
      await addRole(server, ISSUER_POLICY, ISSUER_ROLE);
    });
    after(async () => {
      await server?.close();
      await proxied?.close();
    });

    /** The data of a call that must not fail, typed by the caller as the query's shape. */
    async function ok<T>(
      token: string,
      query: string,
      variables: Record<string, unknown> = {},
      on = server,
      headers?: Record<string, string>,
    ): Promise<T> {
      const res = await gql<T>(on.url, query, { token, variables, headers });
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
      return res.data!;
    }
    async function refused(
      token: string,
      query: string,
      variables: Record<string, unknown> = {},
      on = server,
      headers?: Record<string, string>,
    ) {
      const res = await gql(on.url, query, { token, variables, headers });
      expect(res.errors, `expected an error, got ${res.raw}`).to.be.an("array").with.length.above(0);
      return res.errors![0].extensions ?? {};
    }
    const whoAmI = async (secret: string, on = server, headers?: Record<string, string>) => {
      const res = await gql<{ me: { id: string } }>(on.url, "{ me { id } }", { token: secret, headers });
      return res.errors ? String(res.errors[0]?.extensions?.code) : String(res.data!.me.id);
    };
    /** Every stored token of these owners, without the use stamps (any request may move those). */
    async function stored(...ownerIds: string[]) {
      const byOwner = await server.app.storage.tokens.forOwners(ownerIds);
      return [...byOwner.values()].flat().map(({ lastUsedAt: _a, lastUsedIp: _b, ...rest }) => rest);
    }
    async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
      for (let i = 0; i < 100; i++) {
        const value = await read();
        if (done(value)) return value;
        await sleep(50);
      }
      throw new Error("timed out waiting");
    }

    it("issues a token whose secret is returned once: later reads, storage and the change record show only the hint", async () => {
      const dev = await addUser(server, ["deployer"]);
      const since = (await server.app.storage.audit.head()).sequence;
      const issued = (await ok<Created>(dev.token, CREATE, { input: { name: "laptop", roles: ["deployer"] } }))
        .createToken;
      expect(issued.secret).to.match(/^ptc_[0-9A-Za-z]{46}$/);
      expect(issued.token).to.deep.include({
        name: "laptop",
        hint: `ptc_…${issued.secret.slice(-4)}`,
        owner: { id: dev.user.id },
        roles: [{ name: "deployer" }],
        breakGlass: false,
        expiresAt: null,
        revokedAt: null,
      });
      expect(JSON.stringify(issued.token)).to.not.contain(issued.secret.slice(4));
      expect(await whoAmI(issued.secret)).to.equal(dev.user.id);

      const listed = await gql<Listed>(server.url, LIST, { token: dev.token });
      expect(listed.raw).to.not.contain(issued.secret.slice(4));
      expect(listed.data!.tokens.map((t: { id: string; hint: string }) => [t.id, t.hint])).to.deep.include([
        issued.token.id,
        issued.token.hint,
      ]);
      const record = (await server.app.storage.tokens.get(issued.token.id))!;
      expect(record.secretHash).to.equal(hashSecret(issued.secret));
      expect(JSON.stringify(record)).to.not.contain(issued.secret.slice(4));

      const head = (await server.app.storage.audit.head()).sequence;
      const events = await server.app.storage.audit.range(since + 1, head);
      const change = events.find((e) => e.operation === "Mutation.createToken" && e.action === "change");
      expect(change?.resourceName).to.equal(issued.token.id);
      const trail = JSON.stringify(events);
      expect(trail).to.not.contain(issued.secret.slice(4));
      expect(trail).to.not.contain(record.secretHash);
    });

    it("rotates a token: same id and settings, the old secret refused at once, the new one accepted", async () => {
      const dev = await addUser(server, ["viewer"]);
      const first = (
        await ok<Created>(dev.token, CREATE, {
          input: { name: "ci", roles: ["viewer"], boundCidrs: ["127.0.0.0/8"], ttlSeconds: 3600 },
        })
      ).createToken;
      await sleep(20);
      const second = (await ok<Rotated>(dev.token, ROTATE, { id: first.token.id })).rotateToken;
      expect(second.secret).to.not.equal(first.secret);
      const { hint: _h1, expiresAt: e1, ...settings1 } = first.token;
      const { hint: _h2, expiresAt: e2, ...settings2 } = second.token;
      expect(settings2).to.deep.equal(settings1);
      expect(second.token.hint).to.equal(`ptc_…${second.secret.slice(-4)}`);
      expect(new Date(e2!).getTime()).to.be.greaterThan(new Date(e1!).getTime());
      expect(await whoAmI(first.secret)).to.equal("UNAUTHENTICATED");
      expect(await whoAmI(second.secret)).to.equal(dev.user.id);
    });

    it("revokes a token: it fails authentication, `can` about it answers UNAUTHENTICATED, and revoking again changes nothing", async () => {
      const dev = await addUser(server, ["viewer"]);
      const issued = (await ok<Created>(dev.token, CREATE, { input: { name: "short-lived" } })).createToken;
      const revoked = (await ok<Revoked>(dev.token, REVOKE, { id: issued.token.id })).revokeToken;
      expect(revoked.revokedAt).to.be.a("string");
      expect(await whoAmI(issued.secret)).to.equal("UNAUTHENTICATED");
      const can = (
        await ok<Decided>(server.adminToken, CAN, {
          subject: { tokenId: issued.token.id },
          action: "read",
          resource: job("prod"),
        })
      ).can;
      expect(can).to.deep.equal({ allowed: false, reason: "UNAUTHENTICATED" });
      expect((await ok<Revoked>(dev.token, REVOKE, { id: issued.token.id })).revokeToken).to.deep.equal(revoked);
      expect((await ok<Listed>(dev.token, LIST)).tokens.map((t: { id: string }) => t.id)).to.not.include(
        issued.token.id,
      );
      expect(
        (await ok<Listed>(dev.token, LIST, { includeRevoked: true })).tokens.map((t: { id: string }) => t.id),
      ).to.include(issued.token.id);
      expect(await refused(dev.token, ROTATE, { id: issued.token.id })).to.deep.include({ code: "CONFLICT" });
    });

    it("revokes every token of a user, counting only those that were active", async () => {
      const dev = await addUser(server, ["viewer"]);
      const a = (await ok<Created>(dev.token, CREATE, { input: { name: "a" } })).createToken;
      const b = (await ok<Created>(dev.token, CREATE, { input: { name: "b" } })).createToken;
      await ok<Revoked>(dev.token, REVOKE, { id: b.token.id });
      await ok<Created>(dev.token, CREATE, { input: { name: "c" } });
      const expired: TokenRecord = {
        id: randomUUID(),
        name: "old",
        ownerId: dev.user.id,
        secretHash: hashSecret(randomUUID()),
        hint: "ptc_…old0",
        roles: [],
        boundCidrs: [],
        breakGlass: false,
        ttlSeconds: 60,
        createdById: null,
        createdAt: new Date(Date.now() - 120_000),
        expiresAt: new Date(Date.now() - 60_000),
        lastUsedAt: null,
        lastUsedIp: null,
        revokedAt: null,
      };
      await server.app.storage.tokens.create(expired);
      // The user's own token, a and c are active; b was revoked already and `old` has expired.
      expect((await ok<RevokedAll>(server.adminToken, REVOKE_ALL, { userId: dev.user.id })).revokeUserTokens).to.equal(
        3,
      );
      expect(await server.app.storage.tokens.listByOwner(dev.user.id, false)).to.deep.equal([]);
      expect(await whoAmI(a.secret)).to.equal("UNAUTHENTICATED");
      expect(await whoAmI(dev.token)).to.equal("UNAUTHENTICATED");
      expect((await ok<RevokedAll>(server.adminToken, REVOKE_ALL, { userId: dev.user.id })).revokeUserTokens).to.equal(
        0,
      );
    });

    it("refuses a token once its TTL has passed", async () => {
      const dev = await addUser(server, ["viewer"]);
      const issued = (await ok<Created>(dev.token, CREATE, { input: { name: "one-second", ttlSeconds: 1 } }))
        .createToken;
      expect(new Date(issued.token.expiresAt!).getTime() - new Date(issued.token.createdAt).getTime()).to.equal(1000);
      expect(await whoAmI(issued.secret)).to.equal(dev.user.id);
      await sleep(1100);
      expect(await whoAmI(issued.secret)).to.equal("UNAUTHENTICATED");
    });

    it("admits a token bound to 10.0.0.0/8 only when a trusted proxy forwards an address inside it", async () => {
      const dev = await addUser(proxied, ["viewer"]);
      const issued = (
        await ok<Created>(dev.token, CREATE, { input: { name: "bound", boundCidrs: ["10.0.0.0/8"] } }, proxied)
      ).createToken;
      expect(issued.token.boundCidrs).to.deep.equal(["10.0.0.0/8"]);
      expect(await whoAmI(issued.secret, proxied)).to.equal("UNAUTHENTICATED");
      expect(await whoAmI(issued.secret, proxied, { "x-forwarded-for": "10.1.2.3" })).to.equal(dev.user.id);
      // The right-most address that is not a trusted proxy is the caller's: a spoofed left-most entry does not count.
      expect(await whoAmI(issued.secret, proxied, { "x-forwarded-for": "10.1.2.3, 192.168.1.1" })).to.equal(
        "UNAUTHENTICATED",
      );
      const used = await until(
        () => proxied.app.storage.tokens.get(issued.token.id),
        (t) => t?.lastUsedIp != null,
      );
      expect(used?.lastUsedIp).to.equal("10.1.2.3");
    });

    it("ignores X-Forwarded-For from a proxy that is not trusted", async () => {
      const dev = await addUser(server, ["viewer"]);
      const issued = (await ok<Created>(dev.token, CREATE, { input: { name: "bound", boundCidrs: ["10.0.0.0/8"] } }))
        .createToken;
      expect(await whoAmI(issued.secret, server, { "x-forwarded-for": "10.1.2.3" })).to.equal("UNAUTHENTICATED");
      const loopback = (
        await ok<Created>(dev.token, CREATE, { input: { name: "loopback", boundCidrs: ["127.0.0.1"] } })
      ).createToken;
      expect(await whoAmI(loopback.secret, server, { "x-forwarded-for": "10.1.2.3" })).to.equal(dev.user.id);
    });

    it("decides with TOKEN_SCOPE beyond the token's roles, and shrinks the token at once when its owner loses a role", async () => {
      const dev = await addUser(server, ["deployer", "viewer"]);
      const narrow = (await ok<Created>(dev.token, CREATE, { input: { name: "read-only", roles: ["viewer"] } }))
        .createToken;
      expect((await ok<Decided>(narrow.secret, CAN, { action: "submit", resource: job("prod") })).can).to.deep.equal({
        allowed: false,
        reason: "TOKEN_SCOPE",
      });
      expect((await ok<Decided>(narrow.secret, CAN, { action: "read", resource: job("prod") })).can).to.deep.equal({
        allowed: true,
        reason: "ALLOWED",
      });

      const deploy = (await ok<Created>(dev.token, CREATE, { input: { name: "deploy", roles: ["deployer"] } }))
        .createToken;
      expect((await ok<Decided>(deploy.secret, CAN, { action: "submit", resource: job("prod") })).can).to.deep.include({
        allowed: true,
      });
      const grants = await server.app.storage.grants.list({ userId: dev.user.id });
      const grant = grants.find((g) => g.role === "deployer")!;
      await server.app.storage.grants.delete(grant.id);
      server.app.services.runtime.engine().deleteGrant(grant.id);
      expect((await ok<Decided>(deploy.secret, CAN, { action: "submit", resource: job("prod") })).can).to.deep.include({
        allowed: false,
      });
      // Its role is no longer the owner's: rotating it would hand out a secret for more than the owner holds.
      expect(await refused(dev.token, ROTATE, { id: deploy.token.id })).to.deep.include({ code: "ESCALATION_DENIED" });
    });

    it("refuses a role the owner does not hold with ESCALATION_DENIED naming the first missing capability, storing nothing", async () => {
      const dev = await addUser(server, ["viewer"]);
      const before = await stored(dev.user.id);
      const ext = await refused(dev.token, CREATE, { input: { name: "wider", roles: ["viewer", "deployer"] } });
      expect(ext)
        .to.deep.include({ code: "ESCALATION_DENIED" })
        .and.have.property("capability")
        .that.is.oneOf(DEPLOYER_ONLY);
      expect(await stored(dev.user.id)).to.deep.equal(before);
    });

    it("keeps a token limited to some roles from minting or rotating a wider one", async () => {
      const dev = await addUser(server, ["deployer", "viewer"], { tokenRoles: ["viewer"] });
      const wide = (await ok<Created>(server.adminToken, CREATE, { input: { name: "wide", userId: dev.user.id } }))
        .createToken;
      const before = await stored(dev.user.id);
      expect(await refused(dev.token, CREATE, { input: { name: "all-roles" } }))
        .to.deep.include({ code: "ESCALATION_DENIED" })
        .and.have.property("capability")
        .that.is.oneOf(DEPLOYER_ONLY);
      expect(await refused(dev.token, CREATE, { input: { name: "deploy", roles: ["deployer"] } })).to.deep.include({
        code: "ESCALATION_DENIED",
      });
      expect(await refused(dev.token, ROTATE, { id: wide.token.id })).to.deep.include({ code: "ESCALATION_DENIED" });
      expect(await stored(dev.user.id)).to.deep.equal(before);
      expect(
        (await ok<Created>(dev.token, CREATE, { input: { name: "view", roles: ["viewer"] } })).createToken.token.roles,
      ).to.deep.equal([{ name: "viewer" }]);
    });

    it("needs token:create, and roles within the actor's own, to issue a token for someone else", async () => {
      const target = await addUser(server, ["deployer", "cicd"]);
      const viewer = await addUser(server, ["viewer"]);
      const issuer = await addUser(server, ["token-issuer", "cicd"]);
      const before = await stored(target.user.id);
      expect(await refused(viewer.token, CREATE, { input: { name: "x", userId: target.user.id } })).to.deep.include({
        code: "FORBIDDEN",
        capability: "token:create",
      });
      const wider = await refused(issuer.token, CREATE, {
        input: { name: "x", userId: target.user.id, roles: ["deployer"] },
      });
      expect(wider)
        .to.deep.include({ code: "ESCALATION_DENIED" })
        .and.have.property("capability")
        .that.matches(/^[a-z_]+:[a-z_]+$/);
      // No roles means all of the owner's: deployer among them.
      expect(await refused(issuer.token, CREATE, { input: { name: "x", userId: target.user.id } })).to.deep.include({
        code: "ESCALATION_DENIED",
      });
      expect(await stored(target.user.id)).to.deep.equal(before);

      const byIssuer = (
        await ok<Created>(issuer.token, CREATE, {
          input: { name: "pipeline", userId: target.user.id, roles: ["cicd"] },
        })
      ).createToken;
      expect(byIssuer.token.owner).to.deep.equal({ id: target.user.id });
      expect(await whoAmI(byIssuer.secret)).to.equal(target.user.id);
      expect((await server.app.storage.tokens.get(byIssuer.token.id))?.createdById).to.equal(issuer.user.id);
      // role:escalate (the built-in admin) lifts the check.
      const byAdmin = (
        await ok<Created>(server.adminToken, CREATE, {
          input: { name: "deploy", userId: target.user.id, roles: ["deployer"] },
        })
      ).createToken;
      expect(byAdmin.token.roles).to.deep.equal([{ name: "deployer" }]);
      // token:list without user:read: the tokens, not their owner's profile (Token.owner needs user:read).
      expect(
        (
          await ok<{ tokens: Array<{ id: string }> }>(
            issuer.token,
            "query($userId: ID) { tokens(userId: $userId) { id } }",
            { userId: target.user.id },
          )
        ).tokens.map((t: { id: string }) => t.id),
      ).to.include.members([byIssuer.token.id, byAdmin.token.id]);
      // Rotating someone else's token is issuing a secret for it: the same check applies.
      expect(await refused(issuer.token, ROTATE, { id: byAdmin.token.id })).to.deep.include({
        code: "ESCALATION_DENIED",
      });
      expect((await ok<Rotated>(issuer.token, ROTATE, { id: byIssuer.token.id })).rotateToken.token.id).to.equal(
        byIssuer.token.id,
      );
    });

    it("accepts a role the owner holds through inheritance", async () => {
      const dev = await addUser(server, ["deployer"]);
      const issued = (await ok<Created>(dev.token, CREATE, { input: { name: "view", roles: ["viewer"] } })).createToken;
      expect(issued.token.roles).to.deep.equal([{ name: "viewer" }]);
      expect((await ok<Decided>(issued.secret, CAN, { action: "submit", resource: job("prod") })).can).to.deep.equal({
        allowed: false,
        reason: "TOKEN_SCOPE",
      });
    });

    it("sets lastUsedAt and lastUsedIp on first use and does not rewrite them within the minute", async () => {
      const dev = await addUser(server, ["viewer"]);
      const issued = (await ok<Created>(dev.token, CREATE, { input: { name: "tracked" } })).createToken;
      expect(issued.token.lastUsedAt).to.equal(null);
      expect(await whoAmI(issued.secret)).to.equal(dev.user.id);
      const first = await until(
        () => server.app.storage.tokens.get(issued.token.id),
        (t) => t?.lastUsedAt != null,
      );
      expect(first?.lastUsedIp).to.equal("127.0.0.1");
      await sleep(20);
      expect(await whoAmI(issued.secret)).to.equal(dev.user.id);
      await sleep(300);
      const second = await server.app.storage.tokens.get(issued.token.id);
      expect(second?.lastUsedAt?.toISOString()).to.equal(first?.lastUsedAt?.toISOString());
      const listed = (await ok<Listed>(dev.token, LIST)).tokens.find((t: { id: string }) => t.id === issued.token.id);
      expect(listed).to.deep.include({ lastUsedAt: first!.lastUsedAt!.toISOString(), lastUsedIp: "127.0.0.1" });
    });

    it("issues break-glass tokens only to holders of role:escalate, never with a TTL", async () => {
      const dev = await addUser(server, ["deployer"]);
      const before = await stored(dev.user.id);
      expect(
        await refused(server.adminToken, CREATE, { input: { name: "bg", breakGlass: true, ttlSeconds: 60 } }),
      ).to.deep.include({ code: "BAD_USER_INPUT", field: "input.ttlSeconds" });
      expect(await refused(dev.token, CREATE, { input: { name: "bg", breakGlass: true } })).to.deep.include({
        code: "ESCALATION_DENIED",
        capability: "role:escalate",
      });
      expect(await stored(dev.user.id)).to.deep.equal(before);
      const issued = (await ok<Created>(server.adminToken, CREATE, { input: { name: "bg", breakGlass: true } }))
        .createToken;
      expect(issued.token).to.deep.include({ breakGlass: true, expiresAt: null });
      const since = (await server.app.storage.audit.head()).sequence;
      expect(await whoAmI(issued.secret)).to.not.equal("UNAUTHENTICATED");
      const events = await server.app.storage.audit.range(since + 1, (await server.app.storage.audit.head()).sequence);
      expect(events.find((e) => e.operation === "authenticate")?.metadata).to.deep.equal({ breakGlass: true });
    });

    it("refuses bad input at the offending field, changing nothing", async () => {
      const dev = await addUser(server, ["viewer"]);
      const locked = await addUser(server, ["viewer"]);
      await setStatus(server, locked.user, "LOCKED");
      const before = await stored(dev.user.id, locked.user.id);
      const bad = (input: Record<string, unknown>, token = dev.token) =>
        refused(token, CREATE, { input: { name: "t", ...input } });
      expect(await bad({ name: "" })).to.deep.include({ code: "BAD_USER_INPUT", field: "input.name" });
      expect(await bad({ name: "x".repeat(129) })).to.deep.include({ code: "BAD_USER_INPUT", field: "input.name" });
      expect(await bad({ ttlSeconds: 0 })).to.deep.include({ code: "BAD_USER_INPUT", field: "input.ttlSeconds" });
      expect(await bad({ ttlSeconds: 366 * 24 * 3600 })).to.deep.include({
        code: "BAD_USER_INPUT",
        field: "input.ttlSeconds",
      });
      expect(await bad({ boundCidrs: ["10.0.0.0/8", "10.0.0.0/33"] })).to.deep.include({
        code: "BAD_USER_INPUT",
        field: "input.boundCidrs[1]",
      });
      expect(await bad({ boundCidrs: ["not-a-network"] })).to.deep.include({
        code: "BAD_USER_INPUT",
        field: "input.boundCidrs[0]",
      });
      expect(await bad({ roles: ["viewer", "no-such-role"] })).to.deep.include({
        code: "BAD_USER_INPUT",
        field: "input.roles[1]",
      });
      expect(await bad({ userId: randomUUID() }, server.adminToken)).to.deep.include({
        code: "NOT_FOUND",
        field: "input.userId",
      });
      expect(await bad({ userId: locked.user.id }, server.adminToken)).to.deep.include({
        code: "CONFLICT",
        field: "input.userId",
      });
      expect(await refused(server.adminToken, ROTATE, { id: randomUUID() })).to.deep.include({ code: "NOT_FOUND" });
      expect(await refused(server.adminToken, REVOKE, { id: randomUUID() })).to.deep.include({ code: "NOT_FOUND" });
      expect(await stored(dev.user.id, locked.user.id)).to.deep.equal(before);
    });

    it("lets a user with no roles list, create, rotate and revoke their own tokens, and refuses them anyone else's", async () => {
      const nobody = await addUser(server, []);
      const other = await addUser(server, ["viewer"]);
      const own = (await ok<Listed>(nobody.token, LIST)).tokens.map((t: { id: string }) => t.id);
      expect(own).to.deep.equal([nobody.tokenId]);
      const issued = (await ok<Created>(nobody.token, CREATE, { input: { name: "mine" } })).createToken;
      const rotated = (await ok<Rotated>(nobody.token, ROTATE, { id: issued.token.id })).rotateToken;
      expect(rotated.token.id).to.equal(issued.token.id);
      expect((await ok<Revoked>(nobody.token, REVOKE, { id: issued.token.id })).revokeToken.revokedAt).to.be.a(
        "string",
      );

      const before = await stored(other.user.id);
      expect(await refused(nobody.token, LIST, { userId: other.user.id })).to.deep.include({
        code: "FORBIDDEN",
        capability: "token:list",
      });
      expect(await refused(nobody.token, CREATE, { input: { name: "x", userId: other.user.id } })).to.deep.include({
        code: "FORBIDDEN",
        capability: "token:create",
      });
      expect(await refused(nobody.token, ROTATE, { id: other.tokenId })).to.deep.include({
        code: "FORBIDDEN",
        capability: "token:create",
      });
      expect(await refused(nobody.token, REVOKE, { id: other.tokenId })).to.deep.include({
        code: "FORBIDDEN",
        capability: "token:revoke",
      });
      expect(await refused(nobody.token, REVOKE_ALL, { userId: other.user.id })).to.deep.include({
        code: "FORBIDDEN",
        capability: "token:revoke",
      });
      // Not NOT_FOUND: a token one may not see looks the same whether or not it exists.
      expect(await refused(nobody.token, REVOKE, { id: randomUUID() })).to.deep.include({ code: "FORBIDDEN" });
      expect(await stored(other.user.id)).to.deep.equal(before);
      expect(await whoAmI(other.token)).to.equal(other.user.id);

      expect((await ok<RevokedAll>(nobody.token, REVOKE_ALL, { userId: nobody.user.id })).revokeUserTokens).to.equal(1);
    });

    it("applies a revocation to this instance's engine before the next request", async () => {
      const dev = await addUser(server, ["viewer"]);
      const issued = (await ok<Created>(dev.token, CREATE, { input: { name: "engine" } })).createToken;
      const engine = () => server.app.services.runtime.engine();
      const ask = () =>
        engine().check(
          { kind: "token", tokenId: issued.token.id },
          "read",
          { ...job("prod"), labels: {} },
          { mfa: false, sourceIp: null },
        );
      expect(ask().allowed).to.equal(true);
      await ok<Revoked>(dev.token, REVOKE, { id: issued.token.id });
      expect(ask().reason).to.equal("UNAUTHENTICATED");
    });
  });
}
