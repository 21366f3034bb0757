// A policy compiled for decisions, shared by every role that includes it. Its
// rules are grouped by what is literal in them: namespace and name, namespace
// only, name only, or neither (the `wild` group). A check reads at most four
// groups of a policy, and the hash filters usually rule out the literal ones
// without a lookup. Literal groups are ranges of one array (`literal`), found
// through a HashTable; a large one gets its own RuleGroup, split per pair.

import { compileRule, type CompiledRule, type GlobCache } from "./compiled-rule";
import { HashFilter, HashTable } from "./literal-table";
import { RuleGroup, SMALL_GROUP, type PairRegistry } from "./rule-group";
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

  /** Rebuilds the per-pair splits after the type registry changed. */
  seal(registry: PairRegistry): void {
    this.wild.seal(registry);
    for (const group of this.large) group.seal(registry);
  }
}
