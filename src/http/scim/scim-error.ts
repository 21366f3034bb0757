// SCIM's error format (RFC 7644 §3.12): every failure of /scim/v2 answers with
// this body and the SCIM media type, never HTML or a stack trace. Domain errors
// are mapped here once; anything else is masked with the request id.
import type { Response } from "express";
import { DomainError } from "../../domain/errors";

export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
export const SCIM_MEDIA_TYPE = "application/scim+json";

/** RFC 7644 §3.12, table 9. */
export type ScimType =
  | "invalidFilter"
  | "tooMany"
  | "uniqueness"
  | "mutability"
  | "invalidSyntax"
  | "invalidPath"
  | "noTarget"
  | "invalidValue"
  | "invalidVers"
  | "sensitive";

export class ScimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly scimType?: ScimType,
  ) {
    super(message);
    this.name = "ScimError";
  }
}

export const invalidValue = (message: string) => new ScimError(400, message, "invalidValue");
export const invalidSyntax = (message: string) => new ScimError(400, message, "invalidSyntax");
export const invalidPath = (message: string) => new ScimError(400, message, "invalidPath");
export const mutability = (message: string) => new ScimError(400, message, "mutability");

/** The SCIM error for a domain error, by code (uniqueness for a taken userName or externalId). */
export function fromDomainError(err: DomainError): ScimError {
  switch (err.code) {
    case "BAD_USER_INPUT":
      return invalidValue(err.message);
    case "CONFLICT":
      return err.details.field === "userName" ||
        err.details.field === "externalId" ||
        err.details.field === "input.email"
        ? new ScimError(409, err.message, "uniqueness")
        : new ScimError(409, err.message);
    case "NOT_FOUND":
      return err.details.field?.startsWith("Operations")
        ? new ScimError(400, err.message, "noTarget")
        : new ScimError(404, err.message);
    case "UNAUTHENTICATED":
      return new ScimError(401, err.message);
    case "FORBIDDEN":
    case "ESCALATION_DENIED":
    case "MFA_REQUIRED":
      return new ScimError(403, err.message);
  }
}

export function sendScim(res: Response, status: number, body: unknown): void {
  res.status(status).type(SCIM_MEDIA_TYPE).send(JSON.stringify(body));
}

export function sendScimError(res: Response, error: ScimError): void {
  sendScim(res, error.status, {
    schemas: [ERROR_SCHEMA],
    status: String(error.status),
    ...(error.scimType ? { scimType: error.scimType } : {}),
    detail: error.message,
  });
}

/** The SCIM error for a ScimError or DomainError; null for anything else, which the caller masks and logs. */
export function toScimError(err: unknown): ScimError | null {
  if (err instanceof ScimError) return err;
  if (err instanceof DomainError) return fromDomainError(err);
  return null;
}
