// One access line per HTTP request (pino-http) and the request id every layer
// uses: the `x-request-id` response header, the audit events' requestId and the
// access line all carry the same id.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";
import { pinoHttp } from "pino-http";
import type { RootLogger } from "./logger";
import { currentTraceId } from "./tracing";

/** An inbound X-Request-Id is kept when it looks like an id, not like free text. */
export const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What the handlers learn about a request and the access line reports (kept on res.locals). */
export interface AccessFacts {
  requestId: string;
  actorId?: string;
  /** The bounded GraphQL operation label (a root field name, or "other"). */
  operation?: string;
  /** The operation name the client gave, as given (truncated). */
  operationName?: string;
  traceId?: string;
}

type Locals = { locals?: Partial<AccessFacts> };

/** The facts of a response, for handlers to add to. */
export function accessFacts(res: ServerResponse): Partial<AccessFacts> {
  const withLocals = res as ServerResponse & Locals;
  return (withLocals.locals ??= {});
}

export function requestIdOf(req: IncomingMessage): string {
  const inbound = req.headers["x-request-id"];
  return typeof inbound === "string" && REQUEST_ID.test(inbound) ? inbound : randomUUID();
}

export function accessLog(logger: RootLogger): RequestHandler {
  return pinoHttp({
    logger: logger.pino,
    quietReqLogger: true,
    genReqId: (req, res) => {
      const requestId = requestIdOf(req);
      const facts = accessFacts(res);
      facts.requestId = requestId;
      const traceId = currentTraceId();
      if (traceId !== null) facts.traceId = traceId;
      res.setHeader("x-request-id", requestId);
      return requestId;
    },
    customAttributeKeys: { reqId: "requestId", responseTime: "durationMs" },
    // Client mistakes (4xx) are not the server's errors.
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? "error" : "info"),
    customSuccessMessage: () => "request",
    customErrorMessage: () => "request failed",
    // Called when the request starts (nothing to add yet) and when it ends.
    customProps: (_req, res) => {
      if (!res.headersSent) return {};
      const { actorId, operation, operationName, traceId } = accessFacts(res);
      return {
        actorId: actorId ?? null,
        ...(operation ? { operation } : {}),
        ...(operationName ? { operationName } : {}),
        ...(traceId ? { traceId } : {}),
      };
    },
    serializers: {
      // The path only: query strings can carry codes and state (OIDC callbacks); headers are not logged.
      req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split("?")[0] }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      err: (err: Error) => ({ type: err.name, message: err.message }),
    },
  });
}
