// A rule in the form the decision loop reads: globs, label selectors and
// networks compiled once per policy, shared by every role that includes it.

import { CidrSet } from "./cidr-matcher";
import { GlobMatcher, isLiteral } from "./glob-matcher";
import { ANY_HASH, hashText } from "./literal-table";
import { LEVELS, type Level, type RuleSpec } from "./types";

export interface CompiledLabel {
  key: string;
  values: GlobMatcher[];
}

export interface CompiledRule {
  spec: RuleSpec;
  policy: string;
  ruleIndex: number;
  /** Resource type, or "*". */
  type: string;
  /** Index into LEVELS of the highest level covered: `level`, or OWNER for `*`; -1 for a plain capability list. */
  levelIndex: number;
  /** Capabilities listed by name (without `*`). */
  capabilities: readonly string[];
  deny: boolean;
  /** The rule's own `when.mfa` (a role may add one). */
  requireMfa: boolean;
  /** Matchers for globs; null when the text is literal (see namespaceLiteral / nameLiteral). */
  namespace: GlobMatcher | null;
  name: GlobMatcher | null;
  /** Null when the rule matches any labels (none listed, or only `"*": "*"`). */
  labels: CompiledLabel[] | null;
  /** Null when the rule has no network condition. */
  cidrs: CidrSet | null;
  /** The namespace / name when written without wildcards, else null. */
  namespaceLiteral: string | null;
  nameLiteral: string | null;
  /** hashText of those literals, ANY_HASH for a glob. */
  namespaceHash: number;
  nameHash: number;
}

/** Whether the rule's namespace glob matches `namespace`. */
export const namespaceMatches = (r: CompiledRule, namespace: string): boolean =>
  r.namespace === null ? r.namespaceLiteral === namespace : r.namespace.match(namespace);

/** Whether the rule's name glob matches `name`. */
export const nameMatches = (r: CompiledRule, name: string): boolean =>
  r.name === null ? r.nameLiteral === name : r.name.match(name);

export const levelIndex = (level: Level): number => LEVELS.indexOf(level);

/** Compiles globs and network lists once per distinct text. */
export class GlobCache {
  private readonly globs = new Map<string, GlobMatcher>();
  private readonly networks = new Map<string, CidrSet>();

  get(glob: string): GlobMatcher {
    let m = this.globs.get(glob);
    if (m === undefined) this.globs.set(glob, (m = GlobMatcher.compile(glob)));
    return m;
  }

  cidrs(list: readonly string[]): CidrSet {
    const key = list.join(",");
    let set = this.networks.get(key);
    if (set === undefined) this.networks.set(key, (set = CidrSet.compile(list)));
    return set;
  }
}

const NO_CAPABILITIES: readonly string[] = [];

export function compileRule(spec: RuleSpec, policy: string, ruleIndex: number, globs: GlobCache): CompiledRule {
  const caps = spec.capabilities ?? NO_CAPABILITIES;
  const all = caps.includes("*");
  let labels: CompiledLabel[] | null = null;
  for (const selector of spec.labels) {
    if (selector.key === "*" && selector.values.includes("*")) continue;
    (labels ??= []).push({ key: selector.key, values: selector.values.map((v) => globs.get(v)) });
  }
  const deny = spec.effect === "DENY";
  // Literal texts need no matcher: equality decides, and most rules are literal.
  const namespaceLiteral = isLiteral(spec.namespace) ? spec.namespace : null;
  const nameLiteral = isLiteral(spec.name) ? spec.name : null;
  return {
    spec,
    policy,
    ruleIndex,
    type: spec.resourceType,
    levelIndex: spec.level !== null ? levelIndex(spec.level) : all ? LEVELS.length - 1 : -1,
    capabilities: spec.level !== null || all ? NO_CAPABILITIES : caps,
    deny,
    requireMfa: !deny && spec.requireMfa === true,
    namespace: namespaceLiteral === null ? globs.get(spec.namespace) : null,
    name: nameLiteral === null ? globs.get(spec.name) : null,
    labels,
    cidrs: !deny && spec.sourceCidrs.length > 0 ? globs.cidrs(spec.sourceCidrs) : null,
    namespaceLiteral,
    nameLiteral,
    namespaceHash: namespaceLiteral === null ? ANY_HASH : hashText(namespaceLiteral),
    nameHash: nameLiteral === null ? ANY_HASH : hashText(nameLiteral),
  };
}

/** Whether a rule names `capability` (at level index `level`) of `type`. */
export function ruleCovers(
  r: CompiledRule,
  type: string,
  infrastructure: boolean,
  capability: string,
  level: number,
): boolean {
  if (r.type !== type && !(infrastructure && r.type === "*")) return false;
  return level <= r.levelIndex || r.capabilities.includes(capability);
}

/** Whether the resource's labels satisfy every selector (keys are literal; `"*": "*"` was dropped at compile). */
export function labelsMatch(labels: readonly CompiledLabel[], resourceLabels: Record<string, string>): boolean {
  for (let i = 0; i < labels.length; i++) {
    const selector = labels[i];
    if (!Object.prototype.hasOwnProperty.call(resourceLabels, selector.key)) return false;
    const value = resourceLabels[selector.key];
    if (typeof value !== "string") return false;
    let ok = false;
    for (let j = 0; j < selector.values.length && !ok; j++) ok = selector.values[j].match(value);
    if (!ok) return false;
  }
  return true;
}
