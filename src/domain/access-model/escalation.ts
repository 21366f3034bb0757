// Escalation prevention for writes to the access model (docs/decisions.md, the
// Kubernetes RBAC rule): what a write would allow must already be allowed to the
// actor. Holding `escalate` on `role` lifts the rule.
import type { Engine } from "../../engine";
import type { CoverResult, RoleDoc, RuleSpec } from "../../engine/types";
import { callerContext, enginePrincipal } from "../engine-principal";
import { DomainError } from "../errors";
import type { RoleRecord } from "../model";
import type { Principal } from "../principal";

/**
 * Whether the actor holds `escalate` on the role named `roleName`, decided with
 * the facts of the actor's own request. Writes that are not about one role
 * (policies, resource types) pass "", which only a grant of `escalate` not
 * narrowed to particular role names matches.
 */
export function holdsEscalate(engine: Engine, actor: Principal, roleName: string): boolean {
  const resource = { type: "role", namespace: "system", name: roleName, labels: {} };
  return engine.check(enginePrincipal(actor), "escalate", resource, callerContext(actor)).allowed;
}

/**
 * Where an escalation refusal goes. A write throws it (the default); a bundle's
 * dry run collects every one instead, so that a reviewer sees them all.
 */
export type Refusal = (refusal: DomainError) => void;
export const throwRefusal: Refusal = (refusal) => {
  throw refusal;
};

/** ESCALATION_DENIED naming the first missing `type:capability`, handed to `refuse` (thrown by default). */
export function requireCovered(result: CoverResult, what: string, refuse: Refusal = throwRefusal): void {
  if (result.covered) return;
  refuse(
    new DomainError("ESCALATION_DENIED", `${what} would allow more than you may do yourself: ${result.explanation}`, {
      capability: result.missing,
    }),
  );
}

/** The engine's form of a stored role (the inverse of roleRecordFromDoc). */
export function roleDocOf(r: RoleRecord): RoleDoc {
  return {
    name: r.name,
    description: r.description,
    policies: [...r.policies],
    inherits: [...r.inherits],
    options: { maxSessionTtlSeconds: r.maxSessionTtlSeconds, requireSessionMfa: r.requireSessionMfa },
    request: { roles: [...r.requestableRoles], approvals: r.approvalsRequired, denials: r.denialsRequired },
    reviewRequests: { roles: [...r.reviewableRoles] },
    superuser: r.superuser,
  };
}

/** Roles that inherit, directly or through others, any role that `seed` selects; the selected roles included. */
export function rolesReaching(roles: readonly RoleRecord[], seed: (role: RoleRecord) => boolean): RoleRecord[] {
  const reached = new Map<string, RoleRecord>();
  for (const role of roles) if (seed(role)) reached.set(role.name.toLowerCase(), role);
  let grew = true;
  while (grew) {
    grew = false;
    for (const role of roles) {
      const key = role.name.toLowerCase();
      if (!reached.has(key) && role.inherits.some((parent) => reached.has(parent.toLowerCase()))) {
        reached.set(key, role);
        grew = true;
      }
    }
  }
  return [...reached.values()];
}

/**
 * Whether some deny among `before` is gone from `after` (removed or changed).
 * Losing a deny widens every allow it used to cut, including allows that come
 * from other policies and roles, so such a write is checked more widely.
 */
export function losesDeny(before: readonly RuleSpec[], after: readonly RuleSpec[]): boolean {
  const kept = new Set(after.filter((r) => r.effect === "DENY").map((r) => JSON.stringify(r)));
  return before.some((r) => r.effect === "DENY" && !kept.has(JSON.stringify(r)));
}
