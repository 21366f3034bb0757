// POST /auth/ldap/login: a username and password (form or JSON) checked by the
// `ldap` passport strategy. Answers like the SAML ACS: the session cookie and
// 303 to `returnTo`, or, for a caller that asks for JSON (Accept:
// application/json, as `portcullis login --ldap` does), 200 with the `pts_`
// secret once. A wrong password and an unknown user get the same answer; the
// audit event (operation `authenticate`, DENY, strategy `ldap`) tells them apart.
import express, { Router, type Request, type Response } from "express";
import type { LdapFailure, LdapLoginView } from "../auth/ldap/ldap-strategy";
import type { AuthenticationLayer } from "../auth/passport/authentication-layer";
import { DomainError } from "../domain/errors";
import type { SsoIdentity } from "../domain/sso/sso-login";
import type { Services } from "../app-services";
import { auditAuthenticationFailure } from "./authentication-audit";
import type { ClientAddress } from "./client-address";
import { sendError } from "./error-response";
import type { Logger } from "./logger";
import { sendRateLimited } from "./rate-limit-response";
import { parseReturnTo, returnPathOrRoot } from "./return-to";
import { fromOwnOrigin } from "./same-origin";
import { setSessionCookie, type SessionCookieOptions } from "./session-cookie";

export interface LdapRouteDeps {
  services: Services;
  authentication: AuthenticationLayer;
  provider: string;
  clientAddress: ClientAddress;
  cookies: SessionCookieOptions;
  logger: Logger;
}

export function ldapRoutes(deps: LdapRouteDeps): Router {
  const { services, authentication, logger } = deps;
  const router = Router();

  const run = async (view: LdapLoginView): Promise<SsoIdentity | LdapFailure> => {
    const outcome = await authentication.run("ldap", view);
    if (outcome.kind === "redirect") throw new Error("the LDAP strategy does not redirect");
    return (outcome.kind === "success" ? outcome.user : outcome.info) as SsoIdentity | LdapFailure;
  };

  router.post(
    "/login",
    express.urlencoded({ extended: false, limit: "16kb" }),
    express.json({ limit: "16kb" }),
    async (req: Request, res: Response) => {
      const requestId = String(res.locals.requestId);
      const sourceIp = deps.clientAddress(req);
      res.setHeader("cache-control", "no-store");
      if (!fromOwnOrigin(req)) {
        // Another site's page posting a form here would sign the browser in as the attacker (login CSRF).
        logger.info("LDAP login refused: cross-origin request", { requestId, origin: req.headers.origin });
        return sendError(
          res,
          403,
          "FORBIDDEN",
          `login refused: POST /auth/ldap/login from another origin (${String(req.headers.origin)}); sign in from this server's own pages`,
        );
      }
      const body = (req.body ?? {}) as Record<string, unknown>;
      const wantsJson = req.accepts(["html", "json"]) === "json";
      const returnTo = parseReturnTo(body.returnTo);
      if (!returnTo.ok)
        return sendError(res, 400, "BAD_USER_INPUT", `returnTo: ${returnTo.message}`, { field: "returnTo" });
      const outcome = await run({ body: { username: body.username, password: body.password }, sourceIp });
      const refuse = async (failure: LdapFailure) => {
        // A username or address already over its limit was audited when it went over.
        if (failure.failure !== "rate_limited" || failure.rateLimit?.first) {
          await auditAuthenticationFailure(
            services,
            {
              strategy: "ldap",
              failure: failure.failure,
              details: {
                provider: deps.provider,
                reason: failure.detail,
                ...(failure.username !== undefined ? { username: failure.username } : {}),
                ...(failure.rateLimit ? { rateLimit: failure.rateLimit } : {}),
              },
            },
            sourceIp,
            requestId,
          );
        }
        logger.info("LDAP login refused", { requestId, failure: failure.failure, reason: failure.detail });
        switch (failure.failure) {
          case "bad_input":
            return sendError(res, 400, "BAD_USER_INPUT", failure.detail, { field: failure.field });
          case "rate_limited":
            return sendRateLimited(res, failure.rateLimit!);
          case "user_locked":
            return sendError(res, 403, "FORBIDDEN", "login refused: the account is not active");
          case "directory_unavailable":
            return sendError(res, 503, "SERVICE_UNAVAILABLE", "the LDAP directory cannot be reached; try again later");
          default:
            return sendError(res, 401, "UNAUTHENTICATED", "LDAP authentication failed: wrong username or password");
        }
      };
      if ("failure" in outcome) return refuse(outcome);
      let session;
      try {
        session = await services.ssoLogin.login(outcome, { sourceIp, requestId });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        // The login service audited its own refusal (a locked user, an account that may not be linked).
        if (err.code === "FORBIDDEN")
          return sendError(res, 403, "FORBIDDEN", "login refused: the account is not active");
        const failure = err.code === "BAD_USER_INPUT" ? "claims_invalid" : (err.details.reason ?? "LINK_REFUSED");
        return refuse({
          failure: failure as LdapFailure["failure"],
          detail: err.message,
          username: outcome.externalId,
        });
      }
      if (wantsJson) {
        return res.status(200).json({
          sessionSecret: session.sessionSecret,
          expiresAt: session.expiresAt.toISOString(),
          userId: session.userId,
          mfa: session.mfa,
        });
      }
      setSessionCookie(res, session.sessionSecret, session.expiresAt, deps.cookies);
      res.redirect(303, returnPathOrRoot(body.returnTo));
    },
  );

  return router;
}
