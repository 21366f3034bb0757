// The rules a role contributes, resolved against the current state: its
// policies' rules and those of every role it inherits, with requireSessionMfa
// applied. Used for escalation checks on roles that may not be stored yet.

import { roleClosure, roleKey } from "./role-closure";
import type { PolicyIndex } from "./policy-index";
import type { RoleDoc, RuleSpec } from "./types";

export interface SourcedRule {
  spec: RuleSpec;
  policy: string;
  ruleIndex: number;
  role: string;
}

export interface ResolvedRole {
  rules: SourcedRule[];
  /** The superuser role in the closure, if any. */
  superuser: string | null;
}

/** Resolves `role` as if stored, its document replacing any stored role of the same name. */
export function resolveRole(index: PolicyIndex, role: RoleDoc): ResolvedRole {
  const lookup = (name: string) => (roleKey(name) === roleKey(role.name) ? role : index.roles.get(roleKey(name)));
  const rules: SourcedRule[] = [];
  let superuser: string | null = null;
  for (const member of roleClosure(role, lookup)) {
    if (member.doc.superuser && superuser === null) superuser = member.doc.name;
    for (const policyName of member.doc.policies) {
      const policy = index.policies.get(policyName.toLowerCase());
      if (policy === undefined) continue;
      policy.doc.rules.forEach((spec, ruleIndex) => {
        rules.push({
          spec: {
            ...spec,
            labels: spec.labels.map((l) => ({ key: l.key, values: [...l.values] })),
            capabilities: spec.capabilities === null ? null : [...spec.capabilities],
            sourceCidrs: [...spec.sourceCidrs],
            requireMfa: spec.effect === "ALLOW" && (spec.requireMfa || member.mfa),
          },
          policy: policy.doc.name,
          ruleIndex,
          role: member.doc.name,
        });
      });
    }
  }
  return { rules, superuser };
}
