// Who may ask for which roles, who may review them, and what a request needs to
// be decided (docs/documents.md `request`/`reviewRequests`, docs/concepts.md). Pure functions over
// the stored roles and the compiled engine, shared by every path that decides.
import type { Engine } from "../../engine";
import { holdsEscalate } from "../access-model/escalation";
import type { RoleRecord } from "../model";
import type { Principal } from "../principal";

/** Without a role's maxSessionTtl, access granted by a request lasts at most this long. */
export const MAX_TTL_SECONDS = 12 * 3600;
/** ttlSeconds left out. */
export const DEFAULT_TTL_SECONDS = 3600;

const key = (name: string) => name.toLowerCase();

/** The roles `held` names plus every role they inherit, directly or through others. */
export function roleClosure(all: readonly RoleRecord[], held: readonly string[]): RoleRecord[] {
  const byName = new Map(all.map((r) => [key(r.name), r]));
  const reached = new Map<string, RoleRecord>();
  const queue = [...held];
  while (queue.length > 0) {
    const role = byName.get(key(queue.pop()!));
    if (role === undefined || reached.has(key(role.name))) continue;
    reached.set(key(role.name), role);
    queue.push(...role.inherits);
  }
  return [...reached.values()];
}

/** The roles (of the closure of the user's roles) whose `request.roles` lists `role`. */
function requestSettingsFor(closure: readonly RoleRecord[], role: string): RoleRecord[] {
  return closure.filter((r) => r.requestableRoles.some((x) => key(x) === key(role)));
}

/** The first of `roles` that no role of the closure makes requestable; null when all are. */
export function firstNotRequestable(closure: readonly RoleRecord[], roles: readonly string[]): string | null {
  return roles.find((role) => requestSettingsFor(closure, role).length === 0) ?? null;
}

/**
 * What decides a request for `roles`: the most approvals and the fewest denials
 * that any of the `request` settings granting them asks for (the stricter of
 * each, so holding one more role never makes a request easier to push through).
 */
export function thresholds(
  closure: readonly RoleRecord[],
  roles: readonly string[],
): { approvals: number; denials: number } {
  const settings = roles.flatMap((role) => requestSettingsFor(closure, role));
  if (settings.length === 0) return { approvals: 1, denials: 1 };
  return {
    approvals: Math.max(1, ...settings.map((r) => r.approvalsRequired)),
    denials: Math.min(...settings.map((r) => r.denialsRequired)),
  };
}

/** The longest access the requested roles may be given: their smallest maxSessionTtl, or 12 h when none sets one. */
export function maxTtlSeconds(requested: readonly RoleRecord[]): number {
  const limits = requested.map((r) => r.maxSessionTtlSeconds).filter((s): s is number => s !== null);
  return limits.length > 0 ? Math.min(...limits) : MAX_TTL_SECONDS;
}

/**
 * Whether the reviewer's roles list `role` under `reviewRequests.roles` (directly
 * or by inheritance), or the reviewer holds `escalate` on it.
 */
export function mayReviewRole(
  engine: Engine,
  reviewer: Principal,
  closure: readonly RoleRecord[],
  role: string,
): boolean {
  return (
    closure.some((r) => r.reviewableRoles.some((x) => key(x) === key(role))) || holdsEscalate(engine, reviewer, role)
  );
}

/** The first of `roles` the reviewer may not review; null when they may review them all. */
export function firstNotReviewable(
  engine: Engine,
  reviewer: Principal,
  closure: readonly RoleRecord[],
  roles: readonly string[],
): string | null {
  return roles.find((role) => !mayReviewRole(engine, reviewer, closure, role)) ?? null;
}
