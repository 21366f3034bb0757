// How the OIDC routes behave when OIDC is off, when the IdP is down and when
// the IdP has no device flow.
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { databaseKinds } from "../support/databases";
import { startIdp, type TestIdp } from "../support/oidc-idp";
import { freePort, postJson, type DeviceStart } from "../support/oidc-flows";
import { startServer, type TestServer } from "../support/server";

/** A JSON refusal from the auth routes. */
interface ErrorBody {
  errors: Array<{ message: string; extensions: Record<string, unknown> }>;
}

const sqlite = databaseKinds()[0];

function oidcEnv(issuer: string, port: number): Record<string, string> {
  return {
    PORT: String(port),
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: "portcullis",
    OIDC_CLIENT_SECRET: "a-client-secret",
    OIDC_REDIRECT_URI: `http://127.0.0.1:${port}/auth/oidc/callback`,
  };
}

describe("OIDC routes", function () {
  this.timeout(30_000);
  let server: TestServer | undefined;
  let idp: TestIdp | undefined;
  afterEach(async () => {
    await server?.close();
    await idp?.close();
    server = undefined;
    idp = undefined;
  });

  it("do not exist when OIDC is not configured", async () => {
    server = await startServer(sqlite);
    for (const [method, path] of [
      ["GET", "/auth/oidc/login"],
      ["GET", "/auth/oidc/callback"],
      ["POST", "/auth/oidc/device"],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { method, redirect: "manual" });
      expect(res.status, path).to.equal(404);
      expect(res.headers.get("content-type")).to.match(/^application\/json/);
    }
  });

  it("let the server start while the IdP is down, and answer 503 until it is back", async () => {
    const idpPort = await freePort();
    const port = await freePort();
    server = await startServer(sqlite, oidcEnv(`http://127.0.0.1:${idpPort}`, port));
    expect((await fetch(`${server.url}/healthz`)).status).to.equal(200);
    const login = await fetch(`${server.url}/auth/oidc/login`, { redirect: "manual" });
    expect(login.status).to.equal(503);
    expect(((await login.json()) as ErrorBody).errors[0].extensions.code).to.equal("SERVICE_UNAVAILABLE");
    expect((await postJson(`${server.url}/auth/oidc/device`)).status).to.equal(503);

    idp = await startIdp({
      accounts: [],
      port: idpPort,
      clients: [
        {
          clientId: "portcullis",
          clientSecret: "a-client-secret",
          redirectUri: `http://127.0.0.1:${port}/auth/oidc/callback`,
        },
      ],
    });
    expect((await fetch(`${server.url}/auth/oidc/login`, { redirect: "manual" })).status).to.equal(302);
  });

  it("answer 501 for the device flow when the IdP offers none", async () => {
    const port = await freePort();
    idp = await startIdp({
      accounts: [],
      deviceFlow: false,
      clients: [
        {
          clientId: "portcullis",
          clientSecret: "a-client-secret",
          redirectUri: `http://127.0.0.1:${port}/auth/oidc/callback`,
        },
      ],
    });
    server = await startServer(sqlite, {
      ...oidcEnv(idp.issuer, port),
      PORTCULLIS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    });
    const started = await postJson(`${server.url}/auth/oidc/device`);
    expect(started.status).to.equal(501);
    expect((started.body as ErrorBody).errors[0].extensions.code).to.equal("NOT_IMPLEMENTED");
    expect(
      (await fetch(`${server.url}/auth/oidc/login`, { redirect: "manual" })).status,
      "the browser login still works",
    ).to.equal(302);
  });

  it("refuse a device login whose code has expired", async () => {
    const port = await freePort();
    idp = await startIdp({
      accounts: [],
      deviceCodeTtl: 1,
      clients: [
        {
          clientId: "portcullis",
          clientSecret: "a-client-secret",
          redirectUri: `http://127.0.0.1:${port}/auth/oidc/callback`,
        },
      ],
    });
    server = await startServer(sqlite, oidcEnv(idp.issuer, port));
    const started = (await postJson(`${server.url}/auth/oidc/device`)).body as DeviceStart;
    expect(started.expiresIn).to.equal(1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const polled = await postJson(`${server.url}/auth/oidc/device/token`, { handle: started.handle });
    expect(polled.status).to.equal(401);
    expect((polled.body as ErrorBody).errors[0].message).to.match(/expired/);
  });

  it("mark their cookies Secure outside development", async () => {
    const port = await freePort();
    idp = await startIdp({
      accounts: [],
      clients: [
        {
          clientId: "portcullis",
          clientSecret: "a-client-secret",
          redirectUri: `http://127.0.0.1:${port}/auth/oidc/callback`,
        },
      ],
    });
    server = await startServer(sqlite, { ...oidcEnv(idp.issuer, port), NODE_ENV: "production" });
    const res = await fetch(`${server.url}/auth/oidc/login`, { redirect: "manual" });
    expect(res.headers.getSetCookie()[0])
      .to.match(/^portcullis_oidc=.*; Secure/i)
      .and.match(/HttpOnly/i)
      .and.match(/SameSite=Lax/i);
  });
});
