// How a rate-limit refusal looks: HTTP 429 with Retry-After, in the GraphQL
// error shape with code RATE_LIMITED (SCIM's error format on /scim/v2), and the
// /auth/* per-address limit as express middleware.
import type { RequestHandler, Response } from "express";
import type { AuthRateLimiter, RateLimitRefusal } from "../auth/auth-rate-limiter";
import type { Services } from "../app-services";
import type { ClientAddress } from "./client-address";
import { sendError } from "./error-response";
import { auditAuthenticationFailure } from "./authentication-audit";

export function rateLimitMessage(refusal: RateLimitRefusal): string {
  const what =
    refusal.limit === "auth-requests-per-address"
      ? "requests to /auth from this address"
      : refusal.limit === "failures-per-credential"
        ? "failed authentications with this credential"
        : "failed authentications from this address";
  return `too many ${what} (at most ${refusal.points} per ${refusal.windowSeconds} s): retry after ${refusal.retryAfterSeconds} s`;
}

/** A JSON 429 in the server's error shape. */
export function sendRateLimited(res: Response, refusal: RateLimitRefusal): void {
  res.setHeader("retry-after", String(refusal.retryAfterSeconds));
  res.setHeader("cache-control", "no-store");
  sendError(res, 429, "RATE_LIMITED", rateLimitMessage(refusal), { retryAfterSeconds: refusal.retryAfterSeconds });
}

/** Counts every request to /auth/* per source address; over the limit: 429, audited once per window. */
export function authRouteLimit(
  limiter: AuthRateLimiter,
  clientAddress: ClientAddress,
  services: Services,
): RequestHandler {
  return async (req, res, next) => {
    try {
      const sourceIp = clientAddress(req);
      const refusal = await limiter.authRequest(sourceIp);
      if (refusal === null) return next();
      if (refusal.first) {
        const { limit, points, windowSeconds, retryAfterSeconds } = refusal;
        // Before any strategy runs: the event names the path instead.
        await auditAuthenticationFailure(
          services,
          {
            strategy: null,
            failure: "rate_limited",
            details: { path: req.baseUrl + req.path, rateLimit: { limit, points, windowSeconds, retryAfterSeconds } },
          },
          sourceIp,
          String(res.locals.requestId),
        );
      }
      sendRateLimited(res, refusal);
    } catch (err) {
      next(err);
    }
  };
}
