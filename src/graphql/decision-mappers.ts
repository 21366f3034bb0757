import type { Decision, Permission, RuleRef } from "../engine/types";
import { CheckResultType, PermissionType, RuleRefType } from "./types/decision.type";
import { DecisionReason } from "./types/enums";
import { matchFields } from "./rule-view";

function toRuleRef(ref: RuleRef): RuleRefType {
  return Object.assign(new RuleRefType(), {
    policy: ref.policy,
    ruleIndex: ref.ruleIndex,
    role: ref.role,
    grantId: ref.grantId,
  });
}

export function toCheckResult(d: Decision): CheckResultType {
  const result = Object.assign(new CheckResultType(), {
    allowed: d.allowed,
    reason: d.reason as DecisionReason,
    decidedBy: d.decidedBy ? toRuleRef(d.decidedBy) : null,
  });
  // Worded only when the query selects it (gateways ask for `allowed`).
  return Object.defineProperty(result, "explanation", { get: () => d.explanation, enumerable: true });
}

export function toPermissionType(p: Permission): PermissionType {
  return Object.assign(new PermissionType(), {
    ...matchFields(p),
    capabilities: p.capabilities,
    requireMfa: p.requireMfa,
    sourceCidrs: p.sourceCidrs,
    via: toRuleRef(p.via),
    scope: p.scope,
    expiresAt: p.expiresAt,
  });
}
