// A grant in the form the decision loop reads, and the user and role records
// grants hang from. Kept as flat objects: a check's cost is mostly the memory it
// touches, so the fields a check needs are copied where it already looks.

import type { CompiledPolicy } from "./compiled-policy";
import type { CompiledRole, RoleMember } from "./compiled-role";
import type { GrantDef, UserDef } from "./types";

export interface RoleSlot {
  name: string;
  compiled: CompiledRole | null;
  /** Grants of this role; maintained once PolicyIndex.grantsOfRoles() has been asked for. */
  grants: GrantDef[];
}

/**
 * A grant (or a token's role, taken as an unscoped grant) in the form the
 * decision loop reads. The fields it reads on every check come first, so they
 * share the object's first cache lines.
 */
export interface GrantEntry {
  active: boolean;
  /** Whether from or until is finite (only then does the clock matter). */
  bounded: boolean;
  scope: string;
  /** The compiled role as of `epoch`, and copies of its hot fields, kept here for locality. */
  role: CompiledRole | null;
  epoch: number;
  superuser: boolean;
  /** Pair filter (rule-group.ts) of the role's glob-only rules. */
  wildLo: number;
  wildHi: number;
  nsLo: number;
  nsHi: number;
  nameLo: number;
  nameHi: number;
  policies: readonly CompiledPolicy[];
  members: readonly RoleMember[];
  /** scope + "/", for the subtree test. */
  scopePrefix: string;
  /** Valid from (inclusive) / until (exclusive), epoch milliseconds. */
  from: number;
  until: number;
  grant: GrantDef | null;
  grantId: string | null;
  /** The token whose role this is, for token-side entries. */
  tokenId: string | null;
  roleName: string;
  slot: RoleSlot;
  /** "role developer granted in scope prod (grant g7)", built on first use. */
  phrase: string | null;
}

/** Everything about one user id: the user (if known) and the grants naming it. */
export interface UserRecord {
  id: string;
  def: UserDef | null;
  /** def.status, kept here for locality; "" when the user is unknown. */
  status: string;
  /** Grants to this user directly. */
  grants: GrantDef[];
  /** Direct and group grants, ordered by grant id; null until first needed. */
  entries: GrantEntry[] | null;
}

/** A record for user id `id` with no grants yet; one literal, so every record has the same shape. */
export function userRecord(id: string): UserRecord {
  return { id, def: null, status: "", grants: [], entries: null };
}

export function timeOf(d: Date | null, missing: number): number {
  if (d === null || d === undefined) return missing;
  const t = d instanceof Date ? d.getTime() : new Date(d).getTime();
  // An unreadable bound must not widen a grant: treat it as never reached / already over.
  return Number.isNaN(t) ? -missing : t;
}

/** A grant's validity window [from, until) in epoch milliseconds; empty when inactive. */
export function grantWindow(grant: GrantDef): [number, number] {
  if (grant.active !== true) return [Infinity, -Infinity];
  return [timeOf(grant.startsAt, -Infinity), timeOf(grant.expiresAt, Infinity)];
}

export const isLive = (e: GrantEntry, now: number): boolean => e.active && now >= e.from && now < e.until;
export const NO_POLICIES: readonly CompiledPolicy[] = [];
export const NO_MEMBERS: readonly RoleMember[] = [];
export const inScope = (e: GrantEntry, namespace: string): boolean =>
  e.scope === "" || namespace === e.scope || namespace.startsWith(e.scopePrefix);
/** Whether a grant scope covers a namespace (or a narrower scope): the scope itself and everything below. */
export const scopeCovers = (scope: string, namespace: string): boolean =>
  scope === "" || namespace === scope || namespace.startsWith(`${scope}/`);

/** What tells one entry from another; the rest starts empty and is filled as the role compiles. */
type EntryIdentity = Pick<
  GrantEntry,
  "grant" | "grantId" | "tokenId" | "roleName" | "slot" | "active" | "from" | "until" | "scope" | "scopePrefix"
>;

// One object literal for every entry, so that every entry has the same shape (the decision loop reads many).
function entry(id: EntryIdentity): GrantEntry {
  return {
    active: id.active,
    bounded: id.from !== -Infinity || id.until !== Infinity,
    scope: id.scope,
    role: null,
    epoch: -1,
    superuser: false,
    wildLo: 0,
    wildHi: 0,
    nsLo: 0,
    nsHi: 0,
    nameLo: 0,
    nameHi: 0,
    policies: NO_POLICIES,
    members: NO_MEMBERS,
    scopePrefix: id.scopePrefix,
    from: id.from,
    until: id.until,
    grant: id.grant,
    grantId: id.grantId,
    tokenId: id.tokenId,
    roleName: id.roleName,
    slot: id.slot,
    phrase: null,
  };
}

/** A role held without scope or time bounds: a token's role, or a role examined on its own. */
export function unscopedEntry(slot: RoleSlot, tokenId: string | null): GrantEntry {
  return entry({
    grant: null,
    grantId: null,
    tokenId,
    roleName: slot.name,
    slot,
    active: true,
    from: -Infinity,
    until: Infinity,
    scope: "",
    scopePrefix: "/",
  });
}

/** A grant as the decision loop reads it; `scopePrefix` is scope + "/" (shared between grants). */
export function grantEntry(grant: GrantDef, slot: RoleSlot, scope: string, scopePrefix: string): GrantEntry {
  const [from, until] = grantWindow(grant);
  return entry({
    grant,
    grantId: grant.id,
    tokenId: null,
    roleName: grant.role,
    slot,
    active: grant.active === true,
    from,
    until,
    scope,
    scopePrefix,
  });
}
