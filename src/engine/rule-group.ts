// A group of rules of one policy, scanned together. A large group is split per
// (type, capability) pair so a check reads only the rules for its pair: `*`
// rules are expanded into every infrastructure type, levels into every
// capability at or below them. That split depends on the type registry and is
// redone when a type or capability is registered (so `*` reaches types
// registered later and a level capabilities added later).

import type { CompiledRule } from "./compiled-rule";

/** What the split needs to know about the type registry. */
export interface PairRegistry {
  /** Number of (type, capability) pairs. */
  readonly pairCount: number;
  /** Capabilities of a registered type with their level index and pair id; undefined when unknown. */
  pairsOf(type: string): ReadonlyArray<{ level: number; pair: number; capability: string }> | undefined;
  /** Registered infrastructure type names. */
  infrastructureTypes(): readonly string[];
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
