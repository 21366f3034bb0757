// /auth/<name>: login through a passport strategy a deployment brings (GitHub,
// Google, …; docs/authentication.md). GET /auth/<name>/login runs the strategy,
// which redirects to its provider; GET or POST /auth/<name>/callback runs it
// again on the way back. Its verify callback hands over an SsoIdentity, which
// is provisioned like any SSO login (mappings under its provider name). The
// strategy may keep state in `req.session` between the two (OAuth 2.0 state,
// PKCE verifiers): portcullis keeps no server-side sessions, so that object
// travels in a sealed, HTTP-only cookie scoped to /auth/<name> for ten minutes.
import express, { Router, type Request, type Response } from "express";
import type { SealedBox } from "../auth/oidc/sealed-box";
import type { AuthenticationLayer } from "../auth/passport/authentication-layer";
import type { LoginStrategy } from "../auth/passport/login-strategies";
import { DomainError } from "../domain/errors";
import type { SsoIdentity } from "../domain/sso/sso-login";
import type { Services } from "../app-services";
import { auditAuthenticationFailure } from "./authentication-audit";
import type { ClientAddress } from "./client-address";
import { sendError } from "./error-response";
import type { Logger } from "./logger";
import { parseReturnTo, returnPathOrRoot } from "./return-to";
import { setSessionCookie, type SessionCookieOptions } from "./session-cookie";

const STATE_TTL_MS = 10 * 60_000;

export interface PassportLoginDeps {
  login: LoginStrategy;
  authentication: AuthenticationLayer;
  services: Services;
  sealer: SealedBox;
  clientAddress: ClientAddress;
  cookies: SessionCookieOptions;
  logger: Logger;
}

interface LoginState {
  session: Record<string, unknown>;
  returnTo: string;
}

export function passportLoginRoutes(deps: PassportLoginDeps): Router {
  const { login, authentication, services, sealer, logger } = deps;
  const name = login.name;
  const cookie = `portcullis_login_${name}`;
  const cookieOptions = {
    httpOnly: true,
    secure: deps.cookies.secure,
    sameSite: "lax" as const,
    path: `/auth/${name}`,
  };
  const purpose = `login:${name}`;
  const router = Router();

  /** The request as the strategy sees it: the real one, with the login's `session` object. */
  const viewOf = (req: Request, session: Record<string, unknown>): Request =>
    Object.assign(Object.create(req) as Request, { session });

  const refuse = async (req: Request, res: Response, failure: string, detail: string) => {
    const requestId = String(res.locals.requestId);
    await auditAuthenticationFailure(
      services,
      { strategy: name, failure, details: { provider: name, reason: detail.slice(0, 300) } },
      deps.clientAddress(req),
      requestId,
    );
    logger.info("login refused", { requestId, strategy: name, failure, reason: detail.slice(0, 300) });
    sendError(res, 401, "UNAUTHENTICATED", `${name} login failed`);
  };

  const finish = async (req: Request, res: Response, user: unknown, returnTo: string) => {
    const identity = user as SsoIdentity;
    try {
      const session = await services.ssoLogin.login(identity, {
        sourceIp: deps.clientAddress(req),
        requestId: String(res.locals.requestId),
      });
      setSessionCookie(res, session.sessionSecret, session.expiresAt, deps.cookies);
      res.redirect(303, returnPathOrRoot(returnTo));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      // The login service audited its own refusal (a locked user, an account that may not be linked).
      if (err.code === "FORBIDDEN") return sendError(res, 403, "FORBIDDEN", "login refused: the account is not active");
      await refuse(req, res, String(err.details.reason ?? err.code), err.message);
    }
  };

  router.get("/login", async (req, res) => {
    res.setHeader("cache-control", "no-store");
    const returnTo = parseReturnTo(req.query.returnTo);
    if (!returnTo.ok)
      return sendError(res, 400, "BAD_USER_INPUT", `returnTo: ${returnTo.message}`, { field: "returnTo" });
    const session: Record<string, unknown> = {};
    const outcome = await authentication.run(name, viewOf(req, session));
    if (outcome.kind === "success") return finish(req, res, outcome.user, returnTo.path);
    if (outcome.kind === "fail") return refuse(req, res, "refused", JSON.stringify(outcome.info ?? null));
    const expires = new Date(Date.now() + STATE_TTL_MS);
    res.cookie(cookie, sealer.seal(purpose, { session, returnTo: returnTo.path } satisfies LoginState, expires), {
      ...cookieOptions,
      expires,
    });
    res.redirect(302, outcome.location);
  });

  const callback = async (req: Request, res: Response) => {
    res.setHeader("cache-control", "no-store");
    res.clearCookie(cookie, cookieOptions);
    const sealed = cookieValue(req.headers.cookie, cookie);
    const state = sealed === null ? null : sealer.open<LoginState>(purpose, sealed);
    if (state === null)
      return refuse(req, res, "no_transaction", "no login in progress in this browser (or it has expired)");
    let outcome;
    try {
      outcome = await authentication.run(name, viewOf(req, state.session));
    } catch (err) {
      return refuse(req, res, "error", err instanceof Error ? err.message : String(err));
    }
    if (outcome.kind === "redirect") return res.redirect(302, outcome.location);
    if (outcome.kind === "fail") return refuse(req, res, "refused", JSON.stringify(outcome.info ?? null));
    await finish(req, res, outcome.user, state.returnTo);
  };
  router.get("/callback", callback);
  router.post("/callback", express.urlencoded({ extended: false, limit: "64kb" }), callback);
  return router;
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}
