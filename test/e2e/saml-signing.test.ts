// SAML as IdPs commonly send it: a response signed only on its assertion
// (accepted when SAML_WANT_RESPONSE_SIGNED=false, refused by default), refusals
// that name the failed check, and over HTTPS a login bound to the browser
// that started it.
import { X509Certificate } from "node:crypto";
import { expect } from "chai";
import { databaseKinds } from "../support/databases";
import {
  IDP_CERT,
  OTHER_CERT,
  OTHER_KEY,
  SAML_ENV,
  assertionFields,
  assertionXml,
  responseXml,
  sign,
  signedResponse,
  startLogin,
  type AssertionFields,
} from "../support/saml-idp";
import { startServer, type TestServer } from "../support/server";

const sqlite = databaseKinds()[0];

function postForm(server: TestServer, xml: string, headers: Record<string, string> = {}): Promise<Response> {
  const form = new URLSearchParams({ SAMLResponse: Buffer.from(xml, "utf8").toString("base64") });
  return fetch(`${server.url}/auth/saml/acs`, { method: "POST", body: form, redirect: "manual", headers });
}

async function refusalOf(server: TestServer, res: Response): Promise<string> {
  const rows: Array<{ action: string; metadata: string }> = await server.app.storage.dataSource.query(
    "SELECT action, metadata FROM audit_events WHERE request_id = ? AND operation = 'authenticate'",
    [res.headers.get("x-request-id")],
  );
  expect(rows).to.have.length(1);
  const metadata = JSON.parse(rows[0].metadata) as Record<string, unknown>;
  expect(rows[0].action).to.equal("saml");
  return String(metadata.reason);
}

const assertionOnly = (f: AssertionFields) => responseXml(f, sign(assertionXml(f), "Assertion"));

describe("SAML response signing", function () {
  this.timeout(60_000);
  let strict: TestServer;
  let lenient: TestServer;
  before(async () => {
    strict = await startServer(sqlite, { ...SAML_ENV, NODE_ENV: "test" });
    lenient = await startServer(sqlite, { ...SAML_ENV, NODE_ENV: "test", SAML_WANT_RESPONSE_SIGNED: "false" });
  });
  after(async () => {
    await strict?.close();
    await lenient?.close();
  });

  const answer = async (server: TestServer, build: (f: AssertionFields) => string, patch = {}) => {
    const login = await startLogin(server.url);
    return postForm(server, build(assertionFields(login.requestId, patch)));
  };

  it("refuses an assertion-only signature by default, saying the Response is not signed and which setting allows it", async () => {
    const res = await answer(strict, assertionOnly);
    expect(res.status).to.equal(401);
    expect(await refusalOf(strict, res)).to.match(
      /the Response element is not signed \(set SAML_WANT_RESPONSE_SIGNED=false to accept a response whose assertion alone carries the signature\)/,
    );
  });

  it("accepts an assertion-only signature with SAML_WANT_RESPONSE_SIGNED=false", async () => {
    const res = await answer(lenient, assertionOnly);
    expect(res.status).to.equal(303);
    expect(res.headers.get("set-cookie")).to.match(/portcullis_session=pts_/);
  });

  it("still accepts a response signed twice with SAML_WANT_RESPONSE_SIGNED=false", async () => {
    expect((await answer(lenient, (f) => signedResponse(f))).status).to.equal(303);
  });

  it("still requires the assertion's signature with SAML_WANT_RESPONSE_SIGNED=false", async () => {
    const res = await answer(lenient, (f) => sign(responseXml(f, assertionXml(f)), "Response"));
    expect(res.status).to.equal(401);
    expect(await refusalOf(lenient, res)).to.match(/the Assertion element is not signed/);
  });

  it("still checks the Destination of an unsigned Response", async () => {
    const res = await answer(lenient, assertionOnly, { destination: "https://elsewhere.example.test/acs" });
    expect(res.status).to.equal(401);
    expect(await refusalOf(lenient, res)).to.match(/Destination/);
  });

  for (const [name, server] of [
    ["the Response", () => strict],
    ["the Assertion", () => lenient],
  ] as const) {
    it(`names the configured certificate's fingerprint when ${name} is signed with another key`, async () => {
      const s = server();
      const build =
        name === "the Response"
          ? (f: AssertionFields) => signedResponse(f, OTHER_KEY, OTHER_CERT)
          : (f: AssertionFields) => responseXml(f, sign(assertionXml(f), "Assertion", OTHER_KEY, OTHER_CERT));
      const res = await answer(s, build);
      expect(res.status).to.equal(401);
      const fingerprint = new X509Certificate(IDP_CERT).fingerprint256;
      expect(await refusalOf(s, res)).to.contain(
        `${name.slice(4)} signature does not verify with the configured certificate (SHA-256 fingerprint ${fingerprint})`,
      );
    });
  }

  it("names the audience received and the one expected", async () => {
    const res = await answer(strict, (f) => signedResponse(f), { audience: "https://other-sp.example.test" });
    expect(await refusalOf(strict, res)).to.match(
      /audience: the assertion is for 'https:\/\/other-sp\.example\.test', not this service provider's entity id 'https:\/\/portcullis\.example\.test\/saml' \(SAML_SP_ENTITY_ID\)/,
    );
  });

  it("names the Recipient and the Destination checks", async () => {
    const recipient = await answer(strict, (f) => signedResponse(f), { recipient: "https://x.example.test/acs" });
    expect(await refusalOf(strict, recipient)).to.match(
      /SubjectConfirmationData Recipient 'https:\/\/x\.example\.test\/acs'/,
    );
    const destination = await answer(strict, (f) => signedResponse(f), { destination: "https://x.example.test/acs" });
    expect(await refusalOf(strict, destination)).to.match(/Response Destination 'https:\/\/x\.example\.test\/acs'/);
  });
});

describe("SAML login bound to the browser over HTTPS", function () {
  this.timeout(60_000);
  let server: TestServer;
  const https = { "x-forwarded-proto": "https" };
  before(async () => {
    server = await startServer(sqlite, { ...SAML_ENV, NODE_ENV: "test", TRUSTED_PROXIES: "127.0.0.1" });
  });
  after(async () => server?.close());

  /** Starts a login as a browser behind a TLS-terminating proxy; returns its request id and binding cookie. */
  const start = async () => {
    const res = await fetch(`${server.url}/auth/saml/login`, { redirect: "manual", headers: https });
    expect(res.status).to.equal(302);
    const setCookie = res.headers.get("set-cookie") ?? "";
    const location = new URL(res.headers.get("location")!);
    const { inflateRawSync } = await import("node:zlib");
    const xml = inflateRawSync(Buffer.from(location.searchParams.get("SAMLRequest")!, "base64")).toString("utf8");
    return {
      requestId: /\sID="([^"]+)"/.exec(xml)![1],
      setCookie,
      cookie: /^(portcullis_saml=[^;]+)/.exec(setCookie)?.[1],
    };
  };

  it("sets a short-lived SameSite=None; Secure cookie when the login starts", async () => {
    const { setCookie } = await start();
    expect(setCookie)
      .to.match(/portcullis_saml=/)
      .and.match(/SameSite=None/i)
      .and.match(/Secure/i)
      .and.match(/HttpOnly/i);
    expect(setCookie).to.match(/Path=\/auth\/saml/);
  });

  it("accepts the response in the browser that started the login", async () => {
    const { requestId, cookie } = await start();
    const res = await postForm(server, signedResponse(assertionFields(requestId)), { ...https, cookie: cookie! });
    expect(res.status).to.equal(303);
  });

  it("refuses the response in a browser without the cookie (login CSRF), naming why", async () => {
    const { requestId } = await start();
    const res = await postForm(server, signedResponse(assertionFields(requestId)), https);
    expect(res.status).to.equal(401);
    expect(await refusalOf(server, res)).to.match(/login not started in this browser: no portcullis_saml cookie/);
  });

  it("refuses the response to another browser's login", async () => {
    const mine = await start();
    const theirs = await start();
    const res = await postForm(server, signedResponse(assertionFields(theirs.requestId)), {
      ...https,
      cookie: mine.cookie!,
    });
    expect(res.status).to.equal(401);
    expect(await refusalOf(server, res)).to.match(/login started in another browser/);
  });

  it("does not bind a login over plain HTTP", async () => {
    const res = await fetch(`${server.url}/auth/saml/login`, { redirect: "manual" });
    expect(res.headers.get("set-cookie")).to.equal(null);
  });
});
