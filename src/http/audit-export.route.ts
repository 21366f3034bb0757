// GET /audit/export: the audit trail as NDJSON, oldest first (docs/audit.md).
// Authenticated like /graphql, guarded by audit:read through the engine (the
// decision audited as operation `GET /audit/export`), filtered by the query
// parameters of AuditFilter plus `days`. The session cookie is accepted when no
// Authorization header is sent. Streams in batches, honours
// back-pressure and stops when the client goes away.
import { once } from "node:events";
import type { Request, RequestHandler, Response } from "express";
import { unauthenticatedMessage } from "../auth/authentication-messages";
import type { AuthenticationLayer } from "../auth/passport/authentication-layer";
import type { AuditEventRecord } from "../domain/audit/audit-event";
import { AUDIT_EVENT_FIELDS } from "../domain/audit/audit-hash";
import type { AuditFilter } from "../domain/audit/audit-filter";
import { auditedSystemCheck } from "../domain/decisions/audited-system-check";
import { refusalCode } from "../domain/decisions/refusal-code";
import { DomainError } from "../domain/errors";
import type { Services } from "../app-services";
import { auditAuthentication } from "./authentication-audit";
import { sendRateLimited } from "./rate-limit-response";
import type { ClientAddress } from "./client-address";
import type { Logger } from "./logger";
import { credentialHeaders } from "./session-cookie";
import { sendError } from "./error-response";

export const EXPORT_OPERATION = "GET /audit/export";
const CAPABILITY = "audit:read";
const TEXT_PARAMS = ["actorId", "actorEmail", "role", "operation", "resourceType", "resourceName"] as const;
const KNOWN_PARAMS = new Set<string>([...TEXT_PARAMS, "decision", "since", "until", "days"]);
const DAY_MS = 86_400_000;

export interface AuditExportOptions {
  services: Services;
  authentication: AuthenticationLayer;
  /** The caller's address, trusted proxies taken into account. */
  clientAddress: ClientAddress;
  logger: Logger;
}

function invalid(field: string, message: string): DomainError {
  return new DomainError("BAD_USER_INPUT", `${field}: ${message}`, { field });
}

function parseDate(field: string, value: string): Date {
  // ISO-8601 with a date and a time zone, as the DateTime scalar takes it.
  const date = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime()))
    throw invalid(field, "expected an ISO-8601 date-time with a time zone, e.g. 2026-01-31T00:00:00Z");
  return date;
}

/** The filter from the query string; every parameter at most once, unknown ones refused (a typo must not widen an export). */
export function exportFilter(params: URLSearchParams, now: Date): AuditFilter {
  const filter: AuditFilter = {};
  for (const key of new Set(params.keys())) {
    if (!KNOWN_PARAMS.has(key)) throw invalid(key, "unknown parameter");
    if (params.getAll(key).length > 1) throw invalid(key, "given more than once");
  }
  for (const key of TEXT_PARAMS) {
    const value = params.get(key);
    if (value !== null) filter[key] = value;
  }
  const decision = params.get("decision");
  if (decision !== null) {
    if (decision !== "ALLOW" && decision !== "DENY") throw invalid("decision", "expected ALLOW or DENY");
    filter.decision = decision;
  }
  const since = params.get("since");
  const until = params.get("until");
  const days = params.get("days");
  if (since !== null) filter.since = parseDate("since", since);
  if (until !== null) filter.until = parseDate("until", until);
  if (days !== null) {
    if (since !== null) throw invalid("days", "give either days or since, not both");
    if (!/^[1-9][0-9]{0,5}$/.test(days)) throw invalid("days", "expected a positive whole number of days");
    filter.since = new Date(now.getTime() - Number(days) * DAY_MS);
  }
  return filter;
}

const EXPORT_FIELDS = [...AUDIT_EVENT_FIELDS, "prevHash", "hash"] as const;

/** One NDJSON line: the contract's AuditEvent fields in contract order, time in ISO-8601 UTC with milliseconds. */
export function exportLine(e: AuditEventRecord): string {
  const line: Record<string, unknown> = {};
  for (const field of EXPORT_FIELDS) line[field] = field === "time" ? e.time.toISOString() : e[field];
  return JSON.stringify(line) + "\n";
}

export function auditExport(options: AuditExportOptions): RequestHandler {
  const { services, authentication, logger } = options;
  return async (req: Request, res: Response) => {
    const requestId = String(res.locals.requestId);
    const sourceIp = options.clientAddress(req);
    const auth = await authentication.authenticate(credentialHeaders(req), sourceIp, ["bearer", "session-cookie"]);
    await auditAuthentication(services, auth, sourceIp, requestId);
    if (!auth.ok && auth.rateLimit !== undefined) return sendRateLimited(res, auth.rateLimit);
    if (!auth.ok) {
      res.setHeader("www-authenticate", "Bearer");
      return sendError(res, 401, "UNAUTHENTICATED", unauthenticatedMessage(auth.failure));
    }
    const decision = await auditedSystemCheck(services, auth.principal, {
      operation: EXPORT_OPERATION,
      capability: CAPABILITY,
      name: "",
      requestId,
    });
    if (!decision.allowed) {
      const code = refusalCode(decision.reason);
      return sendError(res, 403, code, `${EXPORT_OPERATION} needs ${CAPABILITY} (${decision.reason})`, {
        reason: decision.reason,
        capability: CAPABILITY,
      });
    }
    let filter: AuditFilter;
    try {
      filter = exportFilter(new URL(req.originalUrl, "http://localhost").searchParams, new Date());
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return sendError(res, 400, err.code, err.message, { field: err.details.field });
    }
    await stream(res, services.auditTrail.exportBatches(filter), requestId, logger);
  };
}

async function stream(
  res: Response,
  batches: AsyncGenerator<AuditEventRecord[]>,
  requestId: string,
  logger: Logger,
): Promise<void> {
  let gone = false;
  res.once("close", () => {
    gone = true;
  });
  res.status(200);
  res.setHeader("content-type", "application/x-ndjson; charset=utf-8");
  res.setHeader("cache-control", "no-store");
  try {
    for await (const batch of batches) {
      if (gone) break;
      if (!res.write(batch.map(exportLine).join("")) && !gone) {
        // Wait for the client to take what is buffered (or to go away) before reading more.
        await Promise.race([once(res, "drain"), once(res, "close")]);
      }
    }
    if (!gone) res.end();
  } catch (err) {
    // The status line is gone already: cut the stream short so the client sees an incomplete export.
    logger.error("audit export failed", { requestId, error: err instanceof Error ? err.message : String(err) });
    res.destroy();
  } finally {
    await batches.return(undefined);
  }
}
