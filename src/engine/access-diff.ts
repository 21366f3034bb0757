// Who gains and who loses what between two states of the policy (a bundle's
// plan). Compared per role, then expanded to users, never by deciding every
// user against every resource:
//
// 1. Candidate roles: those built from a changed policy or role (every role
//    when the type registry changed, since levels and `*` expand against it).
// 2. Each candidate's permission atoms in both states; a role whose atoms differ
//    is affected. An atom is one capability of one rule as the role contributes
//    it (effect, type, namespace and name globs, labels, MFA, networks), so a
//    rule that gains `submit` reads as gaining `submit`, not as a new rule.
// 3. Users holding an affected role in either state (direct grants, and grants
//    to a group they are in), plus users whose grants changed (`extraUsers`),
//    each compared on the atoms in play: an atom counts as gained only when no
//    other live grant of the user in the same scope gave it before (and lost
//    symmetrically). Scopes are compared for equality; a permission gained in
//    `prod` by a user who holds it everywhere is reported as gained.
//
// Only ACTIVE users have permissions; tokens are not listed (they follow their
// owners). Contract: users ordered by id, permissions by scope then atom key.

import type { CompiledRole } from "./compiled-role";
import { isLive } from "./grant-entry";
import { expandCapabilities } from "./permission-lister";
import type { PolicyIndex } from "./policy-index";
import { roleKey } from "./role-closure";
import type { Permission } from "./types";

export interface AccessDiffHint {
  /** Lower-cased names of policies created, changed or deleted. */
  policies: ReadonlySet<string>;
  /** Lower-cased names of roles created, changed or deleted. */
  roles: ReadonlySet<string>;
  /** The type registry changed: every role is a candidate. */
  types: boolean;
  /** Users whose grants changed (SSO mappings recomputed). */
  extraUsers: readonly string[];
}

export interface UserAccessDiff {
  userId: string;
  gained: Permission[];
  lost: Permission[];
}

interface Atom {
  /** Everything but provenance and scope. */
  key: string;
  permission: Omit<Permission, "capabilities" | "scope" | "expiresAt" | "via"> & { policy: string; ruleIndex: number };
  capability: string;
}

type RoleAtoms = Map<string, Atom>;

const SUPERUSER_KEY = "superuser";

/** Atoms of a compiled role, first provenance kept for each. */
function atomsOf(index: PolicyIndex, role: CompiledRole): RoleAtoms {
  const out: RoleAtoms = new Map();
  if (role.superuser) {
    out.set(SUPERUSER_KEY, {
      key: SUPERUSER_KEY,
      capability: "*",
      permission: {
        effect: "ALLOW",
        resourceType: "*",
        namespace: "**",
        name: "*",
        labels: [],
        requireMfa: false,
        sourceCidrs: [],
        policy: "",
        ruleIndex: -1,
      },
    });
  }
  for (const rr of role.rules) {
    const spec = rr.rule.spec;
    const labels = spec.labels.map((l) => ({ key: l.key, values: [...l.values] }));
    const cidrs = rr.deny ? [] : [...spec.sourceCidrs];
    const base = JSON.stringify([
      spec.effect,
      spec.resourceType,
      spec.namespace,
      spec.name,
      labels,
      rr.requireMfa,
      cidrs,
    ]);
    for (const capability of expandCapabilities(index, rr.rule, null)) {
      const key = `${base}${capability}`;
      if (out.has(key)) continue;
      out.set(key, {
        key,
        capability,
        permission: {
          effect: spec.effect,
          resourceType: spec.resourceType,
          namespace: spec.namespace,
          name: spec.name,
          labels,
          requireMfa: rr.requireMfa,
          sourceCidrs: cidrs,
          policy: rr.policy,
          ruleIndex: rr.ruleIndex,
        },
      });
    }
  }
  return out;
}

interface Holding {
  role: string;
  scope: string;
  grantId: string | null;
  expiresAt: Date | null;
}

/** One side of the comparison: an index, the clock, and each role's atoms on first need. */
class Side {
  private readonly atoms = new Map<string, RoleAtoms>();

  constructor(
    readonly index: PolicyIndex,
    private readonly now: number,
  ) {}

  roleAtoms(name: string): RoleAtoms {
    const key = roleKey(name);
    let atoms = this.atoms.get(key);
    if (atoms === undefined) {
      const slot = this.index.slots.get(key);
      atoms =
        slot === undefined || !this.index.roles.has(key) ? new Map() : atomsOf(this.index, this.index.compiled(slot));
      this.atoms.set(key, atoms);
    }
    return atoms;
  }

  holdings(userId: string): Holding[] {
    const record = this.index.user(userId);
    if (record === undefined || record.status !== "ACTIVE") return [];
    return this.index
      .entriesOf(record)
      .filter((e) => isLive(e, this.now))
      .map((e) => ({ role: e.roleName, scope: e.scope, grantId: e.grantId, expiresAt: e.grant?.expiresAt ?? null }));
  }

  /** Ids of users holding (directly or through a group) one of `roles` (lower-cased names). */
  holders(roles: ReadonlySet<string>, into: Set<string>): void {
    for (const slot of this.index.grantsOfRoles()) {
      if (!roles.has(roleKey(slot.name))) continue;
      for (const grant of slot.grants) {
        if (grant.subject.type === "USER") into.add(grant.subject.userId);
        else for (const id of this.index.groupMembers.get(grant.subject.group) ?? []) into.add(id);
      }
    }
  }

  /** Lower-cased names of roles built from something in the hint. */
  candidates(hint: AccessDiffHint, into: Set<string>): void {
    for (const [key, slot] of this.index.slots) {
      if (!this.index.roles.has(key)) {
        if (hint.roles.has(key)) into.add(key);
        continue;
      }
      const role = this.index.compiled(slot);
      if (
        hint.types ||
        [...role.roleKeys].some((k) => hint.roles.has(k)) ||
        [...role.policyKeys].some((k) => hint.policies.has(k))
      )
        into.add(key);
    }
  }
}

const sameKeys = (a: RoleAtoms, b: RoleAtoms) => a.size === b.size && [...a.keys()].every((k) => b.has(k));

/** Atoms of `holding` in `from` that are not in `other` (all of them when `other` is null). */
function* fresh(from: RoleAtoms, other: RoleAtoms | null): Iterable<Atom> {
  for (const atom of from.values()) if (other === null || !other.has(atom.key)) yield atom;
}

/** Atoms a user has on `mine` and not on `theirs`, grouped back into permissions. */
function oneWay(
  mine: Side,
  theirs: Side,
  myHoldings: Holding[],
  theirHoldings: Holding[],
  affected: ReadonlySet<string>,
): Permission[] {
  const theirPairs = new Set(theirHoldings.map((h) => `${roleKey(h.role)}\u0000${h.scope}`));
  const theirByScope = new Map<string, string[]>();
  for (const h of theirHoldings) {
    const list = theirByScope.get(h.scope);
    if (list === undefined) theirByScope.set(h.scope, [h.role]);
    else list.push(h.role);
  }
  const seen = new Set<string>();
  const grouped = new Map<string, Permission>();
  for (const h of myHoldings) {
    const key = roleKey(h.role);
    const held = theirPairs.has(`${key}\u0000${h.scope}`);
    if (held && !affected.has(key)) continue;
    const atoms = mine.roleAtoms(h.role);
    for (const atom of fresh(atoms, held ? theirs.roleAtoms(h.role) : null)) {
      const scoped = `${h.scope}\u0000${atom.key}`;
      if (seen.has(scoped)) continue;
      seen.add(scoped);
      if ((theirByScope.get(h.scope) ?? []).some((r) => theirs.roleAtoms(r).has(atom.key))) continue;
      const p = atom.permission;
      const groupKey = `${h.scope}\u0000${h.grantId}\u0000${p.policy}\u0000${p.ruleIndex}\u0000${JSON.stringify([p.effect, p.resourceType, p.namespace, p.name, p.labels, p.requireMfa, p.sourceCidrs])}`;
      const existing = grouped.get(groupKey);
      if (existing !== undefined) {
        existing.capabilities.push(atom.capability);
        continue;
      }
      grouped.set(groupKey, {
        effect: p.effect,
        resourceType: p.resourceType,
        namespace: p.namespace,
        name: p.name,
        labels: p.labels,
        capabilities: [atom.capability],
        requireMfa: p.requireMfa,
        sourceCidrs: p.sourceCidrs,
        via: { policy: p.policy, ruleIndex: p.ruleIndex, role: h.role, grantId: h.grantId },
        scope: h.scope,
        expiresAt: h.expiresAt,
      });
    }
  }
  return [...grouped.values()].sort(comparePermissions);
}

/** Sorts by scope, then resource, then the rule that gives it. */
function permissionKey(p: Permission): string {
  return [
    p.scope,
    p.resourceType,
    p.namespace,
    p.name,
    p.via.role ?? "",
    p.via.policy,
    String(p.via.ruleIndex).padStart(6, "0"),
  ].join("\u0000");
}

function comparePermissions(a: Permission, b: Permission): number {
  const ka = permissionKey(a);
  const kb = permissionKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Per user whose permissions differ between `before` and `after`: what they gain and what they lose. */
export function diffAccess(
  before: PolicyIndex,
  after: PolicyIndex,
  now: number,
  hint: AccessDiffHint,
): UserAccessDiff[] {
  const b = new Side(before, now);
  const a = new Side(after, now);
  const candidates = new Set<string>();
  b.candidates(hint, candidates);
  a.candidates(hint, candidates);
  const affected = new Set<string>();
  for (const role of candidates) if (!sameKeys(b.roleAtoms(role), a.roleAtoms(role))) affected.add(role);

  const users = new Set<string>(hint.extraUsers);
  b.holders(affected, users);
  a.holders(affected, users);
  const out: UserAccessDiff[] = [];
  for (const userId of [...users].sort()) {
    const hb = b.holdings(userId);
    const ha = a.holdings(userId);
    const gained = oneWay(a, b, ha, hb, affected);
    const lost = oneWay(b, a, hb, ha, affected);
    if (gained.length > 0 || lost.length > 0) out.push({ userId, gained, lost });
  }
  return out;
}
