// SAML 2.0 login end to end: a real server on a real database, a test IdP that
// signs with its own key, the browser's steps done with fetch.
import { expect } from "chai";
import { hashSecret } from "../../src/domain/credentials/secret-format";
import { databaseKinds } from "../support/databases";
import {
  ACS_URL,
  IDP_CERT,
  IDP_KEY,
  MFA_CLASS,
  OTHER_CERT,
  OTHER_KEY,
  SAML_ENV,
  SP_ENTITY_ID,
  assertionFields,
  assertionXml,
  postToAcs,
  responseXml,
  sessionFromSetCookie,
  sign,
  signedResponse,
  startLogin,
  type AssertionFields,
} from "../support/saml-idp";
import { gql, serverForSuite, startServer, type TestServer } from "../support/server";
import { describeIf } from "../support/skip-reasons";

const minutes = (n: number) => new Date(Date.now() + n * 60_000);

/** Each case answers a fresh login with a response that must be refused. */
const REFUSED: Array<{ name: string; reason: RegExp; build(f: AssertionFields): string }> = [
  {
    name: "an unsigned assertion (only the response signed)",
    reason: /signature/i,
    build: (f) => sign(responseXml(f, assertionXml(f)), "Response"),
  },
  {
    name: "an unsigned response (only the assertion signed)",
    reason: /signature/i,
    build: (f) => responseXml(f, sign(assertionXml(f), "Assertion")),
  },
  {
    name: "a response signed by another key",
    reason: /signature/i,
    build: (f) => signedResponse(f, OTHER_KEY, OTHER_CERT),
  },
  {
    name: "an attribute changed after signing",
    reason: /signature/i,
    build: (f) => signedResponse({ ...f, groups: ["staff"] }).replace(">staff<", ">admins<"),
  },
  {
    name: "a wrapped signature: the signed assertion moved aside and an unsigned one in its place",
    reason: /signature/i,
    build: (f) => {
      const signed = signedResponse({ ...f, groups: ["staff"] });
      const original = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(signed)![0];
      const forged = assertionXml({ ...f, groups: ["admins"] });
      return signed.replace(original, `<samlp:Extensions>${original}</samlp:Extensions>${forged}`);
    },
  },
  {
    name: "a wrapped signature even inside a response the IdP signed",
    reason: /signature/i,
    build: (f) => {
      const moved = sign(assertionXml({ ...f, groups: ["staff"] }), "Assertion");
      return sign(
        responseXml(f, `<samlp:Extensions>${moved}</samlp:Extensions>${assertionXml({ ...f, groups: ["admins"] })}`),
        "Response",
      );
    },
  },
  {
    name: "another audience",
    reason: /audience/i,
    build: (f) => signedResponse({ ...f, audience: "https://other-sp.example.test" }),
  },
  {
    name: "another recipient",
    reason: /Recipient/,
    build: (f) => signedResponse({ ...f, recipient: "https://other-sp.example.test/acs" }),
  },
  {
    name: "another destination",
    reason: /Destination/,
    build: (f) => signedResponse({ ...f, destination: "https://other-sp.example.test/acs" }),
  },
  {
    name: "another issuer",
    reason: /Issuer/,
    build: (f) =>
      signedResponse({
        ...f,
        responseIssuer: "https://evil.example.test",
        assertionIssuer: "https://evil.example.test",
      }),
  },
  {
    name: "another issuer on the response only",
    reason: /Response Issuer/,
    build: (f) => signedResponse({ ...f, responseIssuer: "https://evil.example.test" }),
  },
  {
    name: "an expired assertion",
    reason: /expired/i,
    build: (f) => signedResponse({ ...f, notBefore: minutes(-10), notOnOrAfter: minutes(-2) }),
  },
  {
    name: "an assertion not yet valid",
    reason: /not yet valid/i,
    build: (f) => signedResponse({ ...f, notBefore: minutes(5) }),
  },
  {
    name: "an expired subject confirmation",
    reason: /subject confirmation/i,
    build: (f) => signedResponse({ ...f, confirmationNotOnOrAfter: minutes(-2) }),
  },
];

for (const kind of databaseKinds()) {
  describe(`SAML login on ${kind.name}`, function () {
    this.timeout(60_000);
    let server: TestServer;
    serverForSuite(kind, (s) => (server = s), { ...SAML_ENV, NODE_ENV: "test" });

    const sessionCount = async () =>
      Number(
        (
          await server.app.storage.dataSource.query<Array<{ n: number | string }>>("SELECT COUNT(*) AS n FROM sessions")
        )[0].n,
      );
    const auditOf = async (requestId: string) => {
      const rows: Array<{ operation: string; decision: string; reason: string; metadata: string }> =
        await server.app.storage.dataSource.query(
          "SELECT operation, decision, reason, metadata FROM audit_events WHERE request_id = ?",
          [requestId],
        );
      return rows.map((r) => ({ ...r, metadata: JSON.parse(r.metadata) as Record<string, unknown> }));
    };
    const me = (secret: string) =>
      gql<{ me: { email: string; groups: string[]; grants: unknown[] } }>(
        server.url,
        "{ me { email groups grants { role { name } source } } }",
        {
          headers: { cookie: `portcullis_session=${secret}` },
        },
      );
    /** A full login: start it, answer it with `patch` applied, post it. */
    const logIn = async (patch: Partial<AssertionFields> = {}, returnTo?: string) => {
      const login = await startLogin(server.url, returnTo);
      const fields = assertionFields(login.requestId, patch);
      const res = await postToAcs(server.url, signedResponse(fields), login.relayState);
      return { res, fields, login };
    };

    describe("RelayState after a login", () => {
      for (const relay of ["/.//evil.example/phish", "/a/..//evil.example", "/%2e//evil.example", "//evil.example"]) {
        it(`sends the browser to / when RelayState is '${relay}'`, async () => {
          const login = await startLogin(server.url);
          const res = await postToAcs(server.url, signedResponse(assertionFields(login.requestId)), relay);
          expect(res.status).to.equal(303);
          expect(res.headers.get("location")).to.equal("/");
        });
      }
    });

    describe("GET /auth/saml/login", () => {
      it("redirects to the IdP with an AuthnRequest from our entity id, answered at our ACS URL", async () => {
        const login = await startLogin(server.url);
        expect(login.location.origin + login.location.pathname).to.equal(SAML_ENV.SAML_IDP_ENTRY_POINT);
        expect(login.requestXml).to.contain(`AssertionConsumerServiceURL="${ACS_URL}"`);
        expect(login.requestXml).to.contain(`>${SP_ENTITY_ID}</saml:Issuer>`);
        expect(login.relayState).to.equal(null);
      });

      it("keeps a same-origin returnTo path as RelayState", async () => {
        const login = await startLogin(server.url, "/console/users?tab=all");
        expect(login.relayState).to.equal("/console/users?tab=all");
      });

      for (const bad of [
        "https://evil.example.test/",
        "//evil.example.test/x",
        "/\\evil.example.test",
        "javascript:alert(1)",
        "/.//evil.example/phish",
        "/a/..//evil.example",
        "/%2e//evil.example",
        "/././/evil.example",
      ]) {
        it(`refuses returnTo '${bad}' with 400, naming the parameter`, async () => {
          const res = await fetch(`${server.url}/auth/saml/login?returnTo=${encodeURIComponent(bad)}`, {
            redirect: "manual",
          });
          expect(res.status).to.equal(400);
          const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
          expect(body.errors[0].message).to.match(/^returnTo: /);
          expect(body.errors[0].extensions.code).to.equal("BAD_USER_INPUT");
        });
      }
    });

    describe("POST /auth/saml/acs with a valid response", () => {
      it("creates the user, maps groups to roles through the SSO mappings and sets a session cookie that works on /graphql", async () => {
        const mapped = await gql(
          server.url,
          `mutation($m: [SsoMappingInput!]!) { setSsoMappings(mappings: $m, provider: "saml") { group } }`,
          {
            token: server.adminToken,
            variables: {
              m: [
                { group: "eng-*", role: "deployer", provider: "saml", scope: "staging" },
                { group: "auditors", role: "auditor", provider: "saml" },
              ],
            },
          },
        );
        expect(mapped.errors).to.equal(undefined);
        const { res, fields } = await logIn({ groups: ["eng-platform", "sales", "eng-platform"] }, "/console");
        expect(res.status).to.equal(303);
        expect(res.headers.get("location")).to.equal("/console");
        const cookie = sessionFromSetCookie(res);
        expect(cookie).to.not.equal(null);
        expect(cookie!.attributes)
          .to.match(/HttpOnly/i)
          .and.to.match(/Secure/i)
          .and.to.match(/SameSite=Lax/i);
        const answer = await me(cookie!.secret);
        expect(answer.errors).to.equal(undefined);
        expect(answer.data!.me.email).to.equal(fields.email);
        expect(answer.data!.me.groups).to.deep.equal(["eng-platform", "sales"]);
        expect(answer.data!.me.grants).to.deep.equal([{ role: { name: "deployer" }, source: "SSO" }]);
      });

      it("marks the session multi-factor when AuthnContextClassRef is a multi-factor class, and not otherwise", async () => {
        const strong = sessionFromSetCookie((await logIn({ authnContextClassRef: MFA_CLASS })).res)!;
        const weak = sessionFromSetCookie((await logIn()).res)!;
        expect((await server.app.storage.sessions.getByHash(hashSecret(strong.secret)))?.mfa).to.equal(true);
        expect((await server.app.storage.sessions.getByHash(hashSecret(weak.secret)))?.mfa).to.equal(false);
      });

      it("accepts a NotBefore up to the clock skew ahead", async () => {
        const { res } = await logIn({ notBefore: new Date(Date.now() + 30_000) });
        expect(res.status).to.equal(303);
      });

      it("sends the browser to / when the RelayState is not a same-origin path", async () => {
        const login = await startLogin(server.url);
        const res = await postToAcs(
          server.url,
          signedResponse(assertionFields(login.requestId)),
          "https://evil.example.test/",
        );
        expect(res.status).to.equal(303);
        expect(res.headers.get("location")).to.equal("/");
      });

      it("logs the same person in again as the same user", async () => {
        const first = await logIn();
        const again = await logIn({ nameId: first.fields.nameId, email: first.fields.email });
        expect(again.res.status).to.equal(303);
        const a = await me(sessionFromSetCookie(first.res)!.secret);
        const b = await me(sessionFromSetCookie(again.res)!.secret);
        expect(b.data!.me.email).to.equal(a.data!.me.email);
        expect((await server.app.storage.users.getByEmail(first.fields.email))?.externalId).to.equal(
          first.fields.nameId,
        );
      });
    });

    describe("POST /auth/saml/acs refuses, with 401, an audited DENY, no session and no user", () => {
      async function expectRefused(
        res: Response,
        email: string,
        sessionsBefore: number,
        reason: RegExp,
      ): Promise<void> {
        expect(res.status).to.equal(401);
        expect(res.headers.get("set-cookie")).to.equal(null);
        const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
        expect(body.errors[0].message).to.equal("SAML authentication failed");
        expect(body.errors[0].extensions.code).to.equal("UNAUTHENTICATED");
        expect(await sessionCount()).to.equal(sessionsBefore);
        expect(await server.app.storage.users.getByEmail(email)).to.equal(null);
        const events = await auditOf(res.headers.get("x-request-id")!);
        expect(events).to.have.length(1);
        expect(events[0]).to.include({ operation: "authenticate", decision: "DENY", reason: "UNAUTHENTICATED" });
        expect(events[0].metadata.provider).to.equal("saml");
        expect(String(events[0].metadata.reason)).to.match(reason);
      }

      for (const c of REFUSED) {
        it(`${c.name}`, async () => {
          const login = await startLogin(server.url);
          const fields = assertionFields(login.requestId);
          const before = await sessionCount();
          await expectRefused(
            await postToAcs(server.url, c.build(fields), login.relayState),
            fields.email,
            before,
            c.reason,
          );
        });
      }

      it("a response answering a request this server never issued", async () => {
        const fields = assertionFields("_never-issued-by-this-server");
        const before = await sessionCount();
        await expectRefused(await postToAcs(server.url, signedResponse(fields)), fields.email, before, /InResponseTo/);
      });

      it("the same response posted a second time", async () => {
        const login = await startLogin(server.url);
        const xml = signedResponse(assertionFields(login.requestId));
        expect((await postToAcs(server.url, xml)).status).to.equal(303);
        const before = await sessionCount();
        const res = await postToAcs(server.url, xml);
        expect(res.status).to.equal(401);
        expect(await sessionCount()).to.equal(before);
        expect(String((await auditOf(res.headers.get("x-request-id")!))[0].metadata.reason)).to.match(/InResponseTo/);
      });

      it("all but one of the same response posted many times at once", async () => {
        const login = await startLogin(server.url);
        const xml = signedResponse(assertionFields(login.requestId));
        const statuses = (await Promise.all(Array.from({ length: 6 }, () => postToAcs(server.url, xml)))).map(
          (r) => r.status,
        );
        expect(statuses.filter((s) => s === 303)).to.have.length(1);
        expect(statuses.filter((s) => s === 401)).to.have.length(5);
      });

      it("a request id once a refused response has used it", async () => {
        const login = await startLogin(server.url);
        const fields = assertionFields(login.requestId);
        expect(
          (await postToAcs(server.url, signedResponse({ ...fields, audience: "https://other-sp.example.test" })))
            .status,
        ).to.equal(401);
        const before = await sessionCount();
        await expectRefused(await postToAcs(server.url, signedResponse(fields)), fields.email, before, /InResponseTo/);
      });

      it("a form without SAMLResponse", async () => {
        const before = await sessionCount();
        const res = await fetch(`${server.url}/auth/saml/acs`, {
          method: "POST",
          body: new URLSearchParams({ RelayState: "/" }),
        });
        await expectRefused(res, "nobody@example.com", before, /no SAMLResponse/);
      });
    });

    describe("POST /auth/saml/acs for an address an existing account holds", () => {
      it("refuses with 401 an assertion for the bootstrap admin's address: a LOCAL superuser is never linked by email", async () => {
        const admin = (await server.app.storage.users.getByEmail("admin@portcullis.local"))!;
        const before = await sessionCount();
        const { res } = await logIn({ email: "Admin@Portcullis.Local" });
        expect(res.status).to.equal(401);
        expect(res.headers.get("set-cookie")).to.equal(null);
        expect(await sessionCount()).to.equal(before);
        const events = await auditOf(res.headers.get("x-request-id")!);
        expect(events.map((e) => [e.operation, e.decision, e.reason, e.metadata.failure])).to.have.deep.members([
          ["login", "DENY", "UNAUTHENTICATED", "LINK_REFUSED"],
          ["authenticate", "DENY", "UNAUTHENTICATED", "LINK_REFUSED"],
        ]);
        expect(String(events.find((e) => e.operation === "login")!.metadata.why)).to.match(/LOCAL user/);
        expect(await server.app.storage.users.get(admin.id)).to.deep.equal(admin);
      });
    });

    describe("POST /auth/saml/acs for a locked user", () => {
      it("answers 403, creates no session and leaves the refusal audited as a login DENY", async () => {
        const first = await logIn();
        const user = (await server.app.storage.users.getByEmail(first.fields.email))!;
        const locked = await gql<{ lockUser: { status: string } }>(
          server.url,
          `mutation($id: ID!) { lockUser(id: $id, reason: "left the company") { status } }`,
          { token: server.adminToken, variables: { id: user.id } },
        );
        expect(locked.data?.lockUser.status).to.equal("LOCKED");
        const before = await sessionCount();
        const { res } = await logIn({ nameId: first.fields.nameId, email: first.fields.email });
        expect(res.status).to.equal(403);
        expect(res.headers.get("set-cookie")).to.equal(null);
        expect(await sessionCount()).to.equal(before);
        const events = await auditOf(res.headers.get("x-request-id")!);
        expect(events.map((e) => [e.operation, e.decision, e.reason])).to.deep.equal([
          ["login", "DENY", "USER_LOCKED"],
        ]);
      });
    });

    describe("with two instances on one database", () => {
      let second: TestServer;
      before(async () => {
        second = await startServer(kind, { ...SAML_ENV, NODE_ENV: "test" }, server.db);
      });
      after(async () => {
        await second?.close();
      });

      it("accepts at one instance the answer to a login started at the other, once", async () => {
        const login = await startLogin(server.url);
        const xml = signedResponse(assertionFields(login.requestId));
        expect((await postToAcs(second.url, xml)).status).to.equal(303);
        expect((await postToAcs(server.url, xml)).status).to.equal(401);
        expect((await postToAcs(second.url, xml)).status).to.equal(401);
      });
    });

    describe("GET /auth/saml/metadata", () => {
      it("describes this service provider: entity id and ACS URL with the POST binding", async () => {
        const res = await fetch(`${server.url}/auth/saml/metadata`);
        expect(res.status).to.equal(200);
        expect(res.headers.get("content-type")).to.match(/xml/);
        const xml = await res.text();
        expect(xml).to.contain(`entityID="${SP_ENTITY_ID}"`);
        expect(xml).to.match(new RegExp(`AssertionConsumerService[^>]*Location="${ACS_URL}"`));
        expect(xml).to.contain("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
      });
    });
  });
}

const redisUrl = process.env.TEST_REDIS_URL;
describeIf(redisUrl, "TEST_REDIS_URL is not set: this test needs a Redis server")(
  "SAML login with REDIS_URL set",
  function () {
    this.timeout(60_000);
    const env = { ...SAML_ENV, NODE_ENV: "test", REDIS_URL: redisUrl ?? "" };
    let first: TestServer;
    let second: TestServer;
    before(async () => {
      first = await startServer(databaseKinds()[0], env);
      second = await startServer(databaseKinds()[0], env, first.db);
    });
    after(async () => {
      await second?.close();
      await first?.close();
    });

    it("keeps request ids in Redis, shared by the instances, each answer accepted once", async () => {
      const login = await startLogin(first.url);
      expect(await first.app.storage.dataSource.query("SELECT * FROM one_time_values")).to.deep.equal([]);
      const xml = signedResponse(assertionFields(login.requestId));
      expect((await postToAcs(second.url, xml)).status).to.equal(303);
      expect((await postToAcs(first.url, xml)).status).to.equal(401);
    });
  },
);

describe("SAML login during an IdP key rollover", function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startServer(databaseKinds()[0], { ...SAML_ENV, SAML_IDP_CERT: OTHER_CERT + IDP_CERT });
  });
  after(async () => {
    await server?.close();
  });

  it("accepts a response signed with either configured certificate's key", async () => {
    for (const [key, cert] of [
      [IDP_KEY, IDP_CERT],
      [OTHER_KEY, OTHER_CERT],
    ] as const) {
      const login = await startLogin(server.url);
      expect(
        (await postToAcs(server.url, signedResponse(assertionFields(login.requestId), key, cert))).status,
      ).to.equal(303);
    }
  });
});

describe("SAML routes without SAML configured", function () {
  this.timeout(30_000);
  let server: TestServer;
  before(async () => {
    server = await startServer(databaseKinds()[0]);
  });
  after(async () => {
    await server?.close();
  });

  for (const [method, path] of [
    ["GET", "/auth/saml/login"],
    ["POST", "/auth/saml/acs"],
    ["GET", "/auth/saml/metadata"],
  ] as const) {
    it(`answers ${method} ${path} with 404 JSON`, async () => {
      const res = await fetch(`${server.url}${path}`, { method });
      expect(res.status).to.equal(404);
      expect(res.headers.get("content-type")).to.match(/application\/json/);
    });
  }
});
