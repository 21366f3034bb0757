// The CASL baseline: the same workload decided with @casl/ability. One Ability
// per role, built from the role's rules; namespace and name globs become $regex
// conditions (literal patterns plain equality), label selectors `$in`. A grant's
// scope is a namespace-prefix test before the role's Ability is asked. A user is
// allowed when no role's Ability has a matching deny and one has a matching allow.
import { createMongoAbility, type MongoAbility, type MongoQuery } from "@casl/ability";
import type { GrantDef, Level, Resource, RuleSpec } from "../src/engine/types";
import { INFRA_TYPES, type Workload } from "./engine-workload";

type CaslRule = { action: string[]; subject: string; conditions?: MongoQuery; inverted?: boolean };
type RoleAbility = MongoAbility<[string, Resource | string]>;

const LEVELS: Level[] = ["METADATA", "READ", "OPERATE", "ADMIN", "OWNER"];

function escapeRegExp(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, "\\$&");
}

/** A glob (docs/documents.md) as an anchored regular expression. */
export function globToRegExp(pattern: string): RegExp {
  const segments = pattern.split("/");
  let source = "";
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === "**") {
      if (segments.length === 1) source += ".*";
      else if (i === 0) source += "(?:[^/]+/)*";
      else source += last ? "(?:/[^/]+)*" : "(?:/[^/]+)*/";
      return;
    }
    if (i > 0 && segments[i - 1] !== "**") source += "/";
    source += [...segment].map((c) => (c === "*" ? "[^/]*" : c === "?" ? "[^/]" : escapeRegExp(c))).join("");
  });
  return new RegExp(`^${source}$`);
}

const isGlob = (pattern: string): boolean => /[*?]/.test(pattern);

function conditionsOf(rule: RuleSpec): MongoQuery | undefined {
  const conditions: Record<string, unknown> = {};
  if (rule.namespace !== "**")
    conditions.namespace = isGlob(rule.namespace) ? { $regex: globToRegExp(rule.namespace) } : rule.namespace;
  if (rule.name !== "*") conditions.name = isGlob(rule.name) ? { $regex: globToRegExp(rule.name) } : rule.name;
  for (const selector of rule.labels) {
    if (selector.key === "*") continue;
    conditions[`labels.${selector.key}`] = { $in: selector.values };
  }
  return Object.keys(conditions).length === 0 ? undefined : conditions;
}

/** One CASL rule per matched type: levels are per type (secret `read` is READ, job `read` METADATA). */
function toCaslRules(rule: RuleSpec): CaslRule[] {
  const types = rule.resourceType === "*" ? INFRA_TYPES : INFRA_TYPES.filter((t) => t.name === rule.resourceType);
  const conditions = conditionsOf(rule);
  const out: CaslRule[] = [];
  for (const type of types) {
    const actions = Object.entries(type.capabilities)
      .filter(([cap, level]) =>
        rule.level !== null
          ? LEVELS.indexOf(level) <= LEVELS.indexOf(rule.level)
          : rule.capabilities!.includes("*") || rule.capabilities!.includes(cap),
      )
      .map(([cap]) => cap);
    if (actions.length === 0) continue;
    out.push({
      action: actions,
      subject: type.name,
      ...(conditions ? { conditions } : {}),
      ...(rule.effect === "DENY" ? { inverted: true } : {}),
    });
  }
  return out;
}

const inScope = (namespace: string, scope: string): boolean =>
  scope === "" || namespace === scope || namespace.startsWith(scope + "/");

export class CaslBaseline {
  private constructor(
    private readonly abilities: Map<string, RoleAbility>,
    private readonly grantsByUser: Map<string, GrantDef[]>,
  ) {}

  /** Builds every role's Ability (CASL compiles each condition lazily, on first use). */
  static build(workload: Workload): CaslBaseline {
    const policies = new Map(workload.state.policies.map((p) => [p.name, p]));
    const abilities = new Map<string, RoleAbility>();
    for (const role of workload.state.roles) {
      const rules = role.policies.flatMap((name) => policies.get(name)!.rules);
      // CASL gives later rules precedence: denies go last so relevantRuleFor finds them first.
      const ordered = [...rules.filter((r) => r.effect === "ALLOW"), ...rules.filter((r) => r.effect === "DENY")];
      const ability = createMongoAbility<[string, Resource | string]>(ordered.flatMap(toCaslRules), {
        detectSubjectType: (subject) => (typeof subject === "string" ? subject : subject.type),
      });
      abilities.set(role.name, ability);
    }
    return new CaslBaseline(abilities, workload.grantsByUser);
  }

  can(userId: string, action: string, resource: Resource): boolean {
    const grants = this.grantsByUser.get(userId);
    if (grants === undefined) return false;
    let allowed = false;
    for (const grant of grants) {
      if (!inScope(resource.namespace, grant.scope)) continue;
      const rule = this.abilities.get(grant.role)!.relevantRuleFor(action, resource);
      if (rule === null) continue;
      if (rule.inverted) return false;
      allowed = true;
    }
    return allowed;
  }
}
