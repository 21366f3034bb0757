// Someone must remain able to administer portcullis: no write may leave the
// server without an ACTIVE user holding a superuser role everywhere, when it had
// one. "Superuser role" here means what administers the server: a role marked
// `superuser`, the built-in `admin` role the bootstrap admin holds, and every
// role inheriting one of them. Every path that can take that away (locking, deprovisioning, revoking or
// replacing grants, group membership, role edits, SSO recomputes) runs its
// change through keepingASuperuser inside its PolicyWriter write; the check reads
// the state the write has made, in the write's transaction, so a refusal rolls
// the whole write back.
import { rolesReaching } from "../access-model/escalation";
import { BUILT_IN_ADMIN_ROLE } from "../bootstrap";
import { DomainError } from "../errors";
import type { GrantRecord, RoleRecord, UserRecord } from "../model";
import type { Repositories } from "../ports/storage.port";

type Repos = Pick<Repositories, "roles" | "grants" | "users">;

/** Unscoped, active, started and never expiring: a superuser grant that makes its holder a superuser for good. */
const lasting = (g: GrantRecord, now: Date) =>
  g.active && g.scope === "" && (g.startsAt === null || g.startsAt <= now) && g.expiresAt === null;

const administers = (r: RoleRecord) => r.superuser || (r.builtIn && r.name.toLowerCase() === BUILT_IN_ADMIN_ROLE);

/**
 * ACTIVE users (not deleted by their IdP) holding a lasting, unscoped grant of a
 * role that is or inherits a superuser role, directly or through a group.
 */
export async function activeSuperusers(repos: Repos, now: Date): Promise<UserRecord[]> {
  const roles = rolesReaching(await repos.roles.all(), administers);
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

/** The refusal (reason LAST_SUPERUSER): names who would stop being the last superuser. */
export function lastSuperuser(before: readonly UserRecord[], what: string): DomainError {
  const who = before
    .map((u) => u.email)
    .sort()
    .slice(0, 3)
    .join(", ");
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
