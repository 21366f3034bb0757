import type { Engine } from "../../engine";
import type { Principal } from "../principal";
import { isSystemActor, type SystemActor } from "../system-actor";
import type { AuditEventInput } from "./audit-event";

type ActorFields = Pick<AuditEventInput, "actorId" | "actorEmail" | "actorRoles" | "tokenId" | "sourceIp">;

/** Who acted, as the audit trail records it: the roles are those held at the time. A system actor holds none. */
export function actorFields(principal: Principal | SystemActor, engine: Engine): ActorFields {
  if (isSystemActor(principal)) {
    return { actorId: `system:${principal.name}`, actorEmail: null, actorRoles: [], tokenId: null, sourceIp: null };
  }
  return {
    actorId: principal.user.id,
    actorEmail: principal.user.email,
    actorRoles: engine.rolesOf(principal.user.id),
    tokenId: principal.credential.kind === "token" ? principal.credential.tokenId : null,
    sourceIp: principal.sourceIp,
  };
}

/** Metadata every event of this credential carries: uses of break-glass tokens are flagged. */
export function credentialMetadata(principal: Principal): Record<string, unknown> | null {
  if (principal.credential.kind === "token" && principal.credential.breakGlass) return { breakGlass: true };
  if (principal.credential.kind === "session") return { sessionId: principal.credential.sessionId, mfa: principal.mfa };
  return null;
}
