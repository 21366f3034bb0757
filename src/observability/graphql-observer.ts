// GraphQL requests over HTTP as metrics and log facts: a bounded operation
// label (the root field the request asks for, or "other"), the outcome, the
// duration; client mistakes go to the debug log without a stack.
import type { ApolloServerPlugin } from "@apollo/server";
import { Kind, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import type { Logger } from "./logger";
import { secondsSince } from "./metric-ports";

/** Error codes that name an outcome; anything else is counted as "error". */
const OUTCOMES = new Set([
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "BAD_USER_INPUT",
  "NOT_FOUND",
  "CONFLICT",
  "ESCALATION_DENIED",
  "MFA_REQUIRED",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  "INTERNAL_SERVER_ERROR",
]);

export interface GraphqlObserver<Context> {
  /** Called once the operation is known, with its label and the client's operation name. */
  onOperation?(context: Context, operation: string, operationName: string | null): void;
  request(operation: string, outcome: string, seconds: number): void;
  logger: Logger;
}

/** The names of the schema's root fields: the only values the operation label takes, besides "other". */
export function rootFieldNames(schema: GraphQLSchema): Set<string> {
  const names = new Set<string>();
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const name of Object.keys(type?.getFields() ?? {})) names.add(name);
  }
  return names;
}

/** The one root field an operation selects (aliases and __typename aside), when it is one of the schema's; else "other". */
export function operationLabel(
  operation: OperationDefinitionNode | null | undefined,
  roots: ReadonlySet<string>,
): string {
  if (!operation) return "other";
  const fields = new Set<string>();
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return "other";
    if (selection.name.value !== "__typename") fields.add(selection.name.value);
  }
  const [only] = fields;
  return fields.size === 1 && only !== undefined && roots.has(only) ? only : "other";
}

export function graphqlObserver<Context>(
  schema: GraphQLSchema,
  observer: GraphqlObserver<Context>,
): ApolloServerPlugin<Context & { requestId?: string }> {
  const roots = rootFieldNames(schema);
  // Apollo's hooks return promises; these do their work synchronously.
  return {
    requestDidStart() {
      const started = process.hrtime.bigint();
      let operation = "other";
      return Promise.resolve({
        didResolveOperation({ operation: node, operationName, contextValue }) {
          operation = operationLabel(node, roots);
          observer.onOperation?.(contextValue, operation, operationName ?? null);
          return Promise.resolve();
        },
        didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const code = error.extensions?.code;
            // Requests the client got wrong: at most debug, and no stack. Internal errors are logged elsewhere, with theirs.
            if (
              code === "GRAPHQL_PARSE_FAILED" ||
              code === "GRAPHQL_VALIDATION_FAILED" ||
              code === "BAD_USER_INPUT" ||
              code === "BAD_REQUEST"
            ) {
              observer.logger.debug("client error", {
                requestId: contextValue?.requestId,
                code,
                message: error.message,
              });
            }
          }
          return Promise.resolve();
        },
        willSendResponse({ response }) {
          const errors = response.body.kind === "single" ? response.body.singleResult.errors : undefined;
          const code = errors?.[0]?.extensions?.code;
          const outcome =
            !errors || errors.length === 0 ? "ok" : typeof code === "string" && OUTCOMES.has(code) ? code : "error";
          observer.request(operation, outcome, secondsSince(started));
          return Promise.resolve();
        },
      });
    },
  };
}
