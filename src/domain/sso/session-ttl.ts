// How long a new session lasts (docs/concepts.md): the smallest maxSessionTtl of
// the roles the user holds through current grants, direct or through groups;
// 8 hours when none of them sets one.
import type { GrantRecord, UserRecord } from "../model";
import type { Repositories } from "../ports/storage.port";

export const DEFAULT_SESSION_TTL_SECONDS = 8 * 3600;

const isCurrent = (g: GrantRecord, now: Date) =>
  g.active && (g.startsAt === null || g.startsAt <= now) && (g.expiresAt === null || now < g.expiresAt);

/** Read in the caller's transaction, so a login sees the grants it has just recomputed. */
export async function sessionTtlSeconds(
  repos: Pick<Repositories, "grants" | "roles">,
  user: UserRecord,
  now: Date,
): Promise<number> {
  const direct = await repos.grants.list({ userId: user.id, now });
  const viaGroups = (await repos.grants.forGroups(user.groups)).filter((g) => isCurrent(g, now));
  const names = new Set([...direct, ...viaGroups].map((g) => g.role.toLowerCase()));
  let ttl: number | null = null;
  for (const name of names) {
    const limit = (await repos.roles.get(name))?.maxSessionTtlSeconds ?? null;
    if (limit !== null && (ttl === null || limit < ttl)) ttl = limit;
  }
  return ttl ?? DEFAULT_SESSION_TTL_SECONDS;
}
