// Maps errors to the wire once (docs/errors.md). DomainError codes become
// extensions.code; graphql-js validation errors pass through; anything else is
// masked, with the request id so an operator can find it in the logs.
import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, OperationTypeNode, type GraphQLFormattedError } from "graphql";
import { auditEscalationRefusal } from "../domain/audit/escalation-audit";
import { DomainError, type ErrorCode } from "../domain/errors";
import type { RequestContext } from "./context";

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
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_USER_INPUT",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
]);

export const INTERNAL_ERROR = "INTERNAL_SERVER_ERROR";

/**
 * The code of an error about the request itself (parse, validation, variable
 * coercion, the server's own request limits), or null. Apollo 5 wraps such
 * errors with originalError set to what graphql-js (or a scalar) threw, so that
 * alone does not make an error internal; one raised while a field resolved (it
 * has a path) counts only when what it wraps is itself a GraphQLError.
 */
function requestErrorCode(error: unknown, path: unknown): string | null {
  if (!(error instanceof GraphQLError)) return null;
  const code = error.extensions?.code;
  if (typeof code !== "string" || !REQUEST_ERROR_CODES.has(code)) return null;
  const original = error.originalError;
  return path === undefined || original === undefined || original instanceof GraphQLError ? code : null;
}

/**
 * A validation message without graphql-js's "Did you mean …?" hints, which
 * would spell out field and type names to a caller who may not introspect.
 * Production hides them over HTTP (Apollo and graphql-armor) and WebSocket (this).
 */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean .+\?$/s, "").trim();
}

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
  const code = requestErrorCode(error, formatted.path);
  if (code !== null) {
    const field = (error as GraphQLError).extensions?.field;
    return {
      message: formatted.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code, ...(typeof field === "string" ? { field } : {}) },
    };
  }
  return { message: "internal error", path: formatted.path, extensions: { code: INTERNAL_ERROR } };
}

/** The client's fault or a refusal: not logged as an internal error. */
function isExpected(error: unknown): boolean {
  if (domainErrorOf(error)) return true;
  return requestErrorCode(error, error instanceof GraphQLError ? error.path : undefined) !== null;
}

/**
 * Internal errors go out as "internal error (request id …)" and into the log
 * with their stack under the same id, so an operator can find one from the other.
 */
export function requestIdInErrors(logger: {
  error(message: string, fields?: Record<string, unknown>): void;
}): ApolloServerPlugin<{ requestId: string }> {
  // Apollo's hooks return promises; these do their work synchronously.
  return {
    requestDidStart() {
      return Promise.resolve({
        didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (isExpected(error)) continue;
            const cause = error.originalError ?? error;
            logger.error("internal error", {
              requestId: contextValue?.requestId,
              error: cause instanceof Error ? (cause.stack ?? cause.message) : String(cause),
            });
          }
          return Promise.resolve();
        },
        willSendResponse({ response, contextValue }) {
          if (response.body.kind === "single") {
            const requestId = contextValue?.requestId ?? "unknown";
            for (const error of response.body.singleResult.errors ?? []) {
              if (error.extensions?.code !== INTERNAL_ERROR) continue;
              (error as { message: string }).message = `internal error (request id ${requestId})`;
              (error.extensions as Record<string, unknown>).requestId = requestId;
            }
          }
          return Promise.resolve();
        },
      });
    },
  };
}

/**
 * An escalation refusal is a decision, whatever path refused it: those thrown
 * inside a policy write are recorded by the writer; this records, before the
 * response goes out, any other that reached the GraphQL edge (once each).
 */
export function escalationRefusalsAudited(): ApolloServerPlugin<RequestContext> {
  return {
    requestDidStart() {
      return Promise.resolve({
        async didEncounterErrors({ errors, contextValue, operation }) {
          const actor = contextValue?.principal;
          if (!actor) return;
          const root =
            operation?.operation === OperationTypeNode.MUTATION
              ? "Mutation"
              : operation?.operation === OperationTypeNode.SUBSCRIPTION
                ? "Subscription"
                : "Query";
          for (const error of errors) {
            const refusal = domainErrorOf(error);
            if (refusal?.code !== "ESCALATION_DENIED") continue;
            const field = typeof error.path?.[0] === "string" ? error.path[0] : "unknown";
            await auditEscalationRefusal(
              contextValue.services.audit,
              contextValue.services.runtime.engine(),
              { actor, operation: `${root}.${field}`, requestId: contextValue.requestId },
              refusal,
            );
          }
        },
      });
    },
  };
}
