// What every SCIM handler works with: the authenticated caller, the request id,
// the base URL of the resources, and the guard that decides and audits.
import type { Request } from "express";
import { auditedSystemCheck } from "../../domain/decisions/audited-system-check";
import { refusalCode } from "../../domain/decisions/refusal-code";
import type { Principal } from "../../domain/principal";
import type { DirectoryRequest } from "../../domain/users/directory-service";
import type { Services } from "../../app-services";
import { MAX_RESULTS } from "./scim-discovery";
import { invalidValue, ScimError } from "./scim-error";

export interface ScimContext {
  services: Services;
  principal: Principal;
  requestId: string;
  /** `http://host/scim/v2`, for `location` and `$ref`. */
  base: string;
}

/**
 * Decides `capability` on the `system` resource `name` for the caller and audits
 * the decision as `operation` (`SCIM.Users.create`), before anything else
 * happens; a refusal is 403 in SCIM's error format.
 */
export async function guard(ctx: ScimContext, operation: string, capability: string, name: string): Promise<void> {
  const decision = await auditedSystemCheck(ctx.services, ctx.principal, {
    operation,
    capability,
    name,
    requestId: ctx.requestId,
  });
  // The name stays out of the message: it would tell a caller who may not read users whose email an id is.
  if (!decision.allowed) {
    const mfa =
      refusalCode(decision.reason) === "MFA_REQUIRED" ? " with MFA: step up and retry" : ` (${decision.reason})`;
    throw new ScimError(403, `${operation} needs ${capability}${mfa}`);
  }
}

export function directoryRequest(ctx: ScimContext, operation: string): DirectoryRequest {
  return { actor: ctx.principal, operation, requestId: ctx.requestId };
}

export interface Page {
  /** 1-based (RFC 7644 §3.4.2.4). */
  startIndex: number;
  count: number;
}

/** `startIndex` and `count` from the query: below 1 counts as 1, a negative count as 0, more than MAX_RESULTS as MAX_RESULTS. */
export function page(req: Request): Page {
  const number = (name: string, fallback: number): number => {
    const raw = req.query[name];
    if (raw === undefined) return fallback;
    if (typeof raw !== "string" || !/^-?\d{1,9}$/.test(raw))
      throw invalidValue(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
    return Number(raw);
  };
  return {
    startIndex: Math.max(1, number("startIndex", 1)),
    count: Math.min(MAX_RESULTS, Math.max(0, number("count", MAX_RESULTS))),
  };
}

/** The `filter` query parameter, if given once. */
export function filterParam(req: Request): string | undefined {
  const raw = req.query.filter;
  if (raw === undefined) return undefined;
  if (typeof raw !== "string") throw new ScimError(400, "filter must be given once, as a string", "invalidFilter");
  return raw;
}
