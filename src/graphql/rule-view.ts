import { LEVELS, SYSTEM_TYPES, type ResourceTypeDef, type RuleSpec } from "../engine/types";
import { Effect, Level } from "./types/enums";
import { RuleType } from "./types/rule.type";

const SYSTEM = new Set<string>(SYSTEM_TYPES);

/** The capabilities a rule names, with `level` expanded against the registry (`*` type: every infrastructure type). */
export function expandCapabilities(rule: RuleSpec, types: ReadonlyMap<string, ResourceTypeDef>): string[] {
  if (rule.capabilities !== null) return rule.capabilities;
  const limit = LEVELS.indexOf(rule.level!);
  const matched =
    rule.resourceType === "*"
      ? [...types.values()].filter((t) => !SYSTEM.has(t.name))
      : [types.get(rule.resourceType)].filter((t) => t !== undefined);
  const names = new Set<string>();
  for (const t of matched) {
    for (const [capability, level] of Object.entries(t.capabilities))
      if (LEVELS.indexOf(level) <= limit) names.add(capability);
  }
  return [...names].sort();
}

/** What a rule matches, as GraphQL shows it on a rule and on a permission the rule gives. */
export function matchFields(rule: Pick<RuleSpec, "effect" | "resourceType" | "namespace" | "name" | "labels">) {
  return {
    effect: rule.effect as Effect,
    resourceType: rule.resourceType,
    namespace: rule.namespace,
    name: rule.name,
    labels: rule.labels.map((l) => ({ key: l.key, values: l.values })),
  };
}

export function toRuleType(rule: RuleSpec, types: ReadonlyMap<string, ResourceTypeDef>): RuleType {
  return Object.assign(new RuleType(), {
    ...matchFields(rule),
    capabilities: expandCapabilities(rule, types),
    level: (rule.level as Level | null) ?? null,
    requireMfa: rule.requireMfa,
    sourceCidrs: rule.sourceCidrs,
  });
}
