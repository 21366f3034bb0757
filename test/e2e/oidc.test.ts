// OIDC login end to end: a real oidc-provider as the IdP, a real portcullis on
// SQLite (and MariaDB when TEST_MYSQL_URL is set), a cookie-keeping browser.
import { createHash, randomBytes } from "node:crypto";
import { expect } from "chai";
import { hashSecret } from "../../src/domain/credentials/secret-format";
import { Browser } from "../support/browser";
import { databaseKinds } from "../support/databases";
import { startIdp, type IdpAccount, type TestIdp } from "../support/oidc-idp";
import {
  approveDevice,
  callbackUrl,
  deniedAuthentication,
  freePort,
  loginUpToCallback,
  oidcServerEnv,
  portcullisClient,
  postJson,
  sessionCount,
  signInAtIdp,
  type DeviceStart,
} from "../support/oidc-flows";
import { gql, startServer, type TestServer } from "../support/server";

const CLIENT = portcullisClient();
const OTHER_CLIENT = {
  clientId: "other-app",
  clientSecret: randomBytes(24).toString("hex"),
  redirectUri: "http://127.0.0.1:9/other/callback",
};
const ACCOUNTS: IdpAccount[] = [
  { sub: "alice-sub", email: "Alice@Example.com", name: "Alice Admin", groups: ["ops-admins", "staff"], amr: ["pwd"] },
  { sub: "bob-sub", email: "bob@example.com", name: "Bob", groups: ["staff"], amr: ["pwd", "mfa"] },
  { sub: "carol-sub", groups: ["staff"], amr: ["pwd"] },
  { sub: "dave-sub", email: "dave@example.com", emailVerified: false, amr: ["pwd"] },
  { sub: "erin-sub", email: "erin@example.com", amr: ["pwd"] },
  // An IdP account that claims the bootstrap admin's address.
  { sub: "mallory-sub", email: "admin@portcullis.local", amr: ["pwd"] },
];
const ME = "{ me { email displayName source groups grants { role { name } scope source } } }";
interface MeData {
  me: {
    email: string;
    displayName: string;
    source: string;
    groups: string[];
    grants: Array<{ role: { name: string }; scope: string; source: string }>;
  };
}
/** A JSON refusal from the auth routes. */
interface ErrorBody {
  errors: Array<{ message: string; extensions: Record<string, unknown> }>;
}
/** The device token endpoint's answer once the session is issued. */
interface DeviceSession {
  sessionSecret: string;
  expiresAt: string;
}

for (const kind of databaseKinds()) {
  describe(`OIDC login (${kind.name})`, function () {
    this.timeout(60_000);
    let idp: TestIdp;
    let server: TestServer;

    before(async () => {
      const port = await freePort();
      idp = await startIdp({
        accounts: ACCOUNTS,
        clients: [{ ...CLIENT, redirectUri: callbackUrl(port) }, OTHER_CLIENT],
      });
      server = await startServer(
        kind,
        oidcServerEnv(idp.issuer, CLIENT, port, { OIDC_SCOPES: "openid email profile groups" }),
      );
      await mapGroups(server, [
        { group: "ops-admins", role: "operator", scope: "prod" },
        { group: "*", role: "viewer", scope: "" },
      ]);
    });
    after(async () => {
      await server?.close();
      await idp?.close();
    });
    afterEach(() => {
      idp.tokenHook = null;
    });

    describe("the authorization code flow", () => {
      it("sends the browser to the IdP with PKCE S256, state and nonce, and keeps them in a sealed HTTP-only cookie", async () => {
        const browser = new Browser();
        const start = await browser.request(`${server.url}/auth/oidc/login?returnTo=/app`);
        expect(start.status).to.equal(302);
        const params = start.location!.searchParams;
        expect(start.location!.origin).to.equal(idp.issuer);
        expect(params.get("code_challenge_method")).to.equal("S256");
        expect(params.get("code_challenge")).to.match(/^[\w-]{43}$/);
        expect(params.get("state")).to.have.length.greaterThan(20);
        expect(params.get("nonce")).to.have.length.greaterThan(20);
        expect(params.get("redirect_uri")).to.equal(`${server.url}/auth/oidc/callback`);
        const cookie = browser.jar.get(new URL(`${server.url}/auth/oidc/callback`), "portcullis_oidc")!;
        expect(cookie).to.include({ httpOnly: true, sameSite: "lax", path: "/auth/oidc" });
        // Sealed: neither the state nor the verifier can be read from it.
        expect(cookie.value).not.to.include(params.get("state")!);
      });

      it("logs the user in, provisions them from the claims and sends them back to returnTo with a session cookie", async () => {
        const browser = new Browser();
        const callback = await loginUpToCallback(browser, server.url, "alice-sub", "/app/jobs?tab=mine");
        const landed = await browser.request(callback);
        expect(landed.status, landed.body).to.equal(303);
        expect(landed.location!.href).to.equal(`${server.url}/app/jobs?tab=mine`);
        const session = browser.jar.get(new URL(server.url), "portcullis_session")!;
        expect(session).to.include({ httpOnly: true, sameSite: "lax" });
        expect(session.value).to.match(/^pts_/);
        expect(browser.jar.get(callback, "portcullis_oidc"), "the transaction cookie is cleared").to.equal(undefined);

        // The browser's own cookie authenticates it on /graphql.
        const me = await gql<MeData>(server.url, ME, {
          headers: { cookie: browser.jar.header(new URL(`${server.url}/graphql`)) },
        });
        expect(me.errors).to.equal(undefined);
        expect(me.data!.me).to.deep.include({ email: "alice@example.com", displayName: "Alice Admin", source: "OIDC" });
        expect(me.data!.me.groups).to.have.members(["ops-admins", "staff"]);
      });

      it("grants the roles the SSO mappings give the user's groups", async () => {
        const browser = new Browser();
        await browser.request(await loginUpToCallback(browser, server.url, "alice-sub"));
        const me = await gql<MeData>(server.url, ME, {
          token: browser.jar.get(new URL(server.url), "portcullis_session")!.value,
        });
        const grants = me.data!.me.grants.map((g) => `${g.role.name}@${g.scope}:${g.source}`);
        expect(grants).to.have.members(["operator@prod:SSO", "viewer@:SSO"]);
      });

      it("gives an MFA session when the ID token's amr says mfa, and a plain one otherwise", async () => {
        const mfaOf = async (account: string) => {
          const browser = new Browser();
          await browser.request(await loginUpToCallback(browser, server.url, account));
          const secret = browser.jar.get(new URL(server.url), "portcullis_session")!.value;
          return (await server.app.storage.sessions.getByHash(hashSecret(secret)))!.mfa;
        };
        expect(await mfaOf("bob-sub")).to.equal(true);
        expect(await mfaOf("alice-sub")).to.equal(false);
      });

      it("refuses a returnTo that leaves the server", async () => {
        for (const returnTo of [
          "//evil.example/x",
          "https://evil.example/",
          "/\\evil.example",
          "evil",
          "/%0a/x\t",
          "/.//evil.example/phish",
          "/a/..//evil.example",
          "/%2e//evil.example",
          "/././/evil.example",
        ]) {
          const res = await new Browser().request(
            `${server.url}/auth/oidc/login?returnTo=${encodeURIComponent(returnTo)}`,
          );
          expect(res.status, returnTo).to.equal(400);
          expect((JSON.parse(res.body) as ErrorBody).errors[0].extensions).to.include({
            code: "BAD_USER_INPUT",
            field: "returnTo",
          });
        }
      });
    });

    describe("refusals", () => {
      /** Visits the callback and checks the refusal: 401 JSON, no session, the failure audited. */
      async function expectRefused(browser: Browser, callback: URL, failure: string, detail?: RegExp): Promise<void> {
        const before = await sessionCount(server);
        const res = await browser.request(callback);
        expect(res.status, res.body).to.equal(401);
        expect(res.headers.get("content-type")).to.match(/^application\/json/);
        expect((JSON.parse(res.body) as ErrorBody).errors[0].extensions.code).to.equal("UNAUTHENTICATED");
        expect(res.body).not.to.match(/eyJ|pts_/);
        expect(browser.jar.get(new URL(server.url), "portcullis_session")).to.equal(undefined);
        expect(await sessionCount(server)).to.equal(before);
        const event = await deniedAuthentication(server, res.headers.get("x-request-id"));
        expect(event, "audited").not.to.equal(undefined);
        expect(event!.metadata).to.include({ method: "oidc", flow: "code", failure });
        if (detail) expect(event!.metadata?.detail).to.match(detail);
      }

      it("refuses a callback whose state is not the one this browser's login started with", async () => {
        const browser = new Browser();
        const callback = await loginUpToCallback(browser, server.url, "alice-sub");
        callback.searchParams.set("state", "not-the-state");
        await expectRefused(browser, callback, "state_mismatch");
      });

      it("refuses a callback in a browser that started no login", async () => {
        const callback = await loginUpToCallback(new Browser(), server.url, "alice-sub");
        await expectRefused(new Browser(), callback, "no_transaction");
      });

      it("refuses an ID token minted for another nonce", async () => {
        const browser = new Browser();
        const start = await browser.request(`${server.url}/auth/oidc/login`);
        start.location!.searchParams.set("nonce", "a-nonce-of-someone-elses-login");
        const callback = (await signInAtIdp(browser, start, "alice-sub")) as URL;
        await expectRefused(browser, callback, "token_invalid", /nonce/);
      });

      it("refuses an ID token whose signature is broken", async () => {
        idp.tokenHook = (body) => ({ ...body, id_token: breakSignature(String(body.id_token)) });
        const browser = new Browser();
        await expectRefused(
          browser,
          await loginUpToCallback(browser, server.url, "alice-sub"),
          "token_invalid",
          /signature/i,
        );
      });

      it("refuses a validly signed ID token issued to another client", async () => {
        const browser = new Browser();
        const start = await browser.request(`${server.url}/auth/oidc/login`);
        const nonce = start.location!.searchParams.get("nonce")!;
        const callback = (await signInAtIdp(browser, start, "alice-sub")) as URL;
        const foreign = await idTokenForOtherClient(browser, idp, nonce);
        idp.tokenHook = (body) => ({ ...body, id_token: foreign });
        await expectRefused(browser, callback, "token_invalid", /"aud"/);
      });

      it("refuses the same callback URL used twice", async () => {
        const browser = new Browser();
        const callback = await loginUpToCallback(browser, server.url, "alice-sub");
        const transaction = browser.jar.get(callback, "portcullis_oidc")!.value;
        expect((await browser.request(callback)).status).to.equal(303);
        const replay = new Browser();
        replay.jar.set(callback, "portcullis_oidc", transaction, "/auth/oidc");
        await expectRefused(replay, callback, "replayed");
      });

      it("refuses a user the IdP sends without an email, or with an unverified one", async () => {
        const noEmail = new Browser();
        await expectRefused(noEmail, await loginUpToCallback(noEmail, server.url, "carol-sub"), "no_email");
        const unverified = new Browser();
        await expectRefused(
          unverified,
          await loginUpToCallback(unverified, server.url, "dave-sub"),
          "email_unverified",
        );
      });

      it("refuses a user locked in portcullis", async () => {
        const first = new Browser();
        expect((await first.request(await loginUpToCallback(first, server.url, "erin-sub"))).status).to.equal(303);
        const user = await gql<{ user: { id: string } }>(server.url, '{ user(email: "erin@example.com") { id } }', {
          token: server.adminToken,
        });
        const locked = await gql<{ lockUser: { status: string } }>(
          server.url,
          'mutation($id: ID!) { lockUser(id: $id, reason: "left") { status } }',
          {
            token: server.adminToken,
            variables: { id: user.data!.user.id },
          },
        );
        expect(locked.data!.lockUser.status).to.equal("LOCKED");
        const again = new Browser();
        await expectRefused(again, await loginUpToCallback(again, server.url, "erin-sub"), "user_locked");
      });

      it("refuses an IdP account whose email is the bootstrap admin's: a LOCAL superuser is never linked by email", async () => {
        const browser = new Browser();
        const callback = await loginUpToCallback(browser, server.url, "mallory-sub");
        const since = (await server.app.storage.audit.head()).sequence;
        await expectRefused(browser, callback, "link_refused");
        const events = (
          await server.app.storage.audit.range(since + 1, (await server.app.storage.audit.head()).sequence)
        ).filter((e) => e.operation === "login");
        expect(
          events.map((e) => [e.decision, e.actorEmail, (e.metadata as Record<string, unknown>).failure]),
        ).to.deep.equal([["DENY", "admin@portcullis.local", "LINK_REFUSED"]]);
        const admin = await server.app.storage.users.getByEmail("admin@portcullis.local");
        expect(admin).to.deep.include({ source: "LOCAL", externalId: null });
      });

      it("refuses a login the user denied at the IdP", async () => {
        const browser = new Browser();
        const start = await browser.request(`${server.url}/auth/oidc/login`);
        const callback = (await signInAtIdp(browser, start, "alice-sub", { deny: true })) as URL;
        expect(callback.searchParams.get("error")).to.equal("access_denied");
        await expectRefused(browser, callback, "idp_error");
      });
    });

    describe("the device flow", () => {
      it("hands the CLI a session secret once the user approves at the IdP, and answers pending before", async () => {
        const started = await postJson(`${server.url}/auth/oidc/device`);
        expect(started.status, JSON.stringify(started.body)).to.equal(200);
        const device = started.body as DeviceStart;
        expect(device.userCode).to.be.a("string");
        expect(device.verificationUriComplete).to.include(idp.issuer);
        expect(device.interval).to.be.a("number");
        expect(device.expiresIn).to.be.greaterThan(0);
        expect(started.body).not.to.have.property("deviceCode");

        const early = await postJson(`${server.url}/auth/oidc/device/token`, { handle: device.handle });
        expect(early.body).to.deep.equal({ status: "pending" });

        await approveDevice(new Browser(), device.verificationUriComplete, device.userCode, "bob-sub");
        const done = await pollUntilDone(server, device);
        expect(done.status, JSON.stringify(done.body)).to.equal(200);
        const session = done.body as DeviceSession;
        expect(session.sessionSecret).to.match(/^pts_/);
        expect(new Date(session.expiresAt).getTime()).to.be.greaterThan(Date.now());
        const me = await gql<MeData>(server.url, ME, { token: session.sessionSecret });
        expect(me.data!.me.email).to.equal("bob@example.com");

        const again = await postJson(`${server.url}/auth/oidc/device/token`, { handle: device.handle });
        expect(again.status).to.equal(401);
        expect(again.body).not.to.have.property("sessionSecret");
      });

      it("refuses a flow the user denied, a made-up handle and a handle that is missing", async () => {
        const device = (await postJson(`${server.url}/auth/oidc/device`)).body as DeviceStart;
        await approveDevice(new Browser(), device.verificationUriComplete, device.userCode, "bob-sub", { deny: true });
        const denied = await pollUntilDone(server, device);
        expect(denied.status).to.equal(401);
        const event = await deniedAuthentication(server, denied.headers.get("x-request-id"));
        expect(event!.metadata).to.include({ method: "oidc", flow: "device", failure: "device_denied" });

        const forged = await postJson(`${server.url}/auth/oidc/device/token`, {
          handle: device.handle.replace(/.$/, (c) => (c === "A" ? "B" : "A")),
        });
        expect(forged.status).to.equal(401);
        const missing = await postJson(`${server.url}/auth/oidc/device/token`, {});
        expect(missing.status).to.equal(400);
        expect((missing.body as ErrorBody).errors[0].extensions).to.include({
          code: "BAD_USER_INPUT",
          field: "handle",
        });
      });
    });
  });
}

/** Polls at the interval the IdP asked for until the answer is no longer pending. */
async function pollUntilDone(
  server: TestServer,
  device: DeviceStart,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  let interval = device.interval;
  for (let attempt = 0; attempt < 20; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, interval * 1000));
    const res = await postJson(`${server.url}/auth/oidc/device/token`, { handle: device.handle });
    const { status } = res.body as { status?: string };
    if (res.status === 200 && status === "slow_down") interval += 1;
    else if (!(res.status === 200 && status === "pending")) return res;
  }
  throw new Error("the device flow never completed");
}

/** Sets the provider's SSO mappings through the API, as an admin would. */
async function mapGroups(
  server: TestServer,
  mappings: Array<{ group: string; role: string; scope: string }>,
): Promise<void> {
  const res = await gql(
    server.url,
    'mutation($m: [SsoMappingInput!]!) { setSsoMappings(provider: "oidc", mappings: $m) { group } }',
    {
      token: server.adminToken,
      variables: { m: mappings.map((m) => ({ provider: "oidc", ...m })) },
    },
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
}

function breakSignature(jwt: string): string {
  const [header, payload, signature] = jwt.split(".");
  const flipped = signature.startsWith("A") ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
  return `${header}.${payload}.${flipped}`;
}

/** A real ID token for the same user and nonce, issued to the other registered client. */
async function idTokenForOtherClient(browser: Browser, idp: TestIdp, nonce: string): Promise<string> {
  const verifier = randomBytes(32).toString("base64url");
  const authorize = new URL("/auth", idp.issuer);
  authorize.search = new URLSearchParams({
    client_id: OTHER_CLIENT.clientId,
    redirect_uri: OTHER_CLIENT.redirectUri,
    response_type: "code",
    scope: "openid email",
    state: "other",
    nonce,
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();
  const back = await signInAtIdp(browser, await browser.request(authorize), "alice-sub", {
    stopBefore: (url) => url.href.startsWith(OTHER_CLIENT.redirectUri),
  });
  const code = (back as URL).searchParams.get("code")!;
  const res = await fetch(new URL("/token", idp.issuer), {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${OTHER_CLIENT.clientId}:${OTHER_CLIENT.clientSecret}`).toString("base64")}`,
    },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: OTHER_CLIENT.redirectUri,
      code_verifier: verifier,
    }),
  });
  const body = (await res.json()) as { id_token?: string };
  if (!body.id_token) throw new Error(`no ID token for the other client: ${JSON.stringify(body)}`);
  return body.id_token;
}
