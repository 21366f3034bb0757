// Maps errors to the wire once (docs/errors.md). DomainError codes become
// extensions.code; graphql-js validation errors pass through; anything else is
// masked, with the request id so an operator can find it in the logs.
import type { ApolloServerPlugin } from "@apollo/server";
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

export const INTERNAL_ERROR = "INTERNAL_SERVER_ERROR";

/** Maps one error for the wire. Anything unexpected becomes an INTERNAL_SERVER_ERROR with no detail. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const domain = domainErrorOf(error);
  if (domain) {
    const { field, reason, capability } = domain.details;
    const extensions: Record<string, unknown> = { code: CODES[domain.code] };
    if (field !== undefined) extensions.field = field;
    if (reason !== undefined) extensions.reason = reason;
    if (capability !== undefined) extensions.capability = capability;
    if (domain.details.issues) extensions.issues = domain.details.issues;
    return { message: domain.message, locations: formatted.locations, path: formatted.path, extensions };
  }
  const code = formatted.extensions?.code;
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  if (typeof code === "string" && REQUEST_ERROR_CODES.has(code) && (original === undefined || original instanceof GraphQLError)) {
    return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
  }
  return { message: "internal error", path: formatted.path, extensions: { code: INTERNAL_ERROR } };
}

function isExpected(error: unknown): boolean {
  if (domainErrorOf(error)) return true;
  const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
  return typeof code === "string" && REQUEST_ERROR_CODES.has(code) && (error as GraphQLError).originalError === undefined;
}

/**
 * Internal errors go out as "internal error (request id …)" and into the log
 * with their stack under the same id, so an operator can find one from the other.
 */
export function requestIdInErrors(logger: { error(message: string, fields?: Record<string, unknown>): void }): ApolloServerPlugin<{ requestId: string }> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (isExpected(error)) continue;
            const cause = error.originalError ?? error;
            logger.error("internal error", { requestId: contextValue?.requestId, error: cause instanceof Error ? (cause.stack ?? cause.message) : String(cause) });
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== "single") return;
          const requestId = contextValue?.requestId ?? "unknown";
          for (const error of response.body.singleResult.errors ?? []) {
            if (error.extensions?.code !== INTERNAL_ERROR) continue;
            (error as { message: string }).message = `internal error (request id ${requestId})`;
            (error.extensions as Record<string, unknown>).requestId = requestId;
          }
        },
      };
    },
  };
}
