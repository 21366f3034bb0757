import type { Decision, Permission } from "../engine/types";
import type { CheckResultType, PermissionType } from "./types/decision.type";
import type { DecisionReason, Effect } from "./types/enums";

// These run for every check of canMany and every entry of effectivePermissions:
// plain objects with the engine's own parts (its RuleRef and label selectors
// have the GraphQL shape already), read by graphql-js's default resolver
// (the types are simpleResolvers), rather than class instances filled in.

export function toCheckResult(d: Decision): CheckResultType {
  return {
    allowed: d.allowed,
    reason: d.reason as DecisionReason,
    decidedBy: d.decidedBy,
    // Worded only when the query selects it (gateways ask for `allowed`).
    get explanation() {
      return d.explanation;
    },
  };
}

export function toPermissionType(p: Permission): PermissionType {
  return {
    effect: p.effect as Effect,
    resourceType: p.resourceType,
    namespace: p.namespace,
    name: p.name,
    labels: p.labels,
    capabilities: p.capabilities,
    requireMfa: p.requireMfa,
    sourceCidrs: p.sourceCidrs,
    via: p.via,
    scope: p.scope,
    expiresAt: p.expiresAt,
  };
}
