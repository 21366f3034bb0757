// The naive reference: for each check, a loop over every rule of every role the
// user holds (globs as precompiled regular expressions). What an engine without
// an index would do; the engine benchmark also uses it to confirm decisions.
import type { GrantDef, Level, Resource, ResourceTypeDef, RuleSpec } from "../src/engine/types";
import { globToRegExp } from "./casl-baseline";
import type { Workload } from "./engine-workload";

const LEVELS: Level[] = ["METADATA", "READ", "OPERATE", "ADMIN", "OWNER"];

interface NaiveRule {
  deny: boolean;
  type: string;
  namespace: RegExp | string | null;
  name: RegExp | string | null;
  labels: RuleSpec["labels"];
  capabilities: string[] | null;
  level: number;
}

const matcher = (pattern: string): RegExp | string | null =>
  pattern === "**" ? null : /[*?]/.test(pattern) ? globToRegExp(pattern) : pattern;

const matches = (m: RegExp | string | null, value: string): boolean =>
  m === null ? true : typeof m === "string" ? m === value : m.test(value);

export class NaiveBaseline {
  private constructor(
    private readonly rulesByRole: Map<string, NaiveRule[]>,
    private readonly grantsByUser: Map<string, GrantDef[]>,
    private readonly types: Map<string, ResourceTypeDef>,
  ) {}

  static build(workload: Workload): NaiveBaseline {
    const policies = new Map(workload.state.policies.map((p) => [p.name, p]));
    const rulesByRole = new Map<string, NaiveRule[]>();
    for (const role of workload.state.roles) {
      const rules = role.policies.flatMap((name) => policies.get(name)!.rules);
      rulesByRole.set(
        role.name,
        rules.map((r) => ({
          deny: r.effect === "DENY",
          type: r.resourceType,
          namespace: matcher(r.namespace),
          name: matcher(r.name),
          labels: r.labels,
          capabilities: r.capabilities,
          level: r.level === null ? -1 : LEVELS.indexOf(r.level),
        })),
      );
    }
    return new NaiveBaseline(rulesByRole, workload.grantsByUser, new Map(workload.state.types.map((t) => [t.name, t])));
  }

  can(userId: string, action: string, resource: Resource): boolean {
    const type = this.types.get(resource.type);
    const level = type?.capabilities[action];
    if (level === undefined) return false;
    const needed = LEVELS.indexOf(level);
    let allowed = false;
    for (const grant of this.grantsByUser.get(userId) ?? []) {
      const scope = grant.scope;
      if (scope !== "" && resource.namespace !== scope && !resource.namespace.startsWith(scope + "/")) continue;
      for (const rule of this.rulesByRole.get(grant.role)!) {
        if (rule.type !== "*" && rule.type !== resource.type) continue;
        const capable =
          rule.capabilities === null
            ? rule.level >= needed
            : rule.capabilities.includes(action) || rule.capabilities.includes("*");
        if (!capable) continue;
        if (!matches(rule.namespace, resource.namespace) || !matches(rule.name, resource.name)) continue;
        if (!rule.labels.every((s) => s.key === "*" || s.values.includes(resource.labels[s.key] ?? "\u0000"))) continue;
        if (rule.deny) return false;
        allowed = true;
      }
    }
    return allowed;
  }
}
