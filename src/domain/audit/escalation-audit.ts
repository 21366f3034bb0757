// Every refused escalation is a decision (docs/decisions.md, Escalation prevention; docs/audit.md): whichever path
// threw DomainError("ESCALATION_DENIED") — a GraphQL mutation, SCIM, an SSO
// mapping change, token issue — the refusal is recorded as a DENY event with
// reason ESCALATION_DENIED and the missing capability in its metadata. The
// policy writer calls this when a write fails (its own transaction is rolled
// back, this event is written on its own), so no call site has to; a path that
// checks escalation outside the writer calls it with the error it throws.
import type { Engine } from "../../engine";
import { DomainError } from "../errors";
import type { Principal } from "../principal";
import { isSystemActor, type SystemActor } from "../system-actor";
import { actorFields, credentialMetadata } from "./audit-actor";
import type { AuditLog } from "./group-commit-audit-log";

/** Refusals already recorded: one event per refusal, however many layers see the error go by. */
const recorded = new WeakSet<DomainError>();

export interface RefusedWrite {
  actor: Principal | SystemActor;
  /** `Mutation.grantRole`, `SCIM PATCH /Groups`… */
  operation: string;
  requestId: string | null;
}

/** Records `err` when it is an escalation refusal not yet recorded; resolves once the event is written (rejects if it cannot be). */
export async function auditEscalationRefusal(
  audit: AuditLog,
  engine: Engine,
  write: RefusedWrite,
  err: unknown,
): Promise<void> {
  if (!(err instanceof DomainError) || err.code !== "ESCALATION_DENIED" || recorded.has(err)) return;
  recorded.add(err);
  const credential = isSystemActor(write.actor) ? null : credentialMetadata(write.actor);
  await audit.record({
    time: new Date(),
    ...actorFields(write.actor, engine),
    operation: write.operation,
    action: "change",
    resourceType: null,
    resourceNamespace: null,
    resourceName: null,
    subjectId: null,
    decision: "DENY",
    reason: "ESCALATION_DENIED",
    requestId: write.requestId,
    metadata: { ...credential, capability: err.details.capability ?? null, message: err.message },
  });
}
