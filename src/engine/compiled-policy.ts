// A policy compiled for decisions, shared by every role that includes it. Its
// rules are grouped by what is literal in them: namespace and name, namespace
// only, name only, or neither (the `wild` group). A check reads at most four
// groups of a policy, and the hash filters usually rule out the literal ones
// without a lookup. Literal groups are ranges of one array (`literal`), found
// through a HashTable; a large one gets its own RuleGroup, split per pair.

import { compileRule, type CompiledRule, type GlobCache } from "./compiled-rule";
import { ANY_HASH, HashFilter, HashTable, hashText } from "./literal-table";
import { RuleGroup, SMALL_GROUP, type PairRegistry } from "./rule-group";
import type { PolicyDoc } from "./types";

interface Keyed {
  rule: CompiledRule;
  a: number;
  b: number;
}

/** Orders by hashes, then by the literals themselves; stable, so rules keep their order within a group. */
function byKey(x: Keyed, y: Keyed): number {
  if (x.a !== y.a) return x.a - y.a;
  if (x.b !== y.b) return x.b - y.b;
  const nx = x.rule.namespaceLiteral ?? "";
  const ny = y.rule.namespaceLiteral ?? "";
  if (nx !== ny) return nx < ny ? -1 : 1;
  const mx = x.rule.nameLiteral ?? "";
  const my = y.rule.nameLiteral ?? "";
  return mx === my ? 0 : mx < my ? -1 : 1;
}

const sameGroup = (x: Keyed, y: Keyed) =>
  x.a === y.a && x.b === y.b && x.rule.namespaceLiteral === y.rule.namespaceLiteral && x.rule.nameLiteral === y.rule.nameLiteral;

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
    const keyed: Keyed[] = [];
    for (const rule of this.rules) {
      const ns = rule.namespaceLiteral;
      const name = rule.nameLiteral;
      if (ns === null && name === null) this.wild.rules.push(rule);
      else keyed.push({ rule, a: ns === null ? ANY_HASH : hashText(ns), b: name === null ? ANY_HASH : hashText(name) });
    }
    keyed.sort(byKey);
    this.wildCount = this.wild.rules.length;
    const ns = new HashFilter();
    const names = new HashFilter();
    const starts: number[] = [];
    for (let i = 0; i < keyed.length; i++) if (i === 0 || !sameGroup(keyed[i - 1], keyed[i])) starts.push(i);
    this.groupCount = starts.length;
    this.table = new HashTable(starts.length);
    for (const k of keyed) this.literal.push(k.rule);
    starts.forEach((start, g) => {
      const end = g + 1 < starts.length ? starts[g + 1] : keyed.length;
      const { a, b, rule } = keyed[start];
      if (rule.namespaceLiteral !== null) ns.add(a);
      else names.add(b);
      if (end - start > SMALL_GROUP) {
        const big = new RuleGroup();
        big.rules.push(...this.literal.slice(start, end));
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

  /** Rebuilds the per-pair splits after the type registry changed. */
  seal(registry: PairRegistry): void {
    this.wild.seal(registry);
    for (const group of this.large) group.seal(registry);
  }
}
