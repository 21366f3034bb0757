// Limits on what one HTTP request may ask for as a whole, whatever its aliases
// and fragments: checked once the operation is known and its variables are
// given, before any field runs (so a refused request audits nothing).
//
// - `can` and `canMany` together decide at most MAX_CHECKS_PER_REQUEST checks
//   (each `can` counts one, each `canMany` the length of its `checks` list).
// - `verifyAuditChain` runs at most once.
// - Subscriptions are served over WebSocket only.
//
// Each refusal is a 400 with a GraphQL error naming the rule.
import type { ApolloServerPlugin } from "@apollo/server";
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

/** The most checks `can` and `canMany` decide in one request, summed over every alias. */
export const MAX_CHECKS_PER_REQUEST = 1000;

function refuse(message: string, code: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...(field ? { field } : {}), http: { status: 400 } } });
}

/** The root fields an operation's selection set selects, through fragments and inline fragments. */
function rootFields(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  seen = new Set<string>(),
) {
  const out: Array<{ name: string; args: Map<string, ValueNode> }> = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      out.push({
        name: selection.name.value,
        args: new Map((selection.arguments ?? []).map((a) => [a.name.value, a.value])),
      });
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      out.push(...rootFields(selection.selectionSet, fragments, seen));
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      // A fragment spread twice selects the same fields twice: both count.
      if (fragment && !seen.has(name))
        out.push(...rootFields(fragment.selectionSet, fragments, new Set([...seen, name])));
    }
  }
  return out;
}

/** How many items a list argument holds once coerced (a single value is a list of one; null or absent none). */
function listLength(value: ValueNode | undefined, variables: Record<string, unknown>): number {
  if (value === undefined || value.kind === Kind.NULL) return 0;
  if (value.kind === Kind.LIST) return value.values.length;
  if (value.kind === Kind.VARIABLE) {
    const given = variables[value.name.value];
    return Array.isArray(given) ? given.length : given == null ? 0 : 1;
  }
  return 1;
}

/** Throws the refusal for `document`'s operation, if any. */
export function checkOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): void {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operations.find((o) => (operationName ? o.name?.value === operationName : true));
  if (!operation) return;
  if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
    throw refuse("subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP", "BAD_REQUEST");
  }
  if (operation.operation !== OperationTypeNode.QUERY) return;
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  let checks = 0;
  let verifications = 0;
  for (const field of rootFields(operation.selectionSet, fragments)) {
    if (field.name === "can") checks += 1;
    else if (field.name === "canMany") checks += listLength(field.args.get("checks"), variables);
    else if (field.name === "verifyAuditChain") verifications++;
  }
  if (checks > MAX_CHECKS_PER_REQUEST) {
    throw refuse(
      `${checks} checks in one request (can and canMany, every alias counted); at most ${MAX_CHECKS_PER_REQUEST}`,
      "BAD_USER_INPUT",
      "checks",
    );
  }
  if (verifications > 1)
    throw refuse(
      `verifyAuditChain ${verifications} times in one request; at most once`,
      "BAD_USER_INPUT",
      "verifyAuditChain",
    );
}

export function operationLimits(): ApolloServerPlugin {
  return {
    // Apollo's hooks return promises; the check is synchronous, and a refusal
    // thrown here rejects the operation.
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ document, request }) {
          checkOperation(document, request.operationName, request.variables ?? {});
          return Promise.resolve();
        },
      });
    },
  };
}
