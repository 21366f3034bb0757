// POST /auth/logout: ends the caller's session (from the cookie or a `pts_`
// bearer), clears the cookie, 204. Without a valid session: 401 JSON, and the
// cookie is cleared all the same (it is stale or forged). A token is not a
// session: tokens end through revokeToken.
import type { Request, RequestHandler, Response } from "express";
import type { AuthenticationLayer } from "../auth/passport/authentication-layer";
import type { Services } from "../app-services";
import { auditAuthentication } from "./authentication-audit";
import { sendRateLimited } from "./rate-limit-response";
import type { ClientAddress } from "./client-address";
import { clearSessionCookie, credentialHeaders, type SessionCookieOptions } from "./session-cookie";
import { sendError } from "./error-response";

export interface LogoutOptions {
  services: Services;
  authentication: AuthenticationLayer;
  clientAddress: ClientAddress;
  cookies: SessionCookieOptions;
}

export function logoutRoute(options: LogoutOptions): RequestHandler {
  const { services, authentication } = options;
  return async (req: Request, res: Response) => {
    const requestId = String(res.locals.requestId);
    const sourceIp = options.clientAddress(req);
    const auth = await authentication.authenticate(credentialHeaders(req), sourceIp, ["bearer", "session-cookie"]);
    await auditAuthentication(services, auth, sourceIp, requestId);
    clearSessionCookie(res, options.cookies);
    if (!auth.ok && auth.rateLimit !== undefined) return sendRateLimited(res, auth.rateLimit);
    if (!auth.ok || auth.principal.credential.kind !== "session") {
      const message = auth.ok
        ? "logout ends a session; this credential is a token (revoke it with revokeToken)"
        : "no valid session: log in first";
      return sendError(res, 401, "UNAUTHENTICATED", message);
    }
    await services.sessions.logout(auth.principal, requestId);
    res.status(204).end();
  };
}
