// /auth/saml: SP-initiated login, the assertion consumer service, SP metadata.
// Mounted only when SAML is configured. A refused response answers 401 JSON
// with a message that names no detail, and is audited (operation
// `authenticate`, DENY) with the reason; no user and no session are created.
import express, { Router } from "express";
import type { SamlServiceProvider } from "../auth/saml/saml-service-provider";
import { DomainError } from "../domain/errors";
import type { Services } from "../app-services";
import type { ClientAddress } from "./client-address";
import type { Logger } from "./logger";
import { parseReturnTo, returnPathOrRoot } from "./return-to";
import { setSessionCookie, type SessionCookieOptions } from "./session-cookie";
import { sendError } from "./error-response";

export interface SamlRouteOptions {
  sp: SamlServiceProvider;
}

export interface SamlRouteDeps extends SamlRouteOptions {
  services: Services;
  /** Secure unless NODE_ENV=development, where plain HTTP is allowed. */
  cookies: SessionCookieOptions;
  clientAddress: ClientAddress;
  logger: Logger;
}

export function samlRoutes(deps: SamlRouteDeps): Router {
  const { sp, services, logger } = deps;
  const router = Router();

  router.get("/login", async (req, res) => {
    const raw = req.query.returnTo;
    const returnTo = parseReturnTo(raw);
    if (!returnTo.ok)
      return sendError(res, 400, "BAD_USER_INPUT", `returnTo: ${returnTo.message}`, { field: "returnTo" });
    res.setHeader("cache-control", "no-store");
    res.redirect(302, await sp.loginUrl(raw === undefined || raw === "" ? null : returnTo.path));
  });

  router.get("/metadata", (_req, res) => {
    res.type("application/samlmetadata+xml").send(sp.metadata());
  });

  router.post("/acs", express.urlencoded({ extended: false, limit: "1mb" }), async (req, res) => {
    const requestId = String(res.locals.requestId);
    const sourceIp = deps.clientAddress(req);
    const samlResponse = (req.body as Record<string, unknown> | undefined)?.SAMLResponse;
    try {
      if (typeof samlResponse !== "string" || samlResponse === "") {
        throw new DomainError("UNAUTHENTICATED", "SAML response refused: no SAMLResponse in the form", {
          reason: "SAML_RESPONSE_REFUSED",
        });
      }
      const identity = await sp.identify(samlResponse);
      const session = await services.ssoLogin.login(identity, { sourceIp, requestId });
      setSessionCookie(res, session.sessionSecret, session.expiresAt, deps.cookies);
      res.setHeader("cache-control", "no-store");
      res.redirect(303, returnPathOrRoot((req.body as Record<string, unknown>).RelayState));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      // The login service audits its own refusals (a locked or deprovisioned user).
      if (err.code === "FORBIDDEN") return sendError(res, 403, "FORBIDDEN", "login refused: the account is not active");
      // An account that may not be linked by email, or the last superuser's role: the login service audited why.
      const linking =
        err.code === "UNAUTHENTICATED" &&
        (err.details.reason === "LINK_REFUSED" || err.details.reason === "LAST_SUPERUSER");
      await auditRefusal(
        services,
        err.message,
        sp.config.provider,
        sourceIp,
        requestId,
        linking ? err.details.reason! : "SAML_RESPONSE_REFUSED",
      );
      logger.info("SAML login refused", { requestId, reason: err.message });
      sendError(res, 401, "UNAUTHENTICATED", "SAML authentication failed");
    }
  });

  return router;
}

async function auditRefusal(
  services: Services,
  reason: string,
  provider: string,
  sourceIp: string | null,
  requestId: string,
  failure = "SAML_RESPONSE_REFUSED",
): Promise<void> {
  await services.audit.record({
    time: new Date(),
    actorId: null,
    actorEmail: null,
    actorRoles: [],
    tokenId: null,
    sourceIp,
    operation: "authenticate",
    action: null,
    resourceType: null,
    resourceNamespace: null,
    resourceName: null,
    subjectId: null,
    requestId,
    decision: "DENY",
    reason: "UNAUTHENTICATED",
    metadata: { failure, provider, reason },
  });
}
