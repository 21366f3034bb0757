// A policy compiled for decisions, shared by every role that includes it. Its
// rules are grouped by what is literal in them: namespace and name, namespace
// only, name only, or neither (the `wild` group). A check reads at most four
// groups of a policy, and the hash filters usually rule out the literal ones
// without a lookup. Literal groups are ranges of one array (`literal`), found
// through a HashTable; a large one gets its own RuleGroup, split per pair.

import { compileRule, type CompiledRule, type GlobCache } from "./compiled-rule";
import type { GlobMatcher } from "./glob-matcher";
import { ANY_HASH, HashFilter, HashTable, hashText } from "./literal-table";
import { RuleGroup, SMALL_GROUP, type PairRegistry } from "./rule-group";
import type { PolicyDoc } from "./types";

export class CompiledPolicy {
  readonly rules: CompiledRule[];
  /** Rules whose namespace and name are both globs. */
  readonly wild = new RuleGroup();
  /** Number of rules in `wild`, kept here for locality. */
  readonly wildCount: number;
  /** Rules with a literal namespace and/or name, each group contiguous. */
  readonly literal: CompiledRule[] = [];
  /**
   * (namespace hash, name hash) → (start in `literal`, count), with ANY_HASH for
   * a glob side; a negative count -(i + 1) points at large[i] instead.
   */
  readonly table: HashTable;
  readonly large: RuleGroup[] = [];
  readonly groupCount: number;
  /** Filter over the namespaces of groups with a literal namespace. */
  readonly nsLo: number;
  readonly nsHi: number;
  /** Filter over the names of groups with a literal name and a namespace glob. */
  readonly nameLo: number;
  readonly nameHi: number;

  constructor(readonly doc: PolicyDoc, globs: GlobCache, registry: PairRegistry) {
    this.rules = doc.rules.map((spec, i) => compileRule(spec, doc.name, i, globs));
    // Matchers are shared per glob text, so they identify literals; every glob
    // side shares one key.
    const keyed = new Map<GlobMatcher | null, Map<GlobMatcher | null, CompiledRule[]>>();
    const groups: CompiledRule[][] = [];
    for (const rule of this.rules) {
      if (rule.namespace.literalText === null && rule.name.literalText === null) {
        this.wild.rules.push(rule);
        continue;
      }
      const nsKey = rule.namespace.literalText === null ? null : rule.namespace;
      const nameKey = rule.name.literalText === null ? null : rule.name;
      let byName = keyed.get(nsKey);
      if (byName === undefined) keyed.set(nsKey, (byName = new Map()));
      const group = byName.get(nameKey);
      if (group === undefined) {
        const created = [rule];
        byName.set(nameKey, created);
        groups.push(created);
      } else {
        group.push(rule);
      }
    }
    this.wildCount = this.wild.rules.length;
    this.groupCount = groups.length;
    this.table = new HashTable(groups.length);
    const ns = new HashFilter();
    const names = new HashFilter();
    for (const group of groups) {
      const namespace = group[0].namespace.literalText;
      const name = group[0].name.literalText;
      const a = namespace === null ? ANY_HASH : hashText(namespace);
      const b = name === null ? ANY_HASH : hashText(name);
      if (namespace !== null) ns.add(a);
      else names.add(b);
      if (group.length > SMALL_GROUP) {
        const big = new RuleGroup();
        big.rules.push(...group);
        this.table.set(a, b, this.literal.length, -(this.large.length + 1));
        this.large.push(big);
      } else {
        this.table.set(a, b, this.literal.length, group.length);
      }
      this.literal.push(...group);
    }
    this.nsLo = ns.lo;
    this.nsHi = ns.hi;
    this.nameLo = names.lo;
    this.nameHi = names.hi;
    this.seal(registry);
  }

  /** Rebuilds the per-pair splits after the type registry changed. */
  seal(registry: PairRegistry): void {
    this.wild.seal(registry);
    for (const group of this.large) group.seal(registry);
  }
}
