// Escalation prevention when a role is given out (docs/decisions.md, the Kubernetes
// RBAC rule): the actor must already be allowed everything the role would allow
// within the scope, unless the actor holds `escalate` on that role. Callers run
// this inside a PolicyWriter write, so the engine is the state being changed.
import type { Engine } from "../../engine";
import { holdsEscalate, roleDocOf, throwRefusal, type Refusal } from "../access-model/escalation";
import { enginePrincipal } from "../engine-principal";
import { DomainError } from "../errors";
import type { RoleRecord } from "../model";
import type { Principal } from "../principal";

/** ESCALATION_DENIED (thrown, or handed to `refuse`), naming the first capability the actor lacks, unless the actor may give `role` within `scope`. */
export function assertMayGiveRole(
  engine: Engine,
  actor: Principal,
  role: RoleRecord,
  scope: string,
  refuse: Refusal = throwRefusal,
): void {
  if (holdsEscalate(engine, actor, role.name)) return;
  const cover = engine.coversRole(enginePrincipal(actor), roleDocOf(role), scope);
  if (cover.covered) return;
  const where = scope === "" ? "everywhere" : `in scope '${scope}'`;
  refuse(
    new DomainError(
      "ESCALATION_DENIED",
      `giving role '${role.name}' ${where} would allow ${cover.missing}, which you may not do yourself: ${cover.explanation}`,
      { capability: cover.missing },
    ),
  );
}
