import { expect } from "chai";
import { generate } from "otplib";
import { ok, refused } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser } from "../../support/principals";
import { gql, serverForSuite, startServer, type TestServer } from "../../support/server";
import { anIdentity, loginRequest, unique } from "../../support/sso";

const KEY = Buffer.alloc(32, 42).toString("base64");
const ENROLL = "mutation { enrollTotp { otpauthUri } }";
const VERIFY = "mutation($code: String!) { verifyTotp(code: $code) { verifiedUntil confirmed } }";
const USERS = "{ users(first: 1) { id } }";

/** A code for the time step `steps` away from now. */
const codeAt = (secret: string, steps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });
const seedOf = (uri: string) => new URL(uri).searchParams.get("secret")!;
const wrong = (code: string) => String((Number(code) + 500_000) % 1_000_000).padStart(6, "0");

for (const kind of databaseKinds()) {
  describe(`TOTP step-up on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;

    serverForSuite(kind, (s) => (server = s), { PORTCULLIS_ENCRYPTION_KEY: KEY, PORTCULLIS_MFA_STEP_UP_TTL: "10m" });
    before(async () => {
      await addRole(
        server,
        "kind: policy\nname: user-lister\nrules:\n  - resource: user\n    capabilities: [list]\n",
        "kind: role\nname: mfa-user-lister\npolicies: [user-lister]\noptions: { requireSessionMfa: true }\n",
      );
    });

    /** A session of a fresh SSO user holding the MFA-only role. */
    const session = async () => {
      const provider = unique("idp");
      await server.app.storage.ssoMappings.replace(provider, [
        { provider, group: "*", role: "mfa-user-lister", scope: "" },
      ]);
      return server.app.services.ssoLogin.login(anIdentity({ provider }), loginRequest());
    };
    /** Enrols and confirms; returns the seed. */
    const enrolled = async (secret: string) => {
      const seed = seedOf(
        (await ok<{ enrollTotp: { otpauthUri: string } }>(server, secret, ENROLL)).enrollTotp.otpauthUri,
      );
      expect(
        (
          await ok<{ verifyTotp: { verifiedUntil: string; confirmed: boolean } }>(server, secret, VERIFY, {
            code: await codeAt(seed),
          })
        ).verifyTotp,
      ).to.deep.equal({
        verifiedUntil: null,
        confirmed: true,
      });
      return seed;
    };

    it("enrols with an otpauth URI naming portcullis and the user's email, storing the seed only encrypted", async () => {
      const s = await session();
      const user = (await server.app.storage.users.get(s.userId))!;
      const uri = new URL(
        (await ok<{ enrollTotp: { otpauthUri: string } }>(server, s.sessionSecret, ENROLL)).enrollTotp.otpauthUri,
      );
      expect(uri.protocol).to.equal("otpauth:");
      expect(uri.host).to.equal("totp");
      expect(decodeURIComponent(uri.pathname)).to.equal(`/portcullis:${user.email}`);
      expect(uri.searchParams.get("issuer")).to.equal("portcullis");
      const seed = uri.searchParams.get("secret")!;
      expect(seed).to.match(/^[A-Z2-7]{32}$/);
      const stored = (await server.app.storage.totp.get(s.userId))!;
      expect(stored.sealedSecret).to.match(/^v1\./);
      expect(stored.sealedSecret).to.not.include(seed);
      expect(
        (await ok<{ me: { mfaEnrolled: boolean } }>(server, s.sessionSecret, "{ me { mfaEnrolled } }")).me.mfaEnrolled,
      ).to.equal(false);
      await enrolledWith(seed, s.sessionSecret);
      expect(
        (await ok<{ me: { mfaEnrolled: boolean } }>(server, s.sessionSecret, "{ me { mfaEnrolled } }")).me.mfaEnrolled,
      ).to.equal(true);
    });

    const enrolledWith = async (seed: string, secret: string) =>
      expect(
        (
          await ok<{ verifyTotp: { verifiedUntil: string; confirmed: boolean } }>(server, secret, VERIFY, {
            code: await codeAt(seed),
          })
        ).verifyTotp.confirmed,
      ).to.equal(true);

    it("allows a field refused with MFA_REQUIRED once a later code steps the session up", async () => {
      const s = await session();
      expect((await refused(server, s.sessionSecret, USERS)).extensions.code).to.equal("MFA_REQUIRED");
      const seed = await enrolled(s.sessionSecret);
      expect((await refused(server, s.sessionSecret, USERS)).extensions.code).to.equal("MFA_REQUIRED");
      const before = Date.now();
      const { verifyTotp } = await ok<{ verifyTotp: { verifiedUntil: string; confirmed: boolean } }>(
        server,
        s.sessionSecret,
        VERIFY,
        { code: await codeAt(seed, 1) },
      );
      expect(verifyTotp.confirmed).to.equal(false);
      expect(new Date(verifyTotp.verifiedUntil).getTime() - before).to.be.within(
        10 * 60_000 - 5_000,
        10 * 60_000 + 5_000,
      );
      await ok(server, s.sessionSecret, USERS);
      const { credential } = await ok<{ credential: unknown }>(
        server,
        s.sessionSecret,
        "{ credential { kind mfa mfaVerifiedUntil } }",
      );
      expect(credential).to.deep.equal({ kind: "SESSION", mfa: true, mfaVerifiedUntil: verifyTotp.verifiedUntil });
    });

    it("refuses a wrong code and a replayed code, and audits each verification", async () => {
      const s = await session();
      const seed = await enrolled(s.sessionSecret);
      const next = await codeAt(seed, 1);
      expect((await refused(server, s.sessionSecret, VERIFY, { code: wrong(next) })).extensions).to.deep.include({
        code: "BAD_USER_INPUT",
        field: "code",
      });
      await ok<{ verifyTotp: { verifiedUntil: string; confirmed: boolean } }>(server, s.sessionSecret, VERIFY, {
        code: next,
      });
      const replay = await refused(server, s.sessionSecret, VERIFY, { code: next });
      expect(replay.extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "code" });
      expect(replay.message).to.match(/used already/);
      const trail = await ok<{
        auditEvents: { nodes: Array<{ decision: string; metadata: Record<string, unknown> }> };
      }>(
        server,
        server.adminToken,
        `query($f: AuditFilter) { auditEvents(filter: $f) { nodes { decision metadata } } }`,
        {
          f: { operation: "verifyTotp", actorId: s.userId },
        },
      );
      const nodes = trail.auditEvents.nodes;
      expect(nodes.map((n) => [n.decision, n.metadata.failure ?? null])).to.deep.equal([
        ["DENY", "replayed"],
        ["ALLOW", null],
        ["DENY", "wrong_code"],
        ["ALLOW", null],
      ]);
    });

    it("blocks verification after five wrong codes in a row, even for a right one", async () => {
      const s = await session();
      const seed = await enrolled(s.sessionSecret);
      const right = await codeAt(seed, 1);
      for (let i = 0; i < 5; i++) await refused(server, s.sessionSecret, VERIFY, { code: wrong(right) });
      const blocked = await refused(server, s.sessionSecret, VERIFY, { code: right });
      expect(blocked.extensions.code).to.equal("FORBIDDEN");
      expect(blocked.message).to.match(/too many wrong codes/);
      expect((await refused(server, s.sessionSecret, USERS)).extensions.code).to.equal("MFA_REQUIRED");
    });

    it("refuses a token both enrolment and step-up", async () => {
      const user = await addUser(server, ["viewer"]);
      for (const [query, variables] of [
        [ENROLL, {}],
        [VERIFY, { code: "123456" }],
      ] as const) {
        const err = await refused(server, user.token, query, variables);
        expect(err.extensions.code).to.equal("FORBIDDEN");
        expect(err.message).to.match(/token never carries MFA/);
      }
    });

    it("refuses to replace a confirmed authenticator without MFA, and replaces it with MFA", async () => {
      const s = await session();
      const seed = await enrolled(s.sessionSecret);
      expect((await refused(server, s.sessionSecret, ENROLL)).extensions.code).to.equal("MFA_REQUIRED");
      await ok<{ verifyTotp: { verifiedUntil: string; confirmed: boolean } }>(server, s.sessionSecret, VERIFY, {
        code: await codeAt(seed, 1),
      });
      const fresh = seedOf(
        (await ok<{ enrollTotp: { otpauthUri: string } }>(server, s.sessionSecret, ENROLL)).enrollTotp.otpauthUri,
      );
      expect(fresh).to.not.equal(seed);
      expect((await server.app.storage.users.get(s.userId))?.mfaEnrolled).to.equal(false);
    });

    it("refuses a code that is not six digits, naming the field", async () => {
      const s = await session();
      await enrolled(s.sessionSecret);
      expect((await refused(server, s.sessionSecret, VERIFY, { code: "12ab56" })).extensions).to.deep.include({
        code: "BAD_USER_INPUT",
        field: "code",
      });
    });

    it("refuses enrolment on a server without an encryption key, storing nothing", async () => {
      const plain = await startServer(kind);
      try {
        const provider = unique("idp");
        const s = await plain.app.services.ssoLogin.login(anIdentity({ provider }), loginRequest());
        const res = await gql(plain.url, ENROLL, { token: s.sessionSecret });
        expect(res.errors?.[0]?.extensions?.code).to.equal("FORBIDDEN");
        expect(res.errors?.[0]?.message).to.match(/PORTCULLIS_ENCRYPTION_KEY/);
        expect((await plain.app.storage.totp.get(s.userId))?.sealedSecret).to.equal(null);
      } finally {
        await plain.close();
      }
    });
  });
}
