// The web console: the single-page app built into console/dist, served under
// /console with a strict Content-Security-Policy; `/` redirects to it, and
// GET /auth/methods tells the sign-in page (before anyone is signed in) which
// ways in this server offers.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import express, { type Request, type Response, type Router } from "express";

/** console/dist from dist/src/http (compiled) and from src/http (ts-node) alike: the project root's. */
export const CONSOLE_DIST_DIR = join(__dirname, "..", "..", "..", "console", "dist");

export interface SignInMethods {
  saml: boolean;
  oidc: boolean;
  ldap: boolean;
}

export interface ConsoleRouteOptions {
  /** Where the built console is; CONSOLE_DIST_DIR unless a test says otherwise. */
  distDir?: string;
}

/** A sign-in method as the console shows it: what to call it and where it starts. */
interface MethodEntry {
  id: "saml" | "oidc" | "ldap";
  label: string;
  /** A browser navigation (GET) for SAML and OIDC; a form POST for LDAP. */
  url: string;
  method: "GET" | "POST";
}

/** GET /auth/methods: public, since the sign-in page needs it before there is a credential. */
export function signInMethodsRoute(methods: SignInMethods): express.RequestHandler {
  const entries: MethodEntry[] = [];
  if (methods.oidc)
    entries.push({ id: "oidc", label: "Sign in with OpenID Connect", url: "/auth/oidc/login", method: "GET" });
  if (methods.saml) entries.push({ id: "saml", label: "Sign in with SAML", url: "/auth/saml/login", method: "GET" });
  if (methods.ldap)
    entries.push({ id: "ldap", label: "Sign in with your directory account", url: "/auth/ldap/login", method: "POST" });
  const body = { methods: entries, token: true };
  return (_req, res) => {
    res.set("cache-control", "no-store").json(body);
  };
}

/**
 * The policy every console response carries. Scripts and styles only from this
 * origin (the build emits no inline script); the code editor writes its styles
 * into a <style> element, admitted by the page's one-time nonce only; the
 * GraphQL WebSocket needs its ws:/wss: origin spelled out, as older browsers do
 * not count it under 'self'.
 */
export function consoleCsp(req: Request, styleNonce?: string): string {
  const host = /^[A-Za-z0-9.\-:[\]]+$/.test(req.headers.host ?? "") ? req.headers.host : null;
  const ws = host ? ` ${req.secure ? "wss" : "ws"}://${host}` : "";
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self'${styleNonce ? ` 'nonce-${styleNonce}'` : ""}`,
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${ws}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join("; ");
}

const NOT_BUILT = `The web console has not been built on this server.
Run \`npm run build\` (or \`npm run build:console\`) in the project directory, then reload this page.
The GraphQL API at /graphql works without it.
`;

/** /console: hashed assets cached for a year, every other path answered with index.html (client-side routes). */
export function consoleRouter(options: ConsoleRouteOptions): Router {
  const dir = options.distDir ?? CONSOLE_DIST_DIR;
  const router = express.Router();
  router.use((req, res, next) => {
    res.set("content-security-policy", consoleCsp(req));
    res.set("x-content-type-options", "nosniff");
    res.set("referrer-policy", "same-origin");
    res.set("x-frame-options", "DENY");
    next();
  });
  router.use(
    "/assets",
    express.static(join(dir, "assets"), {
      index: false,
      // Vite puts a content hash in every asset's name: a changed file gets a new name.
      immutable: true,
      maxAge: "365d",
    }),
  );
  router.use("/assets", (_req: Request, res: Response) => {
    res.status(404).type("text/plain").send("not found");
  });
  // redirect: false, so that /console is the app itself rather than a 301 to /console/.
  router.use(express.static(dir, { index: false, maxAge: 0, redirect: false }));
  const indexFile = join(dir, "index.html");
  router.get(/.*/, (req: Request, res: Response) => {
    let html: string;
    try {
      html = readFileSync(indexFile, "utf8");
    } catch {
      res.status(503).type("text/plain").set("cache-control", "no-store").send(NOT_BUILT);
      return;
    }
    // A fresh nonce per page load, handed to the app in a meta element (scripts cannot be admitted this way: script-src has no nonce).
    const nonce = randomBytes(16).toString("base64");
    res
      .set("content-security-policy", consoleCsp(req, nonce))
      .set("cache-control", "no-store")
      .type("html")
      .send(html.replace("<head>", `<head>\n    <meta name="portcullis-style-nonce" content="${nonce}" />`));
  });
  return router;
}
