// A part of portcullis that changes the policy state on its own account, not on
// a caller's: SSO provisioning at login and the SSO grant recompute that SCIM
// triggers. DESIGN.md forbids a null actor, so such writes name their actor.
// A system actor is not a user: it has no row in `users`, no token and no
// session, so nothing can ever authenticate as it, and it is never handed to a
// permission check (only to the policy writer, for the audit record).

export interface SystemActor {
  kind: "system";
  /** Shown in the audit trail as actorId `system:<name>`. */
  name: string;
}

/**
 * Acts for the identity provider: creates and updates SSO users and keeps their
 * `source: SSO` grants equal to what the SSO mappings give. The changes are what
 * a verified assertion plus mappings that an administrator set imply; neither the
 * user logging in (who may not exist yet, and did not choose their grants) nor the
 * SCIM client (a transport) is the author.
 */
export const SSO_PROVISIONING: SystemActor = { kind: "system", name: "sso-provisioning" };

export function isSystemActor(actor: object): actor is SystemActor {
  return (actor as Partial<SystemActor>).kind === "system";
}
