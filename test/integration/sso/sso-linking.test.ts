// Linking an SSO identity to an existing user by email: only to a user of the
// same protocol, not linked to another provider, that is not linked yet. LOCAL and SERVICE users and superusers
// are refused (a DENY login event says why); an administrator links them on
// purpose by setting their externalId over SCIM.
import { expect } from "chai";
import { DomainError } from "../../../src/domain/errors";
import { toUserDef } from "../../../src/domain/policy-state";
import type { UserRecord } from "../../../src/domain/model";
import type { SsoIdentity } from "../../../src/domain/sso/sso-login";
import { auditHead } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser } from "../../support/principals";
import { aScimUser, expectScimError, patchOp, scim, type ScimResponse } from "../../support/scim";
import { serverForSuite, type TestServer } from "../../support/server";
import { anIdentity, loginRequest } from "../../support/sso";

/** The id of the resource a SCIM call created or returned. */
function idOf(res: ScimResponse): string {
  const id: unknown = res.body.id;
  if (typeof id !== "string") throw new Error(`no id in the SCIM answer: ${res.raw}`);
  return id;
}

for (const kind of databaseKinds()) {
  describe(`SSO linking by email on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let adminId: string;

    serverForSuite(kind, (s) => (server = s));
    before(() => {
      adminId = server.app.bootstrap.created ? server.app.bootstrap.adminId : "";
    });

    const login = (identity: SsoIdentity) => server.app.services.ssoLogin.login(identity, loginRequest());
    const stored = async (id: string) => (await server.app.storage.users.get(id))!;
    const reshape = async (user: UserRecord, patch: Partial<UserRecord>) => {
      const next = { ...user, ...patch };
      await server.app.storage.users.update(next);
      server.app.services.runtime.engine().putUser(toUserDef(next));
      return next;
    };

    /** The login is refused with 401's code and LINK_REFUSED, nothing changes, and a DENY login event says why. */
    async function expectLinkRefused(identity: SsoIdentity, user: UserRecord, why: RegExp): Promise<void> {
      const before = await stored(user.id);
      const since = await auditHead(server);
      let error: unknown;
      try {
        await login(identity);
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(DomainError);
      expect((error as DomainError).code).to.equal("UNAUTHENTICATED");
      expect((error as DomainError).details.reason).to.equal("LINK_REFUSED");
      expect((error as DomainError).message).not.to.contain(user.email);
      expect(await stored(user.id)).to.deep.equal(before);
      const head = await auditHead(server);
      const events = (await server.app.storage.audit.range(since + 1, head)).filter(
        (e) => e.operation === "login" || e.operation === "provision",
      );
      expect(events.map((e) => [e.operation, e.decision, e.reason, e.subjectId])).to.deep.equal([
        ["login", "DENY", "UNAUTHENTICATED", user.id],
      ]);
      const metadata = events[0].metadata as Record<string, unknown>;
      expect(metadata.failure).to.equal("LINK_REFUSED");
      expect(metadata.why).to.match(why);
    }

    it("never links the bootstrap admin (LOCAL, admin role) to an IdP account claiming its address", async () => {
      const admin = await stored(adminId);
      await expectLinkRefused(
        anIdentity({ email: admin.email.toUpperCase(), externalId: "attacker-sub" }),
        admin,
        /LOCAL user/,
      );
    });

    it("never links a LOCAL or a SERVICE user by email", async () => {
      const local = await addUser(server, ["viewer"]);
      await expectLinkRefused(anIdentity({ email: local.user.email }), local.user, /LOCAL user/);
      const service = await reshape((await addUser(server, [])).user, { kind: "SERVICE", source: "OIDC" });
      await expectLinkRefused(anIdentity({ email: service.email }), service, /service account/);
    });

    it("never links a user holding a superuser role, even one of the provider's own", async () => {
      await addRole(
        server,
        "kind: policy\nname: nothing\nrules: []\n",
        "kind: role\nname: root\nsuperuser: true\npolicies: [nothing]\n",
      );
      const root = await reshape((await addUser(server, ["root"])).user, { source: "OIDC" });
      await expectLinkRefused(anIdentity({ email: root.email }), root, /superuser role root/);
      const admin = await reshape((await addUser(server, ["admin"])).user, { source: "OIDC" });
      await expectLinkRefused(anIdentity({ email: admin.email }), admin, /superuser role admin/);
    });

    it("never links a user already linked to another identity of the provider, or of another protocol", async () => {
      const first = await login(anIdentity());
      const user = await stored(first.userId);
      await expectLinkRefused(
        anIdentity({ email: user.email, externalId: "another-sub" }),
        user,
        /linked to another OIDC identity/,
      );
      await expectLinkRefused(
        anIdentity({ email: user.email, source: "SAML", provider: "saml" }),
        user,
        /signs in through OIDC/,
      );
    });

    it("links a user of the provider that has no external id yet, taking the id", async () => {
      const user = await reshape((await addUser(server, ["viewer"])).user, { source: "OIDC" });
      const result = await login(anIdentity({ email: user.email, externalId: "first-sub" }));
      expect(result.userId).to.equal(user.id);
      expect(await stored(user.id)).to.deep.include({ externalId: "first-sub", source: "OIDC" });
    });

    it("links a user SCIM provisioned for this provider, and refuses one provisioned for another", async () => {
      const created = await scim(server, server.adminToken, "POST", "/Users", aScimUser());
      expect(created.status, created.raw).to.equal(201);
      const user = await stored(idOf(created));
      await expectLinkRefused(
        anIdentity({ email: user.email, provider: "oidc" }),
        user,
        /provisioned by SCIM for another provider/,
      );
      const result = await login(anIdentity({ email: user.email, provider: "saml", source: "SAML" }));
      expect(result.userId).to.equal(user.id);
    });

    it("logs a LOCAL user in once an administrator has set its externalId to the IdP's id over SCIM", async () => {
      const local = await addUser(server, ["viewer"]);
      const linked = await scim(
        server,
        server.adminToken,
        "PATCH",
        `/Users/${local.user.id}`,
        patchOp({ op: "replace", path: "externalId", value: "idp-id-of-local" }),
      );
      expect(linked.status, linked.raw).to.equal(200);
      // The id belongs to the provider SCIM provisions for (SCIM_PROVIDER, saml here): another provider's
      // identity presenting it is someone else, and the LOCAL user is never linked by email.
      await expectLinkRefused(
        anIdentity({ email: local.user.email, externalId: "idp-id-of-local" }),
        await stored(local.user.id),
        /LOCAL user/,
      );
      const result = await login(
        anIdentity({ email: local.user.email, externalId: "idp-id-of-local", provider: "saml", source: "SAML" }),
      );
      expect(result.userId).to.equal(local.user.id);
      expect(await stored(local.user.id)).to.deep.include({
        source: "LOCAL",
        externalId: "idp-id-of-local",
        externalProvider: "saml",
      });
    });

    it("does not let a caller who cannot give the user's roles link it that way", async () => {
      await addRole(
        server,
        'kind: policy\nname: users-only\nrules:\n  - resource: user\n    capabilities: ["*"]\n',
        "kind: role\nname: users-only\npolicies: [users-only]\n",
      );
      const integration = await addUser(server, ["users-only"]);
      const res = await scim(
        server,
        integration.token,
        "PATCH",
        `/Users/${adminId}`,
        patchOp({ op: "replace", path: "externalId", value: "attacker-sub" }),
      );
      expectScimError(res, 403);
      expect((await stored(adminId)).externalId).to.equal(null);
    });
  });
}
