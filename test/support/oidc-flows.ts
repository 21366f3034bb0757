// Driving OIDC logins end to end: a browser through portcullis and the test
// IdP's interactions, the device flow's approval at the IdP, and what tests
// check afterwards (sessions written, failed authentications audited).
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { SessionEntity } from "../../src/storage/entities";
import type { Browser, Page } from "./browser";
import { searchAudit, type AuditEventView } from "./audit-events";
import type { TestServer, UntypedData } from "./server";

/** A port that was free a moment ago (the server's redirect URI must be known before it starts). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Where the test IdP sends a browser back to a server on `port`. */
export const callbackUrl = (port: number): string => `http://127.0.0.1:${port}/auth/oidc/callback`;

/** portcullis as a confidential client of the test IdP, with a fresh secret. */
export function portcullisClient(): { clientId: string; clientSecret: string } {
  return { clientId: "portcullis", clientSecret: randomBytes(24).toString("hex") };
}

/**
 * The environment of a server (development mode) on `port` that signs people
 * in at `issuer` as `client`, with an encryption key for what it keeps of the
 * login; `extra` adds to it (OIDC_SCOPES…).
 */
export function oidcServerEnv(
  issuer: string,
  client: { clientId: string; clientSecret: string },
  port: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PORT: String(port),
    NODE_ENV: "development",
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: client.clientId,
    OIDC_CLIENT_SECRET: client.clientSecret,
    OIDC_REDIRECT_URI: callbackUrl(port),
    PORTCULLIS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    ...extra,
  };
}

export const isCallback = (url: URL): boolean => url.pathname === "/auth/oidc/callback";

/**
 * From a redirect to the IdP (or any IdP page), signs in as `account` and
 * consents, and returns the redirect back to the client without following it.
 */
export async function signInAtIdp(
  browser: Browser,
  from: Page,
  account: string,
  options: { deny?: boolean; stopBefore?: (url: URL) => boolean } = {},
): Promise<URL | Page> {
  const stopBefore = options.stopBefore ?? isCallback;
  let { page, stoppedAt } = await browser.follow(from, stopBefore);
  while (stoppedAt === null) {
    if (!page.url.pathname.startsWith("/interaction/") || page.status !== 200) return page;
    const { prompt } = JSON.parse(page.body) as { prompt: string };
    const form: Record<string, string> = options.deny
      ? { abort: "yes" }
      : prompt === "login"
        ? { login: account }
        : { confirm: "yes" };
    ({ page, stoppedAt } = await browser.follow(await browser.request(page.url, { form }), stopBefore));
  }
  return stoppedAt;
}

/** Starts a browser login at portcullis and signs in at the IdP; returns the callback URL, unvisited. */
export async function loginUpToCallback(
  browser: Browser,
  serverUrl: string,
  account: string,
  returnTo?: string,
): Promise<URL> {
  const start = await browser.request(
    `${serverUrl}/auth/oidc/login${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ""}`,
  );
  if (start.status !== 302) throw new Error(`login answered ${start.status}: ${start.body}`);
  const callback = await signInAtIdp(browser, start, account);
  if (!(callback instanceof URL))
    throw new Error(`the IdP stopped at ${callback.url.href} (${callback.status}): ${callback.body.slice(0, 300)}`);
  return callback;
}

/** Enters the user code at the IdP's device page, confirms (or aborts) and signs in as `account`. */
export async function approveDevice(
  browser: Browser,
  verificationUriComplete: string,
  userCode: string,
  account: string,
  options: { deny?: boolean } = {},
): Promise<Page> {
  const entry = await browser.request(verificationUriComplete);
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(entry.body)?.[1];
  if (!xsrf) throw new Error(`no device form at ${verificationUriComplete}: ${entry.body.slice(0, 300)}`);
  const device = new URL("/device", verificationUriComplete);
  const confirmPage = await browser.request(device, { form: { xsrf, user_code: userCode } });
  const confirmXsrf = /name="xsrf" value="([^"]+)"/.exec(confirmPage.body)?.[1] ?? xsrf;
  const decision: Record<string, string> = options.deny ? { abort: "yes" } : { confirm: "yes" };
  const answered = await browser.request(device, { form: { xsrf: confirmXsrf, user_code: userCode, ...decision } });
  if (options.deny) return answered;
  const done = await signInAtIdp(browser, answered, account, { stopBefore: () => false });
  if (done instanceof URL) throw new Error("unexpected stop");
  return done;
}

export async function sessionCount(server: TestServer): Promise<number> {
  return server.app.storage.dataSource.getRepository(SessionEntity).count();
}

/** The failed-authentication event the request wrote (found by its request id). */
export async function deniedAuthentication(
  server: TestServer,
  requestId: string | null,
): Promise<AuditEventView | undefined> {
  const res = await searchAudit(server, server.adminToken, {
    filter: { operation: "authenticate", decision: "DENY" },
    first: 50,
  });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.auditEvents.nodes.find((e) => e.requestId === requestId);
}

export interface DeviceStart {
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  handle: string;
  interval: number;
  expiresIn: number;
}

export async function postJson<T = UntypedData>(
  url: string,
  body: unknown = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: JSON.parse(await res.text()) as T, headers: res.headers };
}
