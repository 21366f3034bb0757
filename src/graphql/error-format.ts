// Maps errors to the wire once (PRODUCT.md §11). DomainError codes become
// extensions.code; graphql-js validation errors pass through; anything else is
// masked, with the request id so an operator can find it in the logs.
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { DomainError, type ErrorCode } from "../domain/errors";

const CODES: Record<ErrorCode, ErrorCode> = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  BAD_USER_INPUT: "BAD_USER_INPUT",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  ESCALATION_DENIED: "ESCALATION_DENIED",
  MFA_REQUIRED: "MFA_REQUIRED",
};

function domainErrorOf(error: unknown): DomainError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof DomainError) return current;
    current = (current as { originalError?: unknown }).originalError;
  }
  return null;
}

/** Codes graphql-js and Apollo give to errors about the request itself; safe to show. */
const REQUEST_ERROR_CODES = new Set([
  "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND", "PERSISTED_QUERY_NOT_SUPPORTED", "OPERATION_RESOLUTION_FAILURE",
]);

export function formatError(formatted: GraphQLFormattedError, error: unknown, requestId: string): { error: GraphQLFormattedError; internal: boolean } {
  const domain = domainErrorOf(error);
  if (domain) {
    const { field, reason, capability } = domain.details;
    const extensions: Record<string, unknown> = { code: CODES[domain.code] };
    if (field !== undefined) extensions.field = field;
    if (reason !== undefined) extensions.reason = reason;
    if (capability !== undefined) extensions.capability = capability;
    if (domain.details.issues) extensions.issues = domain.details.issues;
    return { error: { message: domain.message, locations: formatted.locations, path: formatted.path, extensions }, internal: false };
  }
  const code = formatted.extensions?.code;
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  if (typeof code === "string" && REQUEST_ERROR_CODES.has(code) && (original === undefined || original instanceof GraphQLError)) {
    return { error: { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } }, internal: false };
  }
  return {
    error: { message: `internal error (request id ${requestId})`, path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR", requestId } },
    internal: true,
  };
}
