// Changing who a principal is (its address, its external id, its groups, its
// status back to ACTIVE) hands every role it holds to whoever the new identity
// is: the IdP account that now matches, the group's new member. So such a change
// is checked as giving those roles would be (assertMayGiveRole, at each grant's
// scope): the actor must cover them or hold `escalate` on them. Callers run
// these inside a PolicyWriter write, so the engine is the state being changed.
import type { Engine } from "../../engine";
import { DomainError } from "../errors";
import type { GrantRecord, UserRecord } from "../model";
import type { Repositories } from "../ports/storage.port";
import type { Principal } from "../principal";
import { assertMayGiveRole } from "./role-escalation";

/** In force now or later: active and not expired (a grant that starts later counts). */
export const grantHeld = (g: GrantRecord, now: Date) => g.active && (g.expiresAt === null || now < g.expiresAt);

/** The user's direct grants (MANUAL, SSO and access-request ones) and its groups' grants, in force now or later. */
export async function grantsHeldBy(
  repos: Pick<Repositories, "grants">,
  user: UserRecord,
  now: Date,
): Promise<GrantRecord[]> {
  const direct = await repos.grants.list({ userId: user.id, includeInactive: true });
  const viaGroups = await repos.grants.forGroups(user.groups);
  return [...direct, ...viaGroups].filter((g) => grantHeld(g, now));
}

/**
 * Throws ESCALATION_DENIED (message prefixed with `what`, the missing capability
 * in the details) unless the actor may give the role of every grant at its
 * scope. Each role and scope is checked once.
 */
export async function assertMayGiveGrants(
  repos: Pick<Repositories, "roles">,
  engine: Engine,
  actor: Principal,
  grants: readonly Pick<GrantRecord, "role" | "scope">[],
  what: string,
): Promise<void> {
  const seen = new Set<string>();
  for (const g of grants) {
    const key = `${g.role.toLowerCase()}\u0000${g.scope}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const role = await repos.roles.get(g.role);
    if (role === null) continue;
    try {
      assertMayGiveRole(engine, actor, role, g.scope);
    } catch (err) {
      if (err instanceof DomainError && err.code === "ESCALATION_DENIED")
        throw new DomainError(err.code, `${what}: ${err.message}`, err.details);
      throw err;
    }
  }
}

/**
 * The rule for identity changes: the actor must be able to give every role
 * `user` holds, directly (SSO-mapped grants included) or through its groups.
 * `what` says what the change is, for the message ("changing the address of x").
 */
export async function assertMayChangeIdentity(
  repos: Pick<Repositories, "grants" | "roles">,
  engine: Engine,
  actor: Principal,
  user: UserRecord,
  now: Date,
  what: string,
): Promise<void> {
  await assertMayGiveGrants(
    repos,
    engine,
    actor,
    await grantsHeldBy(repos, user, now),
    `${what} hands over every role ${user.email} holds`,
  );
}
