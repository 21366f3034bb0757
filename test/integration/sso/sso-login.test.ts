import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { hashSecret } from "../../../src/domain/credentials/secret-format";
import { DomainError } from "../../../src/domain/errors";
import { auditHead, ok } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addUser, setStatus } from "../../support/principals";
import { gql, serverForSuite, type TestServer } from "../../support/server";
import { addRoleWithOptions, anIdentity, loginRequest, unique } from "../../support/sso";

const HOUR = 3600_000;

for (const kind of databaseKinds()) {
  describe(`SSO login on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;

    serverForSuite(kind, (s) => (server = s));

    const login = (identity: Parameters<TestServer["app"]["services"]["ssoLogin"]["login"]>[0]) =>
      server.app.services.ssoLogin.login(identity, loginRequest());
    const map = (provider: string, mappings: Array<{ group: string; role: string; scope?: string }>) =>
      server.app.storage.ssoMappings.replace(
        provider,
        mappings.map((m) => ({ provider, group: m.group, role: m.role, scope: m.scope ?? "" })),
      );
    const grantsOf = async (userId: string) =>
      (await server.app.storage.grants.list({ userId, includeInactive: true })).map((g) => ({
        role: g.role,
        scope: g.scope,
        source: g.source,
        provider: g.ssoProvider,
      }));
    const eventsSince = async (since: number, operation: string) => {
      const head = (await server.app.storage.audit.head()).sequence;
      return head <= since
        ? []
        : (await server.app.storage.audit.range(since + 1, head)).filter((e) => e.operation === operation);
    };
    const grant = (input: Record<string, unknown>) =>
      ok(server, server.adminToken, "mutation($input: GrantInput!) { grantRole(input: $input) { id } }", { input });
    const refusal = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (err) {
        expect(err).to.be.instanceOf(DomainError);
        return err as DomainError;
      }
      throw new Error("expected the login to be refused");
    };

    it("creates the user on first login, with grants from the provider's matching mappings, and a session", async () => {
      const provider = unique("idp");
      await map(provider, [
        { group: "eng-*", role: "deployer", scope: "staging" },
        { group: "ops", role: "ops" },
        { group: "finance", role: "auditor" },
      ]);
      const identity = anIdentity({ provider, groups: ["eng-web", "ops"], email: "New.User@Example.com" });
      const result = await login(identity);
      const user = (await server.app.storage.users.get(result.userId))!;
      expect(user).to.deep.include({
        email: "new.user@example.com",
        displayName: identity.displayName,
        kind: "HUMAN",
        status: "ACTIVE",
        source: "OIDC",
        externalId: identity.externalId,
        groups: ["eng-web", "ops"],
      });
      expect(user.lastSeenAt).to.be.instanceOf(Date);
      expect(await grantsOf(user.id)).to.have.deep.members([
        { role: "deployer", scope: "staging", source: "SSO", provider },
        { role: "ops", scope: "", source: "SSO", provider },
      ]);
      const session = (await server.app.storage.sessions.getByHash(hashSecret(result.sessionSecret)))!;
      expect(session).to.deep.include({
        id: result.sessionId,
        userId: user.id,
        source: "OIDC",
        mfa: false,
        sourceIp: "10.0.0.7",
        revokedAt: null,
      });
      expect(result.sessionSecret).to.match(/^pts_[0-9A-Za-z]{46}$/);
      expect(server.app.services.runtime.engine().rolesOf(user.id)).to.deep.equal(["deployer", "ops"]);
    });

    it("lets the new session call the API at once, with the roles the mappings gave", async () => {
      const provider = unique("idp");
      await map(provider, [{ group: "*", role: "auditor" }]);
      const result = await login(anIdentity({ provider }));
      const res = await gql<{ me: { id: string } }>(server.url, "{ me { id } users(first: 1) { id } }", {
        token: result.sessionSecret,
      });
      expect(res.errors).to.equal(undefined);
      expect(res.data?.me.id).to.equal(result.userId);
    });

    it("moves SSO grants when the groups change at the next login and leaves MANUAL grants alone", async () => {
      const provider = unique("idp");
      await map(provider, [
        { group: "eng", role: "deployer" },
        { group: "audit", role: "auditor" },
      ]);
      const identity = anIdentity({ provider, groups: ["eng"] });
      const first = await login(identity);
      await grant({ userId: first.userId, role: "viewer" });
      await login({ ...identity, groups: ["audit"], displayName: "Renamed" });
      expect(await grantsOf(first.userId)).to.have.deep.members([
        { role: "viewer", scope: "", source: "MANUAL", provider: null },
        { role: "auditor", scope: "", source: "SSO", provider },
      ]);
      expect(await server.app.storage.users.get(first.userId)).to.deep.include({
        displayName: "Renamed",
        groups: ["audit"],
      });
      expect(server.app.services.runtime.engine().rolesOf(first.userId)).to.deep.equal(["auditor", "viewer"]);
    });

    it("never touches another provider's SSO grants, nor signs another provider's identity in with the same sub", async () => {
      const [p1, p2] = [unique("idp"), unique("idp")];
      await map(p1, [{ group: "eng", role: "deployer" }]);
      await map(p2, [{ group: "eng", role: "auditor" }]);
      const identity = anIdentity({ provider: p1, groups: ["eng"] });
      const { userId } = await login(identity);
      const err = await refusal(login({ ...identity, provider: p2 }));
      expect([err.code, err.details.reason]).to.deep.equal(["UNAUTHENTICATED", "LINK_REFUSED"]);
      const other = await login({ ...identity, provider: p2, email: `other-${identity.email}` });
      expect(other.userId).to.not.equal(userId);
      await login({ ...identity, provider: p2, email: `other-${identity.email}`, groups: [] });
      expect(await grantsOf(userId)).to.deep.equal([{ role: "deployer", scope: "", source: "SSO", provider: p1 }]);
      expect(await grantsOf(other.userId)).to.deep.equal([]);
    });

    it("gives a '*' mapping to every user of the provider, even one with no groups", async () => {
      const provider = unique("idp");
      await map(provider, [{ group: "*", role: "viewer", scope: "dev" }]);
      const { userId } = await login(anIdentity({ provider, groups: [] }));
      expect(await grantsOf(userId)).to.deep.equal([{ role: "viewer", scope: "dev", source: "SSO", provider }]);
      const other = await login(anIdentity({ provider, groups: ["team/with/slashes"] }));
      expect(await grantsOf(other.userId)).to.deep.equal([{ role: "viewer", scope: "dev", source: "SSO", provider }]);
    });

    it("never takes over an existing LOCAL user by email: the login is refused and the user keeps no external id", async () => {
      const local = await addUser(server, ["viewer"]);
      const provider = unique("idp");
      const err = await refusal(
        login(anIdentity({ provider, email: local.user.email.toUpperCase(), externalId: "sub-existing" })),
      );
      expect([err.code, err.details.reason]).to.deep.equal(["UNAUTHENTICATED", "LINK_REFUSED"]);
      expect(await server.app.storage.users.get(local.user.id)).to.deep.include({ externalId: null, source: "LOCAL" });
    });

    it("refuses an identity whose email is not an address, naming the field, and creates nothing", async () => {
      const identity = anIdentity({ email: "not-an-address" });
      const before = await server.app.storage.users.count();
      const err = await refusal(login(identity));
      expect(err.code).to.equal("BAD_USER_INPUT");
      expect(err.details.field).to.equal("email");
      expect(await server.app.storage.users.count()).to.equal(before);
    });

    for (const status of ["LOCKED", "DEPROVISIONED"] as const) {
      it(`refuses a ${status} user: no session, nothing changed, a DENY login event`, async () => {
        const provider = unique("idp");
        await map(provider, [{ group: "*", role: "auditor" }]);
        const identity = anIdentity({ provider, groups: ["new-group"] });
        const first = await login(identity);
        const user = (await server.app.storage.users.get(first.userId))!;
        await setStatus(server, user, status);
        const stored = await server.app.storage.users.get(user.id);
        const grants = await grantsOf(user.id);
        const since = await auditHead(server);
        const err = await refusal(login({ ...identity, displayName: "Changed", groups: ["other"] }));
        expect(err.code).to.equal("FORBIDDEN");
        expect(err.details.reason).to.equal("USER_LOCKED");
        expect(await server.app.storage.users.get(user.id)).to.deep.equal(stored);
        expect(await grantsOf(user.id)).to.deep.equal(grants);
        const events = await eventsSince(since, "login");
        expect(events.map((e) => [e.decision, e.reason, e.actorId])).to.deep.equal([["DENY", "USER_LOCKED", user.id]]);
        expect(await eventsSince(since, "provision")).to.deep.equal([]);
      });
    }

    it("issues a session that lasts the smallest maxSessionTtl of the user's roles", async () => {
      const [short, long] = [
        await addRoleWithOptions(server, "{ maxSessionTtl: 2h }"),
        await addRoleWithOptions(server, "{ maxSessionTtl: 12h }"),
      ];
      const provider = unique("idp");
      await map(provider, [
        { group: "a", role: long },
        { group: "b", role: short },
      ]);
      const before = Date.now();
      const both = await login(anIdentity({ provider, groups: ["a", "b"] }));
      expect(both.expiresAt.getTime() - before).to.be.within(2 * HOUR - 5_000, 2 * HOUR + 5_000);
      const onlyLong = await login(anIdentity({ provider, groups: ["a"] }));
      expect(onlyLong.expiresAt.getTime() - before).to.be.within(12 * HOUR - 5_000, 12 * HOUR + 60_000);
    });

    it("counts roles held through group grants for the session's lifetime, and defaults to 8 hours", async () => {
      const short = await addRoleWithOptions(server, "{ maxSessionTtl: 30m }");
      const group = unique("grp");
      await grant({ group, role: short });
      const before = Date.now();
      const member = await login(anIdentity({ provider: unique("idp"), groups: [group] }));
      expect(member.expiresAt.getTime() - before).to.be.within(30 * 60_000 - 5_000, 30 * 60_000 + 5_000);
      const nobody = await login(anIdentity({ provider: unique("idp") }));
      expect(nobody.expiresAt.getTime() - before).to.be.within(8 * HOUR - 5_000, 8 * HOUR + 5_000);
    });

    it("records the login with the groups received, the grant changes, the session and MFA", async () => {
      const provider = unique("idp");
      await map(provider, [
        { group: "eng", role: "deployer" },
        { group: "ops", role: "ops" },
      ]);
      const identity = anIdentity({ provider, groups: ["eng"], mfa: true });
      await login(identity);
      const since = await auditHead(server);
      const result = await login({ ...identity, groups: ["ops"] });
      const [event] = await eventsSince(since, "login");
      expect(event).to.deep.include({
        decision: "ALLOW",
        reason: "ALLOWED",
        actorId: result.userId,
        sourceIp: "10.0.0.7",
        subjectId: result.userId,
      });
      expect(event.actorRoles).to.deep.equal(["ops"]);
      const metadata = event.metadata as {
        grantsAdded: Array<{ role: string }>;
        grantsRemoved: Array<{ role: string }>;
      };
      expect(metadata).to.deep.include({
        provider,
        groups: ["ops"],
        sessionId: result.sessionId,
        mfa: true,
        created: false,
      });
      expect(metadata.grantsAdded.map((g) => g.role)).to.deep.equal(["ops"]);
      expect(metadata.grantsRemoved.map((g) => g.role)).to.deep.equal(["deployer"]);
      const [change] = await eventsSince(since, "provision");
      expect(change).to.deep.include({ actorId: "system:sso-provisioning", action: "change" });
      expect(result.mfa).to.equal(true);
    });

    it("recomputes one user's SSO grants on demand through SsoGrantSync", async () => {
      const provider = unique("idp");
      await map(provider, [{ group: "eng", role: "deployer" }]);
      const { userId } = await login(anIdentity({ provider, groups: ["eng"] }));
      await map(provider, [{ group: "eng", role: "auditor", scope: "prod" }]);
      const changes = await server.app.services.ssoGrants.recompute(userId, provider, randomUUID());
      expect(changes).to.deep.equal({ added: ["auditor@prod"], removed: ["deployer"] });
      expect(server.app.services.runtime.engine().rolesOf(userId)).to.deep.equal(["auditor"]);
      expect(await server.app.services.ssoGrants.recompute(userId, provider, randomUUID())).to.deep.equal({
        added: [],
        removed: [],
      });
    });
  });
}
