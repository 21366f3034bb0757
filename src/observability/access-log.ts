// One access line per HTTP request and the request id every layer
// uses: the `x-request-id` response header, the audit events' requestId and the
// access line all carry the same id.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";
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

/**
 * One line per request, written when the response ends: written here rather
 * than with pino-http, which builds a child logger and a serializer pass for
 * every request; at thousands of requests a second that was a measurable part
 * of each `can` (bench/README.md). The line's fields are the same.
 */
export function accessLog(logger: RootLogger): RequestHandler {
  const log = logger.access;
  return (req, res, next) => {
    const started = Date.now();
    const requestId = requestIdOf(req);
    const facts = accessFacts(res);
    facts.requestId = requestId;
    const traceId = currentTraceId();
    if (traceId !== null) facts.traceId = traceId;
    res.setHeader("x-request-id", requestId);
    res.once("close", () => {
      // A response that was cut off before it finished is the server's failure to answer.
      const failed = res.statusCode >= 500 || !res.writableFinished;
      const level = failed ? "error" : "info";
      if (!log.isLevelEnabled(level)) return;
      const { actorId, operation, operationName, traceId: trace } = accessFacts(res);
      const line: Record<string, unknown> = {
        requestId,
        req: { method: req.method, path: req.originalUrl.split("?")[0] },
        res: { status: res.statusCode },
        durationMs: Date.now() - started,
        actorId: actorId ?? null,
      };
      if (operation) line.operation = operation;
      if (operationName) line.operationName = operationName;
      if (trace) line.traceId = trace;
      log[level](line, failed ? (res.writableFinished ? "request failed" : "request aborted") : "request");
    });
    next();
  };
}
