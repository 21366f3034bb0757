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

/** Positions below this fit beside a 32-bit hash in a double (2^32 * 2^21 = 2^53). */
const POSITIONS = 2 ** 21;

/** One unsigned 32-bit hash of a literal rule's (namespace, name) hashes. */
const groupHash = (r: CompiledRule): number =>
  Math.imul(r.namespaceHash ^ Math.imul(r.nameHash, 0x9e3779b1), 0x85ebca77) >>> 0;

/**
 * The literal rules ordered so that each (namespace, name) group is
 * contiguous, rules keeping their order within a group. Sorted as numbers
 * (group hash, then position) without a comparator, which is most of the cost
 * of compiling a large state otherwise; a run of equal group hashes that mixes
 * groups (a collision) is then ordered by byKey.
 */
function groupLiterals(rules: CompiledRule[]): CompiledRule[] {
  const n = rules.length;
  if (n >= POSITIONS) return rules.sort(byKey);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = groupHash(rules[i]) * POSITIONS + i;
  keys.sort();
  const out: CompiledRule[] = [];
  for (let i = 0; i < n; i++) out.push(rules[(keys[i] % POSITIONS) | 0]);
  for (let i = 0; i < n;) {
    const hash = Math.floor(keys[i] / POSITIONS);
    let end = i + 1;
    let mixed = false;
    for (; end < n && Math.floor(keys[end] / POSITIONS) === hash; end++) mixed ||= !sameGroup(out[i], out[end]);
    if (mixed) {
      const run = out.slice(i, end).sort(byKey);
      for (let k = 0; k < run.length; k++) out[i + k] = run[k];
    }
    i = end;
  }
  return out;
}

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
  readonly literal: CompiledRule[];
  /**
   * (namespace hash, name hash) → (start in `literal`, count), with ANY_HASH for
   * a glob side; a negative count -(i + 1) points at large[i] instead. Each
   * slot's filter is the pair filter of its group's rules, built on first use
   * (see seal).
   */
  readonly table: HashTable;
  /** table.slots and table.mask, kept here for locality. */
  readonly slots: Int32Array;
  readonly mask: number;
  readonly large: RuleGroup[] = [];
  readonly groupCount: number;
  /** The registry the pair filters are built against (the last seal). */
  private registry: PairRegistry;
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
    const literals: CompiledRule[] = [];
    for (const rule of this.rules) {
      if (rule.namespaceLiteral === null && rule.nameLiteral === null) this.wild.rules.push(rule);
      else literals.push(rule);
    }
    const literal = (this.literal = groupLiterals(literals));
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
    this.registry = registry;
    this.seal(registry);
  }

  /**
   * Rebuilds the per-pair splits and the glob-only rules' pair filter after
   * the type registry changed, and marks every slot's filter as not built:
   * a slot's value + 1 is stored negated until its filter is built on the
   * first lookup that reaches it (slotValue), so a compile pays only for the
   * groups that are ever asked about.
   */
  seal(registry: PairRegistry): void {
    this.registry = registry;
    this.wild.seal(registry);
    for (const group of this.large) group.seal(registry);
    const filter = new PairFilter();
    filter.addRules(this.wild.rules, 0, this.wild.rules.length, registry);
    this.wildLo = filter.lo;
    this.wildHi = filter.hi;
    const slots = this.slots;
    for (let slot = 0; slot <= this.mask; slot++) {
      const value = slots[slot * SLOT + 2];
      if (value > 0) slots[slot * SLOT + 2] = -value;
    }
  }

  /** A used slot's value + 1 (HashTable.set), building its group's pair filter first if need be. */
  slotValue(slot: number): number {
    const slots = this.slots;
    const value = slots[slot * SLOT + 2];
    if (value > 0) return value;
    const start = -value - 1;
    const count = slots[slot * SLOT + 3];
    const filter = new PairFilter();
    if (count < 0) {
      const rules = this.large[-count - 1].rules;
      filter.addRules(rules, 0, rules.length, this.registry);
    } else filter.addRules(this.literal, start, start + count, this.registry);
    this.table.setFilter(slot, filter.lo, filter.hi);
    slots[slot * SLOT + 2] = -value;
    return -value;
  }
}
