// Someone must remain able to administer portcullis: no write may leave the
// server without an ACTIVE user holding a superuser role everywhere, when it had
// one. "Superuser role" here means what administers the server: a role marked
// `superuser`, the built-in `admin` role the bootstrap admin holds, and every
// role inheriting one of them. Every path that can take that away (locking, deprovisioning, revoking or
// replacing grants, group membership, role edits, SSO recomputes) runs its
// change through keepingASuperuser inside its PolicyWriter write; the check reads
// the state the write has made, in the write's transaction, so a refusal rolls
// the whole write back.
//
// A `superuser` role allows everything whatever its policies say, but the
// built-in admin role administers through its policies (admin-all). Writes that
// change policies or roles (updatePolicy, updateRole, a bundle) therefore also
// run through keepingAdminPowers: the admin role must keep every power it had
// to repair access (grant itself, edit itself and its policies) while ACTIVE
// users hold it and nobody holds a superuser role.
import { rolesReaching, roleDocOf } from "../access-model/escalation";
import { BUILT_IN_ADMIN_ROLE } from "../bootstrap";
import { Engine, parsePolicyDocument } from "../../engine";
import type { PolicyDoc } from "../../engine/types";
import { DomainError } from "../errors";
import type { GrantRecord, RoleRecord, UserRecord } from "../model";
import type { Repositories } from "../ports/storage.port";

type Repos = Pick<Repositories, "roles" | "grants" | "users">;
type PowerRepos = Repos & Pick<Repositories, "policies" | "resourceTypes">;

/** Unscoped, active, started and never expiring: a superuser grant that makes its holder a superuser for good. */
const lasting = (g: GrantRecord, now: Date) =>
  g.active && g.scope === "" && (g.startsAt === null || g.startsAt <= now) && g.expiresAt === null;

const administers = (r: RoleRecord) => r.superuser || (r.builtIn && r.name.toLowerCase() === BUILT_IN_ADMIN_ROLE);

/**
 * ACTIVE users (not deleted by their IdP) holding a lasting, unscoped grant of a
 * role that is or inherits a superuser role, directly or through a group.
 */
export async function activeSuperusers(repos: Repos, now: Date): Promise<UserRecord[]> {
  return activeHolders(repos, now, rolesReaching(await repos.roles.all(), administers));
}

/** ACTIVE users (not deleted by their IdP) holding a lasting, unscoped grant of one of `roles`, directly or through a group. */
async function activeHolders(repos: Repos, now: Date, roles: readonly RoleRecord[]): Promise<UserRecord[]> {
  const ids = new Set<string>();
  const groups = new Set<string>();
  for (const role of roles) {
    for (const g of await repos.grants.list({ role: role.name, includeInactive: true })) {
      if (!lasting(g, now)) continue;
      if (g.userId !== null) ids.add(g.userId);
      else if (g.group !== null) groups.add(g.group);
    }
  }
  for (const group of groups) for (const u of await repos.users.membersOf(group)) ids.add(u.id);
  return (await repos.users.getMany([...ids])).filter((u) => u.status === "ACTIVE" && !u.removedAt);
}

/**
 * Runs `work` (a part of a policy write) and throws CONFLICT if there was an
 * ACTIVE superuser before it and there is none after; `what` names the change.
 */
export async function keepingASuperuser<T>(repos: Repos, now: Date, what: string, work: () => Promise<T>): Promise<T> {
  const before = await activeSuperusers(repos, now);
  const result = await work();
  if (before.length > 0 && (await activeSuperusers(repos, now)).length === 0) throw lastSuperuser(before, what);
  return result;
}

/** The first three emails of `users`, sorted, for a refusal's message. */
function firstEmails(users: readonly UserRecord[]): string {
  return users
    .map((u) => u.email)
    .sort()
    .slice(0, 3)
    .join(", ");
}

/** The refusal (reason LAST_SUPERUSER): names who would stop being the last superuser. */
export function lastSuperuser(before: readonly UserRecord[], what: string): DomainError {
  const who = firstEmails(before);
  return new DomainError(
    "CONFLICT",
    `${what} would leave no ACTIVE superuser (${who} ${before.length === 1 ? "is the last one" : "are the last ones"}): ` +
      "give another user a lasting superuser grant first",
    { reason: "LAST_SUPERUSER" },
  );
}

/** Lower-cased names of the roles that are or inherit a superuser role (the built-in admin role included). */
export async function superuserRoleNames(repos: Pick<Repositories, "roles">): Promise<Set<string>> {
  return new Set(rolesReaching(await repos.roles.all(), administers).map((r) => r.name.toLowerCase()));
}

/** A power the admin role needs to repair access: `capability` on `type`, for a resource named `name`. */
interface Power {
  type: string;
  capability: string;
  name: string;
}

const PROBE_USER = "admin-powers-probe";

/** The repair powers to keep: grant and update the admin role, update each policy it uses. */
function repairPowers(admin: RoleRecord): Power[] {
  return [
    { type: "grant", capability: "create", name: admin.name },
    { type: "role", capability: "update", name: admin.name },
    ...admin.policies.map((p) => ({ type: "policy", capability: "update", name: p })),
  ];
}

/**
 * Which of `powers` a holder of the built-in admin role (and nothing else) has
 * in the stored state, with MFA and from an unknown address: the admin role,
 * the roles it inherits and their policies compiled on their own.
 */
async function powersHeld(
  repos: PowerRepos,
  all: readonly RoleRecord[],
  admin: RoleRecord,
  powers: readonly Power[],
): Promise<Set<string>> {
  const byName = new Map(all.map((r) => [r.name.toLowerCase(), r]));
  const closure = new Map<string, RoleRecord>();
  const visit = (role: RoleRecord) => {
    if (closure.has(role.name.toLowerCase())) return;
    closure.set(role.name.toLowerCase(), role);
    for (const parent of role.inherits) {
      const found = byName.get(parent.toLowerCase());
      if (found) visit(found);
    }
  };
  visit(admin);
  const types = (await repos.resourceTypes.all()).map(({ name, capabilities }) => ({ name, capabilities }));
  const typeMap = new Map(types.map((t) => [t.name, t]));
  const policies = new Map<string, PolicyDoc>();
  for (const role of closure.values()) {
    for (const name of role.policies) {
      if (policies.has(name.toLowerCase())) continue;
      const record = await repos.policies.get(name);
      if (record) policies.set(name.toLowerCase(), parsePolicyDocument(record.document, typeMap));
    }
  }
  const engine = Engine.compile({
    types,
    policies: [...policies.values()],
    roles: [...closure.values()].map(roleDocOf),
    users: [{ id: PROBE_USER, status: "ACTIVE", groups: [] }],
    grants: [
      {
        id: PROBE_USER,
        role: admin.name,
        subject: { type: "USER", userId: PROBE_USER },
        scope: "",
        active: true,
        startsAt: null,
        expiresAt: null,
      },
    ],
    tokens: [],
  });
  const held = new Set<string>();
  for (const p of powers) {
    const resource = { type: p.type, namespace: "system", name: p.name, labels: {} };
    const decision = engine.check({ kind: "user", userId: PROBE_USER }, p.capability, resource, {
      mfa: true,
      sourceIp: null,
    });
    if (decision.allowed) held.add(`${p.type}:${p.capability} on '${p.name}'`);
  }
  return held;
}

/** The built-in admin role among the stored roles when it is not a superuser role, or null (a store never bootstrapped). */
function policyDrivenAdmin(all: readonly RoleRecord[]): RoleRecord | null {
  return all.find((r) => r.builtIn && !r.superuser && r.name.toLowerCase() === BUILT_IN_ADMIN_ROLE) ?? null;
}

/** The admin role's repair powers before a write, to compare with after it (see keepingAdminPowers). */
export interface AdminPowers {
  admin: RoleRecord;
  powers: Power[];
  held: Set<string>;
}

/** Reads the admin role's repair powers before a write; null when there is no policy-driven admin role. */
export async function adminPowersBefore(repos: PowerRepos): Promise<AdminPowers | null> {
  const all = await repos.roles.all();
  const admin = policyDrivenAdmin(all);
  if (admin === null) return null;
  const powers = repairPowers(admin);
  return { admin, powers, held: await powersHeld(repos, all, admin, powers) };
}

/**
 * After a write that changed policies or roles: throws CONFLICT (LAST_SUPERUSER)
 * when the admin role lost a repair power it had before while ACTIVE users hold
 * it lastingly and no ACTIVE user holds a `superuser` role (who could repair
 * anything). `what` names the change.
 */
export async function assertAdminPowersKept(
  repos: PowerRepos,
  now: Date,
  before: AdminPowers | null,
  what: string,
): Promise<void> {
  if (before === null || before.held.size === 0) return;
  const all = await repos.roles.all();
  const admin = policyDrivenAdmin(all);
  if (admin === null) return;
  const after = await powersHeld(repos, all, admin, before.powers);
  const lost = [...before.held].filter((p) => !after.has(p));
  if (lost.length === 0) return;
  const superusers = await activeHolders(
    repos,
    now,
    rolesReaching(all, (r) => r.superuser),
  );
  if (superusers.length > 0) return;
  const holders = await activeHolders(
    repos,
    now,
    rolesReaching(all, (r) => r === admin),
  );
  if (holders.length === 0) return;
  const who = firstEmails(holders);
  throw new DomainError(
    "CONFLICT",
    `${what} would take ${lost.join(", ")} from the built-in ${admin.name} role, which administers portcullis ` +
      `(held by ${who}) while nobody holds a superuser role: keep those rules, or give someone a lasting superuser grant first`,
    { reason: "LAST_SUPERUSER" },
  );
}

/** Runs `work` (a write that may change policies or roles) and then assertAdminPowersKept. */
export async function keepingAdminPowers<T>(
  repos: PowerRepos,
  now: Date,
  what: string,
  work: () => Promise<T>,
): Promise<T> {
  const before = await adminPowersBefore(repos);
  const result = await work();
  await assertAdminPowersKept(repos, now, before, what);
  return result;
}
