// effectivePermissions: every allow and deny that applies to a principal now,
// with where it comes from.
//
// Contract: grants are taken in grant-id order, and within a grant the role's
// rules in order (its own policies first, then inherited roles depth-first), so
// the listing is deterministic. A superuser role appears as one permission with
// resourceType "*", capabilities ["*"], namespace "**", via.policy "" and
// via.ruleIndex -1; it stands for every type, system types included, and deny
// permissions within its scope do not take effect. For a token, only
// permissions coming from roles in the token's role set (with what they
// inherit) are listed, with the token side's MFA requirement added.

import { namespaceMatches, type CompiledRule } from "./compiled-rule";
import { inScope, isLive, type UserRecord } from "./grant-entry";
import type { PolicyIndex } from "./policy-index";
import type { TokenScope } from "./token-scope";
import type { Permission, PermissionFilter } from "./types";

/** The capabilities a rule covers on `type`, or on every infrastructure type for `*`; registry order. */
export function expandCapabilities(index: PolicyIndex, rule: CompiledRule, onlyType: string | null): string[] {
  const spec = rule.spec;
  const typeNames =
    spec.resourceType !== "*"
      ? [spec.resourceType]
      : onlyType !== null
        ? [onlyType]
        : [...index.types.values()]
            .filter((t) => t.infrastructure)
            .map((t) => t.def.name)
            .sort();
  const out = new Set<string>();
  for (const name of typeNames) {
    const info = index.types.get(name);
    if (info === undefined) continue;
    for (const [cap, { level }] of info.capabilities) {
      if (level <= rule.levelIndex || rule.capabilities.includes(cap)) out.add(cap);
    }
  }
  return [...out];
}

export function listPermissions(
  index: PolicyIndex,
  user: UserRecord,
  scope: TokenScope | null,
  now: number,
  filter: PermissionFilter,
): Permission[] {
  const type = filter.resourceType ?? null;
  const namespace = filter.namespace ?? null;
  const typeInfo = type === null ? undefined : index.types.get(type);
  const starApplies = type === null || (typeInfo !== undefined ? typeInfo.infrastructure : false);
  const out: Permission[] = [];
  for (const entry of index.entriesOf(user)) {
    if (!isLive(entry, now) || (namespace !== null && !inScope(entry, namespace))) continue;
    const role = index.compiled(entry.slot);
    const grantId = entry.grant?.id ?? null;
    const expiresAt = entry.grant?.expiresAt ?? null;
    if (role.superuser && (scope === null || scope.members.has(role.superuserSource!.toLowerCase()))) {
      out.push({
        effect: "ALLOW",
        resourceType: "*",
        namespace: "**",
        name: "*",
        labels: [],
        capabilities: ["*"],
        requireMfa: false,
        sourceCidrs: [],
        via: { policy: "", ruleIndex: -1, role: entry.roleName, grantId },
        scope: entry.scope,
        expiresAt,
      });
    }
    for (const rr of role.rules) {
      const tokenMfa = scope === null ? false : scope.members.get(rr.sourceRole.toLowerCase());
      if (tokenMfa === undefined) continue;
      const spec = rr.rule.spec;
      if (type !== null && spec.resourceType !== type && !(spec.resourceType === "*" && starApplies)) continue;
      if (namespace !== null && !namespaceMatches(rr.rule, namespace)) continue;
      const capabilities = expandCapabilities(index, rr.rule, spec.resourceType === "*" ? type : null);
      if (capabilities.length === 0) continue;
      out.push({
        effect: spec.effect,
        resourceType: spec.resourceType,
        namespace: spec.namespace,
        name: spec.name,
        labels: spec.labels.map((l) => ({ key: l.key, values: [...l.values] })),
        capabilities,
        requireMfa: !rr.deny && (rr.requireMfa || tokenMfa),
        sourceCidrs: rr.deny ? [] : [...spec.sourceCidrs],
        via: { policy: rr.rule.policy, ruleIndex: rr.rule.ruleIndex, role: entry.roleName, grantId },
        scope: entry.scope,
        expiresAt,
      });
    }
  }
  return out;
}
