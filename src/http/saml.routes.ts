// /auth/saml: SP-initiated login, the assertion consumer service, SP metadata.
// Mounted only when SAML is configured; both ends run through the `saml`
// passport strategy. A refused response answers 401 JSON with a message that
// names no detail, and is audited (operation `authenticate`, DENY, strategy
// `saml`) with the check that failed; no user and no session are created.
//
// Login CSRF: over HTTPS, the login binds itself to the browser that started
// it with a short-lived cookie holding a hash of the AuthnRequest id
// (SameSite=None, so that the IdP's cross-site POST carries it back); the ACS
// refuses a response whose request this browser did not start. Over plain
// HTTP (development) a SameSite=None cookie cannot be set and there is no binding.
import { createHash } from "node:crypto";
import { inflateRawSync } from "node:zlib";
import express, { Router, type Request, type Response } from "express";
import type { AuthenticationLayer } from "../auth/passport/authentication-layer";
import {
  refused,
  type SamlLogin,
  type SamlRequestView,
  type SamlServiceProvider,
} from "../auth/saml/saml-service-provider";
import { DomainError } from "../domain/errors";
import type { Services } from "../app-services";
import { auditAuthenticationFailure } from "./authentication-audit";
import type { ClientAddress } from "./client-address";
import type { Logger } from "./logger";
import { parseReturnTo, returnPathOrRoot } from "./return-to";
import { setSessionCookie, type SessionCookieOptions } from "./session-cookie";
import { sendError } from "./error-response";

export const SAML_BINDING_COOKIE = "portcullis_saml";
const BINDING_TTL_MS = 10 * 60_000;

export interface SamlRouteOptions {
  sp: SamlServiceProvider;
}

export interface SamlRouteDeps extends SamlRouteOptions {
  services: Services;
  /** The authentication layer, holding the `saml` strategy. */
  authentication: AuthenticationLayer;
  /** Secure unless NODE_ENV=development, where plain HTTP is allowed. */
  cookies: SessionCookieOptions;
  clientAddress: ClientAddress;
  /** Whether the browser reached this server over HTTPS (directly, or through a trusted proxy). */
  overHttps: (req: Request) => boolean;
  logger: Logger;
}

export function samlRoutes(deps: SamlRouteDeps): Router {
  const { sp, services, logger, authentication } = deps;
  const router = Router();

  /** The `saml` strategy on `view`: the verified login, the IdP URL when a login starts, or null. */
  const run = async (view: SamlRequestView): Promise<SamlLogin | { location: string } | null> => {
    const outcome = await authentication.run("saml", view);
    if (outcome.kind === "redirect") return { location: outcome.location };
    return outcome.kind === "success" ? (outcome.user as SamlLogin) : null;
  };

  router.get("/login", async (req, res) => {
    const raw = req.query.returnTo;
    const returnTo = parseReturnTo(raw);
    if (!returnTo.ok)
      return sendError(res, 400, "BAD_USER_INPUT", `returnTo: ${returnTo.message}`, { field: "returnTo" });
    res.setHeader("cache-control", "no-store");
    const relayState = raw === undefined || raw === "" ? "" : (returnTo.path ?? "");
    const started = await run({ body: {}, query: { RelayState: relayState }, headers: req.headers, url: req.url });
    if (started === null || !("location" in started)) throw new Error("the SAML strategy did not redirect to the IdP");
    if (deps.overHttps(req)) bindToBrowser(res, started.location);
    res.redirect(302, started.location);
  });

  router.get("/metadata", async (_req, res) => {
    res.type("application/samlmetadata+xml").send(await sp.metadata());
  });

  router.post("/acs", express.urlencoded({ extended: false, limit: "1mb" }), async (req, res) => {
    const requestId = String(res.locals.requestId);
    const sourceIp = deps.clientAddress(req);
    const form = (req.body ?? {}) as Record<string, unknown>;
    const samlResponse = typeof form.SAMLResponse === "string" ? form.SAMLResponse : "";
    try {
      if (samlResponse === "") throw refused("no SAMLResponse in the form");
      let verified: Awaited<ReturnType<typeof run>>;
      try {
        verified = await run({ body: { SAMLResponse: samlResponse }, query: {}, headers: req.headers, url: req.url });
      } catch (err) {
        throw await sp.refusal(err, samlResponse);
      }
      if (verified === null || !("identity" in verified)) throw refused("the response proves no identity");
      if (deps.overHttps(req)) {
        checkBinding(req, verified.requestId);
        res.clearCookie(SAML_BINDING_COOKIE, bindingCookieOptions());
      }
      const session = await services.ssoLogin.login(verified.identity, { sourceIp, requestId });
      setSessionCookie(res, session.sessionSecret, session.expiresAt, deps.cookies);
      res.setHeader("cache-control", "no-store");
      res.redirect(303, returnPathOrRoot(form.RelayState));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      // The login service audits its own refusals (a locked or deprovisioned user).
      if (err.code === "FORBIDDEN") return sendError(res, 403, "FORBIDDEN", "login refused: the account is not active");
      // An account that may not be linked by email, or the last superuser's role: the login service audited why.
      const linking =
        err.code === "UNAUTHENTICATED" &&
        (err.details.reason === "LINK_REFUSED" || err.details.reason === "LAST_SUPERUSER");
      await auditAuthenticationFailure(
        services,
        {
          strategy: "saml",
          failure: linking ? err.details.reason! : "SAML_RESPONSE_REFUSED",
          details: { provider: sp.config.provider, reason: err.message },
        },
        sourceIp,
        requestId,
      );
      logger.info("SAML login refused", { requestId, reason: err.message });
      sendError(res, 401, "UNAUTHENTICATED", "SAML authentication failed");
    }
  });

  return router;
}

function bindingCookieOptions() {
  return { httpOnly: true, secure: true, sameSite: "none" as const, path: "/auth/saml" };
}

function hashOf(requestId: string): string {
  return createHash("sha256").update(requestId).digest("base64url");
}

/** Sets the binding cookie for the AuthnRequest carried by the IdP redirect `location`. */
function bindToBrowser(res: Response, location: string): void {
  const encoded = new URL(location).searchParams.get("SAMLRequest");
  if (encoded === null) return;
  const xml = inflateRawSync(Buffer.from(encoded, "base64")).toString("utf8");
  const id = /\sID="([^"]+)"/.exec(xml)?.[1];
  if (id === undefined) return;
  res.cookie(SAML_BINDING_COOKIE, hashOf(id), { ...bindingCookieOptions(), maxAge: BINDING_TTL_MS });
}

/** Refuses a response to a login this browser did not start. */
function checkBinding(req: Request, requestId: string | null): void {
  const cookie = cookieValue(req.headers.cookie, SAML_BINDING_COOKIE);
  if (cookie === null)
    throw refused(
      `login not started in this browser: no ${SAML_BINDING_COOKIE} cookie (start at /auth/saml/login; IdP-initiated logins are not accepted)`,
    );
  if (requestId === null || cookie !== hashOf(requestId))
    throw refused("login started in another browser: the response answers a request this browser did not make");
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}
