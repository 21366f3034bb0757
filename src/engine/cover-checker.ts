// Escalation checks (docs/decisions.md, the Kubernetes RBAC rule): is everything a
// set of rules would allow within a scope already allowed to the actor?
//
// Sound by construction: each (type, capability) a target allow rule yields must
// be covered by ONE live allow of the actor whose namespaces, names, labels and
// conditions contain the target's, and no live deny of the actor may overlap it.
// Anything the analysis cannot prove counts as not covered. Coverage is judged
// against the type registry as it is now.

import { cidrContains, parseCidr } from "./cidr-matcher";
import type { CompiledRule } from "./compiled-rule";
import { rulePhrase } from "./decision-explainer";
import { GlobAutomaton, WorkBudget } from "./glob-automaton";
import { GlobMatcher, isLiteral } from "./glob-matcher";
import { isLive, scopeCovers } from "./grant-entry";
import type { PolicyIndex } from "./policy-index";
import { resolvePrincipal } from "./principal-resolver";
import { tokenScope } from "./token-scope";
import { LEVELS, type CoverResult, type LabelSelector, type Principal, type RuleSpec } from "./types";

/** A rule to be covered, and how to name it in an explanation ("rules[2]"). */
export interface CoverTarget {
  spec: RuleSpec;
  label: string;
}

interface ActorAllow {
  /** Null for a superuser role: everything within its scope. */
  rule: CompiledRule | null;
  requireMfa: boolean;
  scope: string;
}

interface ActorDeny {
  rule: CompiledRule;
  scope: string;
  describe: string;
}

/**
 * Work units (about one automaton edge each, see glob-automaton.ts) one
 * escalation check may spend on all its glob questions together, and one
 * question alone: some 10-30 ms of one core at most. Past them the answer is
 * "not covered". Globs are capped in length and wildcards when documents are
 * read; these caps bound what remains, the product of several globs' automata.
 * Ordinary globs (prod/**, team-*, literals) use a few hundred units.
 */
const CHECK_BUDGET = 16_000;
const QUESTION_BUDGET = 6_000;
/** Answers to glob questions, shared by every check: they depend on the glob texts only. */
const answers = new Map<string, boolean>();
const MAX_ANSWERS = 10_000;

export class CoverChecker {
  private readonly budget = new WorkBudget(CHECK_BUDGET);
  private readonly globs = new Map<string, GlobAutomaton>();
  private readonly scopes = new Map<string, GlobAutomaton>();
  private readonly memo = new Map<string, boolean>();
  private subject = "the actor";
  private allows: ActorAllow[] = [];
  private denies: ActorDeny[] = [];

  constructor(
    private readonly index: PolicyIndex,
    private readonly now: number,
  ) {}

  /** Collects the actor's live allows and denies (nothing for an unknown, locked or invalid principal). */
  loadActor(actor: Principal): void {
    const index = this.index;
    const who = resolvePrincipal(index, actor, this.now);
    if (!who.ok) return;
    this.subject = who.token === null ? `user ${who.user.id}` : `token ${who.token.id} of user ${who.user.id}`;
    const restrict = tokenScope(index, who.token);
    for (const entry of index.entriesOf(who.record)) {
      if (!isLive(entry, this.now)) continue;
      const role = index.compiled(entry.slot);
      if (role.superuser && (restrict === null || restrict.members.has(role.superuserSource!.toLowerCase()))) {
        this.allows.push({ rule: null, requireMfa: false, scope: entry.scope });
      }
      for (const rr of role.rules) {
        if (rr.deny) {
          this.denies.push({ rule: rr.rule, scope: entry.scope, describe: rulePhrase(rr.rule, rr.member, entry) });
          continue;
        }
        const tokenMfa = restrict === null ? false : restrict.members.get(rr.sourceRole.toLowerCase());
        if (tokenMfa !== undefined)
          this.allows.push({ rule: rr.rule, requireMfa: rr.requireMfa || tokenMfa, scope: entry.scope });
      }
    }
    if (restrict !== null && who.token !== null) {
      for (const entry of index.entriesOfToken(who.token)) {
        for (const rr of index.compiled(entry.slot).rules) {
          if (rr.deny) this.denies.push({ rule: rr.rule, scope: "", describe: rulePhrase(rr.rule, rr.member, entry) });
        }
      }
    }
  }

  /** Whether the actor holds a superuser role through a grant whose scope covers all of `scope`. */
  superuserIn(scope: string): boolean {
    return this.allows.some((a) => a.rule === null && scopeCovers(a.scope, scope));
  }

  check(targets: readonly CoverTarget[], scope: string): CoverResult {
    if (this.superuserIn(scope)) return { covered: true };
    const where = scope === "" ? "everywhere" : `within scope ${scope}`;
    const targetDenies = targets.filter((t) => t.spec.effect === "DENY").map((t) => t.spec);
    for (const target of targets) {
      const spec = target.spec;
      if (spec.effect !== "ALLOW") continue;
      for (const [type, capability] of this.pairs(spec)) {
        // The targets' own deny takes this away wherever they apply: nothing to cover.
        if (targetDenies.some((d) => this.shadows(d, spec, type, capability))) continue;
        const what = `${type}:${capability} on '${spec.name}' in namespace '${spec.namespace}' ${where}`;
        const deny = this.denies.find(
          (d) => this.grants(d.rule, type, capability) && this.denyOverlaps(d, spec, scope),
        );
        if (deny !== undefined) {
          return {
            covered: false,
            missing: `${type}:${capability}`,
            explanation: `${target.label} would allow ${what}, but ${this.subject} is denied it by ${deny.describe}`,
          };
        }
        if (!this.allows.some((a) => this.allowCovers(a, spec, scope, type, capability))) {
          const limit = this.budget.exhausted
            ? " (its globs are too complex to compare with the actor's within the analysis limit: simplify them)"
            : "";
          return {
            covered: false,
            missing: `${type}:${capability}`,
            explanation: `${target.label} would allow ${what}, which ${this.subject} may not do${limit}`,
          };
        }
      }
    }
    return { covered: true };
  }

  /** Concrete (type, capability) pairs a rule yields now: types by name, capabilities in registry order. */
  private pairs(spec: RuleSpec): Array<[string, string]> {
    const types =
      spec.resourceType === "*"
        ? [...this.index.types.values()]
            .filter((t) => t.infrastructure)
            .sort((a, b) => (a.def.name < b.def.name ? -1 : 1))
        : [this.index.types.get(spec.resourceType)].filter((t) => t !== undefined);
    const all = spec.capabilities?.includes("*") ?? false;
    const maxLevel = spec.level === null ? -1 : LEVELS.indexOf(spec.level);
    const out: Array<[string, string]> = [];
    for (const t of types) {
      for (const [cap, { level }] of t.capabilities) {
        if (all || level <= maxLevel || (spec.capabilities ?? []).includes(cap)) out.push([t.def.name, cap]);
      }
    }
    return out;
  }

  /**
   * Whether deny `d` refuses (type, capability) on every resource `spec` matches:
   * it names them, has no label selectors, and its namespace and name globs
   * contain the allow's. Sound only for rules granted together (one role, one grant).
   */
  private shadows(d: RuleSpec, spec: RuleSpec, type: string, capability: string): boolean {
    const info = this.index.types.get(type);
    if (info === undefined) return false;
    if (d.resourceType !== type && !(d.resourceType === "*" && info.infrastructure)) return false;
    const level = info.capabilities.get(capability)?.level;
    const named =
      (d.capabilities ?? []).some((c) => c === "*" || c === capability) ||
      (d.level !== null && level !== undefined && level <= LEVELS.indexOf(d.level));
    if (!named) return false;
    if (d.labels.some((l) => !(l.key === "*" && l.values.includes("*")))) return false;
    return (d.namespace === "**" || this.contains(d.namespace, spec.namespace)) && this.contains(d.name, spec.name);
  }

  /** Whether an actor rule names (type, capability). */
  private grants(rule: CompiledRule, type: string, capability: string): boolean {
    const info = this.index.types.get(type)!;
    const t = rule.spec.resourceType;
    if (t !== type && !(t === "*" && info.infrastructure)) return false;
    return (
      (info.capabilities.get(capability)?.level ?? Infinity) <= rule.levelIndex ||
      rule.capabilities.includes(capability)
    );
  }

  private allowCovers(a: ActorAllow, spec: RuleSpec, scope: string, type: string, capability: string): boolean {
    if (a.scope !== "" && !this.within("s", a.scope, spec.namespace, scope)) return false;
    const rule = a.rule;
    if (rule === null) return true;
    if (!this.grants(rule, type, capability)) return false;
    if (a.requireMfa && !spec.requireMfa) return false;
    if (!cidrsCover(rule.spec.sourceCidrs, spec.sourceCidrs)) return false;
    if (!this.labelsCover(rule.spec.labels, spec.labels)) return false;
    if (rule.spec.name !== "**" && !this.contains(rule.spec.name, spec.name)) return false;
    return rule.spec.namespace === "**" || this.within("g", rule.spec.namespace, spec.namespace, scope);
  }

  /** Whether namespaces matching `namespace` within `scope` all lie in the outer glob ("g") or scope ("s"). */
  private within(kind: "g" | "s", outer: string, namespace: string, scope: string): boolean {
    if (isLiteral(namespace)) {
      // One namespace: nothing to contain when the scope excludes it, else it must lie in the outer glob or scope.
      if (!scopeCovers(scope, namespace)) return true;
      return kind === "g" ? GlobMatcher.compile(outer).match(namespace) : scopeCovers(outer, namespace);
    }
    return this.remember(`w${kind}\u0000${outer}\u0000${namespace}\u0000${scope}`, () => {
      const automaton = kind === "g" ? this.glob(outer) : this.scope(outer);
      return GlobAutomaton.contains([automaton], [this.glob(namespace), this.scope(scope)], this.questionBudget());
    });
  }

  private contains(outer: string, inner: string): boolean {
    if (outer === inner) return true;
    // One string: whether the outer glob matches it (exact, linear, no automaton).
    if (isLiteral(inner)) return GlobMatcher.compile(outer).match(inner);
    return this.remember(`c\u0000${outer}\u0000${inner}`, () =>
      GlobAutomaton.contains([this.glob(outer)], [this.glob(inner)], this.questionBudget()),
    );
  }

  private overlaps(globs: string[]): boolean {
    return this.remember(`o\u0000${globs.join("\u0000")}`, () =>
      GlobAutomaton.overlap(
        globs.map((g) => this.glob(g)),
        this.questionBudget(),
      ),
    );
  }

  /** Every actor selector is implied by a target selector on the same key with narrower values. */
  private labelsCover(actor: readonly LabelSelector[], target: readonly LabelSelector[]): boolean {
    for (const a of actor) {
      if (a.key === "*" && a.values.includes("*")) continue;
      if (a.key === "*") return false;
      const t = target.find((s) => s.key === a.key);
      if (t === undefined) return false;
      const outer = a.values.map((v) => this.glob(v));
      const key = `l\u0000${a.values.join("\u0000")}\u0000`;
      const contained = (v: string) =>
        this.remember(key + v, () => GlobAutomaton.contains(outer, [this.glob(v)], this.questionBudget()));
      if (!t.values.every((v) => a.values.includes(v) || contained(v))) return false;
    }
    return true;
  }

  private denyOverlaps(d: ActorDeny, spec: RuleSpec, scope: string): boolean {
    const rule = d.rule.spec;
    const key = `d\u0000${spec.namespace}\u0000${scope}\u0000${rule.namespace}\u0000${d.scope}`;
    const namespaces = this.remember(key, () =>
      GlobAutomaton.overlap(
        [this.glob(spec.namespace), this.scope(scope), this.glob(rule.namespace), this.scope(d.scope)],
        this.questionBudget(),
      ),
    );
    if (!namespaces || !this.overlaps([spec.name, rule.name])) return false;
    for (const ds of rule.labels) {
      const ts = spec.labels.find((s) => s.key === ds.key);
      if (ts === undefined || ds.key === "*") continue;
      if (!ds.values.some((dv) => ts.values.some((tv) => this.overlaps([dv, tv])))) return false;
    }
    return true;
  }

  private glob(text: string): GlobAutomaton {
    let a = this.globs.get(text);
    if (a === undefined) this.globs.set(text, (a = GlobAutomaton.fromGlob(text)));
    return a;
  }

  private scope(text: string): GlobAutomaton {
    let a = this.scopes.get(text);
    if (a === undefined) this.scopes.set(text, (a = GlobAutomaton.fromScope(text)));
    return a;
  }

  /**
   * A question's own allowance, drawn from what is left of the check's. What it
   * does not use is not returned: the check's allowance bounds all the work done.
   */
  private questionBudget(): WorkBudget {
    return new WorkBudget(this.budget.exhausted ? 0 : QUESTION_BUDGET, this.budget);
  }

  /**
   * A glob question's answer, computed once per check and shared across checks
   * when it did not depend on an allowance running out.
   */
  private remember(key: string, compute: () => boolean): boolean {
    let v = this.memo.get(key) ?? answers.get(key);
    if (v === undefined) {
      const before = this.budget.exhausted;
      v = compute();
      if (!before && !this.budget.exhausted) {
        if (answers.size >= MAX_ANSWERS) answers.delete(answers.keys().next().value!);
        answers.set(key, v);
      }
    }
    this.memo.set(key, v);
    return v;
  }
}

/** Whether every network of the target lies inside one of the actor's (no actor networks: no condition). */
function cidrsCover(actor: readonly string[], target: readonly string[]): boolean {
  if (actor.length === 0) return true;
  if (target.length === 0) return false;
  const outer = actor.map(parseCidr).filter((b) => b !== null);
  return target.every((t) => {
    const inner = parseCidr(t);
    return inner !== null && outer.some((o) => cidrContains(o, inner));
  });
}
