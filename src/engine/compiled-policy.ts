// A policy compiled for decisions, shared by every role that includes it. Its
// rules are grouped by what is literal in them: namespace and name, namespace
// only, name only, or neither (the `wild` group). A check reads at most four
// groups of a policy, and the hash filters usually rule out the literal ones
// without a lookup. Literal groups are ranges of one array (`literal`), found
// through a HashTable; a large one gets its own RuleGroup, split per pair.

import { compileRule, type CompiledRule, type GlobCache } from "./compiled-rule";
import { HashFilter, HashTable, SLOT } from "./literal-table";
import { PairFilter, RuleGroup, SMALL_GROUP, type PairRegistry } from "./rule-group";
import type { PolicyDoc } from "./types";

/** Orders literal rules by hashes, then by the literals themselves; stable, so rules keep their order within a group. */
function byKey(x: CompiledRule, y: CompiledRule): number {
  if (x.namespaceHash !== y.namespaceHash) return x.namespaceHash - y.namespaceHash;
  if (x.nameHash !== y.nameHash) return x.nameHash - y.nameHash;
  const nx = x.namespaceLiteral ?? "";
  const ny = y.namespaceLiteral ?? "";
  if (nx !== ny) return nx < ny ? -1 : 1;
  const mx = x.nameLiteral ?? "";
  const my = y.nameLiteral ?? "";
  return mx === my ? 0 : mx < my ? -1 : 1;
}

const sameGroup = (x: CompiledRule, y: CompiledRule) =>
  x.namespaceLiteral === y.namespaceLiteral && x.nameLiteral === y.nameLiteral;

export class CompiledPolicy {
  readonly rules: CompiledRule[];
  /** Rules whose namespace and name are both globs. */
  readonly wild = new RuleGroup();
  /** Number of rules in `wild`, kept here for locality. */
  readonly wildCount: number;
  /** Pair filter (rule-group.ts) of the rules in `wild`: a check whose pair is not in it skips them. */
  wildLo = 0;
  wildHi = 0;
  /** Rules with a literal namespace and/or name, each group contiguous. */
  readonly literal: CompiledRule[] = [];
  /**
   * (namespace hash, name hash) → (start in `literal`, count), with ANY_HASH for
   * a glob side; a negative count -(i + 1) points at large[i] instead. Each
   * slot's filter is the pair filter of its group's rules.
   */
  readonly table: HashTable;
  /** table.slots and table.mask, kept here for locality. */
  readonly slots: Int32Array;
  readonly mask: number;
  readonly large: RuleGroup[] = [];
  readonly groupCount: number;
  /** Filter over the namespaces of groups with a literal namespace. */
  readonly nsLo: number;
  readonly nsHi: number;
  /** Filter over the names of groups with a literal name and a namespace glob. */
  readonly nameLo: number;
  readonly nameHi: number;

  constructor(
    readonly doc: PolicyDoc,
    globs: GlobCache,
    registry: PairRegistry,
  ) {
    this.rules = doc.rules.map((spec, i) => compileRule(spec, doc.name, i, globs));
    for (const rule of this.rules) {
      if (rule.namespaceLiteral === null && rule.nameLiteral === null) this.wild.rules.push(rule);
      else this.literal.push(rule);
    }
    const literal = this.literal.sort(byKey);
    this.wildCount = this.wild.rules.length;
    const ns = new HashFilter();
    const names = new HashFilter();
    const starts: number[] = [];
    for (let i = 0; i < literal.length; i++) if (i === 0 || !sameGroup(literal[i - 1], literal[i])) starts.push(i);
    this.groupCount = starts.length;
    this.table = new HashTable(starts.length);
    this.slots = this.table.slots;
    this.mask = this.table.mask;
    starts.forEach((start, g) => {
      const end = g + 1 < starts.length ? starts[g + 1] : literal.length;
      const { namespaceHash: a, nameHash: b, namespaceLiteral } = literal[start];
      if (namespaceLiteral !== null) ns.add(a);
      else names.add(b);
      if (end - start > SMALL_GROUP) {
        const big = new RuleGroup();
        big.rules.push(...literal.slice(start, end));
        this.table.set(a, b, start, -(this.large.length + 1));
        this.large.push(big);
      } else {
        this.table.set(a, b, start, end - start);
      }
    });
    this.nsLo = ns.lo;
    this.nsHi = ns.hi;
    this.nameLo = names.lo;
    this.nameHi = names.hi;
    this.seal(registry);
  }

  /** Rebuilds the per-pair splits and the pair filters after the type registry changed. */
  seal(registry: PairRegistry): void {
    this.wild.seal(registry);
    for (const group of this.large) group.seal(registry);
    const filter = new PairFilter();
    filter.addRules(this.wild.rules, 0, this.wild.rules.length, registry);
    this.wildLo = filter.lo;
    this.wildHi = filter.hi;
    const slots = this.table.slots;
    for (let slot = 0; slot <= this.table.mask; slot++) {
      if (slots[slot * SLOT + 2] === 0) continue;
      const start = slots[slot * SLOT + 2] - 1;
      const count = slots[slot * SLOT + 3];
      filter.lo = filter.hi = 0;
      if (count < 0) {
        const rules = this.large[-count - 1].rules;
        filter.addRules(rules, 0, rules.length, registry);
      } else filter.addRules(this.literal, start, start + count, registry);
      this.table.setFilter(slot, filter.lo, filter.hi);
    }
  }
}
