// The engine's indexed state and its incremental maintenance.
//
// Policies are compiled when stored; roles are compiled on first use and dropped
// when anything they were built from changes. A user's grants are kept as
// stored; the per-user list the decision loop reads (GrantEntry) is built on
// first use and dropped when one of its grants, the user or its groups change.
// The grant-id index and the per-role grant lists are built on first need (a
// grant update, whoCan), which a bulk load never has.

import { CompiledPolicy } from "./compiled-policy";
import { GlobCache } from "./compiled-rule";
import { CompiledRole } from "./compiled-role";
import { grantEntry, unscopedEntry, userRecord, type GrantEntry, type RoleSlot, type UserRecord } from "./grant-entry";
import { roleKey } from "./role-closure";
import { typePairs, type PairRegistry, type TypePairs } from "./rule-group";
import {
  LEVELS,
  SYSTEM_TYPES,
  type GrantDef,
  type PolicyDoc,
  type PolicyState,
  type ResourceTypeDef,
  type RoleDoc,
  type TokenDef,
  type UserDef,
} from "./types";

const SYSTEM: ReadonlySet<string> = new Set(SYSTEM_TYPES);

export interface CapabilityInfo {
  /** Index into LEVELS. */
  level: number;
  /** Id of the (type, capability) pair. */
  pair: number;
}

export interface TypeInfo {
  def: ResourceTypeDef;
  infrastructure: boolean;
  capabilities: Map<string, CapabilityInfo>;
  pairs: Array<{ level: number; pair: number; capability: string }>;
}

const byId = (a: GrantDef, b: GrantDef) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const remove = <T>(list: T[], item: T) => {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
};

export class PolicyIndex implements PairRegistry {
  readonly types = new Map<string, TypeInfo>();
  readonly policies = new Map<string, CompiledPolicy>();
  readonly roles = new Map<string, RoleDoc>();
  /** By lower-cased role name. */
  readonly slots = new Map<string, RoleSlot>();
  readonly records = new Map<string, UserRecord>();
  readonly tokens = new Map<string, TokenDef>();
  readonly grantsByGroup = new Map<string, GrantDef[]>();
  readonly groupMembers = new Map<string, Set<string>>();
  pairCount = 0;
  /** Bumped whenever a compiled role is dropped; GrantEntry.role is valid only for the current epoch. */
  epoch = 0;
  private grantsById: Map<string, GrantDef> | null = null;
  private slotGrantsBuilt = false;
  private infrastructure: string[] = [];
  private loading = false;
  private readonly slotByName = new Map<string, RoleSlot>();
  private readonly scopePrefixes = new Map<string, string>();
  private readonly tokenEntries = new Map<string, GrantEntry[]>();
  private readonly globs = new GlobCache();
  /** pairFilters() by type name ("*" for every infrastructure type); emptied when a type changes. */
  private readonly pairFilterCache = new Map<string, TypePairs | null>();
  private readonly lookup = {
    policy: (name: string) => this.policies.get(name.toLowerCase()),
    role: (name: string) => this.roles.get(roleKey(name)),
  };

  load(state: PolicyState): void {
    this.loading = true;
    for (const t of state.types) this.putType(t);
    for (const p of state.policies) this.putPolicy(p);
    for (const r of state.roles) this.putRole(r);
    for (const u of state.users) this.putUser(u);
    for (const g of state.grants) this.addGrant(g);
    for (const t of state.tokens) this.putToken(t);
    this.loading = false;
    for (const slot of this.slots.values()) this.compiled(slot);
  }

  /** The state indexed here, as plain data (the objects are shared: read-only). */
  snapshot(): PolicyState {
    const users: UserDef[] = [];
    for (const record of this.records.values()) if (record.def !== null) users.push(record.def);
    return {
      types: [...this.types.values()].map((t) => t.def),
      policies: [...this.policies.values()].map((p) => p.doc),
      roles: [...this.roles.values()],
      grants: [...this.allGrants()],
      users,
      tokens: [...this.tokens.values()],
    };
  }

  /** The record of a known user. */
  user(id: string): UserRecord | undefined {
    const record = this.records.get(id);
    return record === undefined || record.def === null ? undefined : record;
  }

  putType(def: ResourceTypeDef): void {
    const old = this.types.get(def.name);
    const capabilities = new Map<string, CapabilityInfo>();
    const pairs: TypeInfo["pairs"] = [];
    for (const [capability, levelName] of Object.entries(def.capabilities)) {
      const level = LEVELS.indexOf(levelName);
      if (level < 0) continue;
      const pair = old?.capabilities.get(capability)?.pair ?? this.pairCount++;
      capabilities.set(capability, { level, pair });
      pairs.push({ level, pair, capability });
    }
    this.types.set(def.name, { def, infrastructure: !SYSTEM.has(def.name), capabilities, pairs });
    this.infrastructure = [...this.types.values()].filter((t) => t.infrastructure).map((t) => t.def.name);
    this.pairFilterCache.clear();
    if (this.loading) return;
    for (const policy of this.policies.values()) policy.seal(this);
    // Compiled roles hold their policies' pair filters, which sealing has just changed.
    this.invalidateRoles(() => true);
  }

  pairsOf(type: string): TypeInfo["pairs"] | undefined {
    return this.types.get(type)?.pairs;
  }

  infrastructureTypes(): readonly string[] {
    return this.infrastructure;
  }

  pairFilters(type: string): TypePairs | undefined {
    let pairs = this.pairFilterCache.get(type);
    if (pairs === undefined) {
      const lists =
        type === "*" ? this.infrastructure.map((t) => this.types.get(t)!.pairs) : [this.types.get(type)?.pairs];
      const known = lists.filter((list) => list !== undefined);
      pairs = known.length === 0 ? null : typePairs(known, LEVELS.length);
      this.pairFilterCache.set(type, pairs);
    }
    return pairs ?? undefined;
  }

  putPolicy(doc: PolicyDoc): void {
    const key = doc.name.toLowerCase();
    this.policies.set(key, new CompiledPolicy(doc, this.globs, this));
    this.invalidateRoles((role) => role.policyKeys.has(key));
  }

  deletePolicy(name: string): void {
    const key = name.toLowerCase();
    if (!this.policies.delete(key)) return;
    this.invalidateRoles((role) => role.policyKeys.has(key));
  }

  putRole(doc: RoleDoc): void {
    this.roles.set(roleKey(doc.name), doc);
    this.slot(doc.name);
    this.invalidateRoles((role) => role.roleKeys.has(roleKey(doc.name)));
  }

  deleteRole(name: string): void {
    if (this.roles.delete(roleKey(name))) this.invalidateRoles((role) => role.roleKeys.has(roleKey(name)));
  }

  putUser(user: UserDef): void {
    let record = this.records.get(user.id);
    if (record === undefined) this.records.set(user.id, (record = userRecord(user.id)));
    else if (record.def !== null) this.leaveGroups(record.def);
    record.def = user;
    record.status = user.status;
    record.entries = null;
    for (const group of user.groups) {
      let members = this.groupMembers.get(group);
      if (members === undefined) this.groupMembers.set(group, (members = new Set()));
      members.add(user.id);
    }
  }

  deleteUser(id: string): void {
    const record = this.records.get(id);
    if (record === undefined || record.def === null) return;
    this.leaveGroups(record.def);
    record.def = null;
    record.status = "";
    record.entries = null;
    if (record.grants.length === 0) this.records.delete(id);
  }

  putGrant(grant: GrantDef): void {
    this.deleteGrant(grant.id);
    this.addGrant(grant);
    this.forgetSubject(grant);
  }

  deleteGrant(id: string): void {
    const byId = this.grantIndex();
    const old = byId.get(id);
    if (old === undefined) return;
    byId.delete(id);
    if (this.slotGrantsBuilt) remove(this.slot(old.role).grants, old);
    if (old.subject.type === "USER") {
      const record = this.records.get(old.subject.userId)!;
      remove(record.grants, old);
      if (record.def === null && record.grants.length === 0) this.records.delete(record.id);
    } else {
      const list = this.grantsByGroup.get(old.subject.group)!;
      remove(list, old);
      if (list.length === 0) this.grantsByGroup.delete(old.subject.group);
    }
    this.forgetSubject(old);
  }

  putToken(token: TokenDef): void {
    this.tokens.set(token.id, token);
    this.tokenEntries.delete(token.id);
  }

  deleteToken(id: string): void {
    this.tokens.delete(id);
    this.tokenEntries.delete(id);
  }

  /** The role's compiled form, building it if it was dropped. */
  compiled(slot: RoleSlot): CompiledRole {
    return (
      slot.compiled ?? (slot.compiled = new CompiledRole(slot.name, this.roles.get(roleKey(slot.name)), this.lookup))
    );
  }

  /** The compiled role of a grant, remembered (with its hot fields) on the entry. */
  roleOf(entry: GrantEntry): CompiledRole {
    if (entry.role !== null && entry.epoch === this.epoch) return entry.role;
    const role = this.compiled(entry.slot);
    entry.epoch = this.epoch;
    entry.role = role;
    entry.superuser = role.superuser;
    entry.policies = role.policies;
    entry.members = role.members;
    entry.nsLo = role.nsLo;
    entry.nsHi = role.nsHi;
    entry.nameLo = role.nameLo;
    entry.nameHi = role.nameHi;
    entry.wildLo = role.wildLo;
    entry.wildHi = role.wildHi;
    return role;
  }

  slot(name: string): RoleSlot {
    let slot = this.slotByName.get(name);
    if (slot !== undefined) return slot;
    const key = roleKey(name);
    slot = this.slots.get(key);
    if (slot === undefined) this.slots.set(key, (slot = { name, compiled: null, grants: [] }));
    this.slotByName.set(name, slot);
    return slot;
  }

  /** Every grant that reaches the user, directly or through a group, ordered by grant id. */
  entriesOf(record: UserRecord): GrantEntry[] {
    if (record.entries !== null) return record.entries;
    const grants = record.grants.slice();
    const groups = record.def?.groups ?? [];
    if (groups.length > 0) {
      const seen = new Set(grants);
      for (const group of groups)
        for (const g of this.grantsByGroup.get(group) ?? []) {
          if (seen.has(g)) continue;
          seen.add(g);
          grants.push(g);
        }
    }
    grants.sort(byId);
    return (record.entries = grants.map((g) => this.entryOf(g)));
  }

  /** A token's roles as unscoped, always-valid grants. */
  entriesOfToken(token: TokenDef): GrantEntry[] {
    let entries = this.tokenEntries.get(token.id);
    if (entries !== undefined) return entries;
    entries = token.roles.map((role) => unscopedEntry(this.slot(role), token.id));
    this.tokenEntries.set(token.id, entries);
    return entries;
  }

  private entryOf(grant: GrantDef): GrantEntry {
    const scope = typeof grant.scope === "string" ? grant.scope : "";
    let scopePrefix = this.scopePrefixes.get(scope);
    if (scopePrefix === undefined) this.scopePrefixes.set(scope, (scopePrefix = `${scope}/`));
    return grantEntry(grant, this.slot(grant.role), scope, scopePrefix);
  }

  private leaveGroups(user: UserDef): void {
    for (const group of user.groups) {
      const members = this.groupMembers.get(group);
      if (members !== undefined && members.delete(user.id) && members.size === 0) this.groupMembers.delete(group);
    }
  }

  private record(id: string): UserRecord {
    let record = this.records.get(id);
    if (record === undefined) this.records.set(id, (record = userRecord(id)));
    return record;
  }

  private addGrant(grant: GrantDef): void {
    this.grantsById?.set(grant.id, grant);
    if (this.slotGrantsBuilt) this.slot(grant.role).grants.push(grant);
    if (grant.subject.type === "USER") {
      this.record(grant.subject.userId).grants.push(grant);
    } else {
      const list = this.grantsByGroup.get(grant.subject.group);
      if (list === undefined) this.grantsByGroup.set(grant.subject.group, [grant]);
      else list.push(grant);
    }
  }

  private grantIndex(): Map<string, GrantDef> {
    if (this.grantsById !== null) return this.grantsById;
    const byId = new Map<string, GrantDef>();
    for (const g of this.allGrants()) byId.set(g.id, g);
    return (this.grantsById = byId);
  }

  private *allGrants(): Iterable<GrantDef> {
    for (const record of this.records.values()) yield* record.grants;
    for (const list of this.grantsByGroup.values()) yield* list;
  }

  size(): { users: number; grants: number; rules: number } {
    let users = 0;
    let grants = 0;
    let rules = 0;
    for (const record of this.records.values()) {
      if (record.def !== null) users++;
      grants += record.grants.length;
    }
    for (const list of this.grantsByGroup.values()) grants += list.length;
    for (const policy of this.policies.values()) rules += policy.rules.length;
    return { users, grants, rules };
  }

  /** Every role slot with its grants listed. */
  grantsOfRoles(): Iterable<RoleSlot> {
    if (!this.slotGrantsBuilt) {
      for (const g of this.allGrants()) this.slot(g.role).grants.push(g);
      this.slotGrantsBuilt = true;
    }
    return this.slots.values();
  }

  private forgetSubject(grant: GrantDef): void {
    if (grant.subject.type === "USER") {
      const record = this.records.get(grant.subject.userId);
      if (record !== undefined) record.entries = null;
    } else {
      for (const id of this.groupMembers.get(grant.subject.group) ?? []) this.records.get(id)!.entries = null;
    }
  }

  private invalidateRoles(affected: (role: CompiledRole) => boolean): void {
    if (this.loading) return;
    let any = false;
    for (const slot of this.slots.values()) {
      if (slot.compiled !== null && affected(slot.compiled)) {
        slot.compiled = null;
        any = true;
      }
    }
    if (any) this.epoch++;
  }
}
