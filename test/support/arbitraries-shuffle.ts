// Order-scrambling for the permutation property: a state with the same meaning
// but every list that carries no meaning (rules in a policy, policies, roles,
// grants, users, tokens, and the lists inside them) in a different order.
import type { PolicyState, RuleSpec } from "../../src/engine/types";

/** A small seeded PRNG (mulberry32), so a failing permutation replays from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shuffled copy (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function shuffleRule(rule: RuleSpec, random: () => number): RuleSpec {
  return {
    ...rule,
    labels: shuffled(rule.labels, random).map((l) => ({ ...l, values: shuffled(l.values, random) })),
    capabilities: rule.capabilities === null ? null : shuffled(rule.capabilities, random),
    sourceCidrs: shuffled(rule.sourceCidrs, random),
  };
}

/** The same state with every order-free list permuted by `seed`. */
export function shuffleState(state: PolicyState, seed: number): PolicyState {
  const random = seededRandom(seed);
  return {
    types: shuffled(state.types, random).map((t) => ({
      ...t,
      capabilities: Object.fromEntries(shuffled(Object.entries(t.capabilities), random)),
    })),
    policies: shuffled(state.policies, random).map((p) => ({
      ...p,
      rules: shuffled(p.rules, random).map((r) => shuffleRule(r, random)),
    })),
    roles: shuffled(state.roles, random).map((r) => ({
      ...r,
      policies: shuffled(r.policies, random),
      inherits: shuffled(r.inherits, random),
    })),
    grants: shuffled(state.grants, random),
    users: shuffled(state.users, random).map((u) => ({ ...u, groups: shuffled(u.groups, random) })),
    tokens: shuffled(state.tokens, random).map((t) => ({ ...t, roles: shuffled(t.roles, random) })),
  };
}
