// A group of rules of one policy, scanned together. A large group is split per
// (type, capability) pair so a check reads only the rules for its pair: `*`
// rules are expanded into every infrastructure type, levels into every
// capability at or below them. That split depends on the type registry and is
// redone when a type or capability is registered (so `*` reaches types
// registered later and a level capabilities added later).

import type { CompiledRule } from "./compiled-rule";

/**
 * The (type, capability) pairs of a registered type (or of every
 * infrastructure type, for `*`) as 64-bit pair filters (see PairFilter).
 */
export interface TypePairs {
  /** For level index L: lo at 2L, hi at 2L + 1, the pairs of level L or below. */
  readonly byLevel: Int32Array;
  /** For each capability name: [lo, hi] of its pair(s). */
  readonly byCapability: ReadonlyMap<string, readonly [number, number]>;
}

/** What the split needs to know about the type registry. */
export interface PairRegistry {
  /** Number of (type, capability) pairs. */
  readonly pairCount: number;
  /** Capabilities of a registered type with their level index and pair id; undefined when unknown. */
  pairsOf(type: string): ReadonlyArray<{ level: number; pair: number; capability: string }> | undefined;
  /** Registered infrastructure type names. */
  infrastructureTypes(): readonly string[];
  /** Pair filters of a registered type, or of every infrastructure type for "*"; undefined when unknown. */
  pairFilters(type: string): TypePairs | undefined;
}

/**
 * A 64-bit filter over pair ids (bit `pair & 63`), as two 32-bit halves: may
 * answer "present" wrongly (once there are more than 64 pairs), never "absent"
 * wrongly. A check builds the one-bit filter of its pair and tests it against
 * a group's, a policy's or a role's filter without touching their rules.
 */
export class PairFilter {
  lo = 0;
  hi = 0;

  /** Adds every pair `rule` covers (ruleCovers, expanded over the registry). */
  addRule(rule: CompiledRule, registry: PairRegistry): void {
    const pairs = registry.pairFilters(rule.type);
    if (pairs === undefined) return;
    if (rule.levelIndex >= 0) {
      this.lo |= pairs.byLevel[2 * rule.levelIndex];
      this.hi |= pairs.byLevel[2 * rule.levelIndex + 1];
    }
    const capabilities = rule.capabilities;
    for (let i = 0; i < capabilities.length; i++) {
      const bits = pairs.byCapability.get(capabilities[i]);
      if (bits === undefined) continue;
      this.lo |= bits[0];
      this.hi |= bits[1];
    }
  }

  addRules(rules: readonly CompiledRule[], from: number, to: number, registry: PairRegistry): void {
    for (let k = from; k < to; k++) this.addRule(rules[k], registry);
  }
}

/** The low half of the one-bit pair filter of `pair`. */
export const pairLo = (pair: number): number => ((pair & 63) < 32 ? 1 << (pair & 31) : 0);
/** The high half of the one-bit pair filter of `pair`. */
export const pairHi = (pair: number): number => ((pair & 63) >= 32 ? 1 << (pair & 31) : 0);

/** TypePairs over the given (level, pair, capability) lists. */
export function typePairs(
  lists: Iterable<ReadonlyArray<{ level: number; pair: number; capability: string }>>,
  levels: number,
): TypePairs {
  const byLevel = new Int32Array(2 * levels);
  const byCapability = new Map<string, [number, number]>();
  for (const list of lists) {
    for (const { level, pair, capability } of list) {
      const lo = pairLo(pair);
      const hi = pairHi(pair);
      for (let l = level; l < levels; l++) {
        byLevel[2 * l] |= lo;
        byLevel[2 * l + 1] |= hi;
      }
      const bits = byCapability.get(capability);
      if (bits === undefined) byCapability.set(capability, [lo, hi]);
      else {
        bits[0] |= lo;
        bits[1] |= hi;
      }
    }
  }
  return { byLevel, byCapability };
}

/** Groups up to this size are scanned whole, testing type and capability per rule. */
export const SMALL_GROUP = 12;

export class RuleGroup {
  readonly rules: CompiledRule[] = [];
  /** For a large group, the rules of pair p are flat[offsets[p] .. offsets[p+1]); null for a small group. */
  flat: CompiledRule[] | null = null;
  offsets: Int32Array | null = null;

  /** Builds (or rebuilds) the per-pair split. */
  seal(registry: PairRegistry): void {
    this.flat = this.offsets = null;
    if (this.rules.length <= SMALL_GROUP) return;
    const slots = new Array<CompiledRule[] | undefined>(registry.pairCount);
    for (const r of this.rules) {
      for (const t of r.type === "*" ? registry.infrastructureTypes() : [r.type]) {
        for (const { level, pair, capability } of registry.pairsOf(t) ?? []) {
          if (level > r.levelIndex && !r.capabilities.includes(capability)) continue;
          const list = slots[pair];
          if (list === undefined) slots[pair] = [r];
          else if (list[list.length - 1] !== r) list.push(r);
        }
      }
    }
    const flat: CompiledRule[] = [];
    const offsets = new Int32Array(registry.pairCount + 1);
    for (let p = 0; p < registry.pairCount; p++) {
      offsets[p] = flat.length;
      for (const r of slots[p] ?? []) flat.push(r);
    }
    offsets[registry.pairCount] = flat.length;
    this.flat = flat;
    this.offsets = offsets;
  }
}
