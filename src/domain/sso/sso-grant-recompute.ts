// The one implementation of "a user's SSO grants follow the mappings"
// (docs/sso.md): login, SCIM group changes and mapping changes all call it
// inside their policy write, so every path computes the same grants.
import { randomUUID } from "node:crypto";
import { GlobMatcher, type Engine } from "../../engine";
import { badInput } from "../errors";
import type { GrantRecord, SsoMappingRecord, UserRecord } from "../model";
import { toGrantDef } from "../policy-state";
import type { Repositories } from "../ports/storage.port";

export const PROVIDER = /^[a-z0-9_-]{1,64}$/;

/** The provider name as stored in mappings and grants; BAD_USER_INPUT at `field` unless it is `[a-z0-9_-]{1,64}`. */
export function checkProvider(provider: string, field: string): string {
  if (!PROVIDER.test(provider))
    throw badInput(field, `'${provider.slice(0, 80)}' is not a provider name: use 1 to 64 of a-z, 0-9, '_' and '-'`);
  return provider;
}

/** Whether the mapping applies to a user with these groups: `*` applies to every user, even one with no groups. */
export function mappingApplies(mapping: Pick<SsoMappingRecord, "group">, groups: readonly string[]): boolean {
  if (mapping.group === "*") return true;
  const matcher = GlobMatcher.compile(mapping.group);
  return groups.some((g) => matcher.match(g));
}

export interface SsoGrantChanges {
  added: GrantRecord[];
  removed: GrantRecord[];
}

/** `role` or `role@scope`: how grant changes are reported. */
export const grantLabel = (g: Pick<GrantRecord, "role" | "scope">) =>
  g.scope === "" ? g.role : `${g.role}@${g.scope}`;

/** For audit metadata: what each changed grant was. */
export const grantSummary = (grants: readonly GrantRecord[]) =>
  grants.map((g) => ({ id: g.id, role: g.role, scope: g.scope }));

const keyOf = (role: string, scope: string) => `${role.toLowerCase()}\u0000${scope}`;

/**
 * Within a policy write: makes the user's `source: SSO` grants from `provider`
 * exactly one permanent grant per (role, scope) that a mapping of the provider
 * whose glob matches one of the user's groups gives. Adds what is missing,
 * deletes the rest of that provider's SSO grants (duplicates and any that were
 * made inactive or time-bound included). MANUAL and ACCESS_REQUEST grants, and
 * other providers' SSO grants, are never touched. A DEPROVISIONED user is given
 * nothing, and neither is a LOCAL user: mappings are for the provider's users,
 * and group names a LOCAL user carries were not vouched for by any provider. SSO grants have no creating user (createdById null): `source` and
 * `ssoProvider` say where they come from.
 */
export async function recomputeSsoGrants(
  repos: Repositories,
  user: UserRecord,
  provider: string,
  now: Date,
): Promise<SsoGrantChanges> {
  const mappings =
    user.status === "DEPROVISIONED" || user.source === "LOCAL" ? [] : await repos.ssoMappings.forProvider(provider);
  const wanted = new Map<string, SsoMappingRecord>();
  for (const m of mappings) {
    const key = keyOf(m.role, m.scope);
    if (!wanted.has(key) && mappingApplies(m, user.groups)) wanted.set(key, m);
  }
  const held = (await repos.grants.list({ userId: user.id, includeInactive: true })).filter(
    (g) => g.source === "SSO" && g.ssoProvider === provider,
  );
  const kept = new Set<string>();
  const removed: GrantRecord[] = [];
  for (const g of held) {
    const key = keyOf(g.role, g.scope);
    const permanent = g.active && g.startsAt === null && g.expiresAt === null;
    if (wanted.has(key) && !kept.has(key) && permanent) kept.add(key);
    else removed.push(g);
  }
  const added: GrantRecord[] = [...wanted]
    .filter(([key]) => !kept.has(key))
    .map(([, m]) => ({
      id: randomUUID(),
      subjectType: "USER",
      userId: user.id,
      group: null,
      role: m.role,
      scope: m.scope,
      active: true,
      startsAt: null,
      expiresAt: null,
      reason: `SSO mapping ${provider}: ${m.group}`,
      source: "SSO",
      ssoProvider: provider,
      accessRequestId: null,
      createdById: null,
      createdAt: now,
    }));
  for (const g of removed) await repos.grants.delete(g.id);
  for (const g of added) await repos.grants.create(g);
  return { added, removed };
}

/** Applies recomputed grants to the compiled engine, after commit. */
export function applySsoGrantChanges(engine: Engine, changes: SsoGrantChanges): void {
  for (const g of changes.removed) engine.deleteGrant(g.id);
  for (const g of changes.added) engine.putGrant(toGrantDef(g));
}
