// Escalation checks for issuing a token (createToken, rotateToken):
// docs/concepts.md, docs/decisions.md. A secret handed out is as good as a new
// grant, so rotation is checked exactly like creation.
import type { Engine } from "../../engine";
import { holdsEscalate, roleDocOf } from "../access-model/escalation";
import { enginePrincipal } from "../engine-principal";
import { DomainError } from "../errors";
import type { RoleRecord } from "../model";
import type { Principal } from "../principal";

export interface TokenIssue {
  /** The compiled state the write will change (the policy writer's). */
  engine: Engine;
  actor: Principal;
  /** The roles of the calling token when the caller authenticated with a token, else null. */
  actorTokenRoles: string[] | null;
  ownerId: string;
  /** The token's own roles; empty means all of the owner's roles. */
  roles: RoleRecord[];
  /** The roles the owner holds now, for a token that carries them all. */
  ownerRoles: RoleRecord[];
  breakGlass: boolean;
}

/**
 * Lower-cased names of `roles` and of every role they inherit: holding
 * deployer, which inherits viewer, is holding viewer.
 */
function withInherited(engine: Engine, roles: readonly string[]): Set<string> {
  const refs = engine.roleRefs();
  const out = new Set<string>();
  const visit = (name: string) => {
    if (out.has(name.toLowerCase())) return;
    out.add(name.toLowerCase());
    for (const parent of refs.roleInherits(name) ?? []) visit(parent);
  };
  roles.forEach(visit);
  return out;
}

function denied(message: string, capability: string | undefined): DomainError {
  return new DomainError("ESCALATION_DENIED", message, capability === undefined ? {} : { capability });
}

/**
 * Throws ESCALATION_DENIED, naming the first capability missing, when:
 * - the token asks for a role its owner does not hold now (granted or inherited);
 * - it is a break-glass token and the actor is neither a superuser nor allowed
 *   `escalate` on roles (a break-glass token never expires, so issuing one is
 *   reserved to those who may hand out any role anyway);
 * - someone else's token, or one minted with a token limited to some roles,
 *   would allow what the actor may not do (each of its roles must be covered
 *   by the actor everywhere), unless the actor may `escalate` that role.
 */
export function checkTokenIssue(issue: TokenIssue): void {
  const { engine, actor, ownerId } = issue;
  const held = withInherited(engine, engine.rolesOf(ownerId));
  for (const role of issue.roles) {
    if (held.has(role.name.toLowerCase())) continue;
    const cover = engine.coversRole({ kind: "user", userId: ownerId }, roleDocOf(role), "");
    const why = cover.covered ? "" : `: ${cover.explanation}`;
    throw denied(`the token's owner does not hold role ${role.name}${why}`, cover.covered ? undefined : cover.missing);
  }

  const self = ownerId === actor.user.id;
  const escalates = (roleName: string) => holdsEscalate(engine, actor, roleName);

  if (issue.breakGlass && !engine.isSuperuser(enginePrincipal(actor)) && !escalates("")) {
    throw denied("only a superuser or a holder of role:escalate may issue a break-glass token", "role:escalate");
  }

  const limitedActor = issue.actorTokenRoles !== null && issue.actorTokenRoles.length > 0;
  if (self && !limitedActor) return;
  const actorRoles = withInherited(engine, issue.actorTokenRoles ?? []);
  for (const role of issue.roles.length > 0 ? issue.roles : issue.ownerRoles) {
    if (self && actorRoles.has(role.name.toLowerCase())) continue;
    if (escalates(role.name)) continue;
    const cover = engine.coversRole(enginePrincipal(actor), roleDocOf(role), "");
    if (!cover.covered)
      throw denied(
        `the token's role ${role.name} would allow more than the caller may do: ${cover.explanation}`,
        cover.missing,
      );
  }
}
