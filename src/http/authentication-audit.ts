import type { AuthResult } from "../auth/bearer-authenticator";
import { actorFields } from "../domain/audit/audit-actor";
import type { Services } from "../app-services";

/**
 * Failed authentications are decisions too, and so is every use of a break-glass
 * token. Written before the request goes on; if it cannot be written, the request fails.
 */
export async function auditAuthentication(
  services: Services,
  auth: AuthResult,
  sourceIp: string | null,
  requestId: string,
): Promise<void> {
  const base = {
    time: new Date(),
    actorRoles: [] as string[],
    sourceIp,
    operation: "authenticate",
    action: null,
    resourceType: null,
    resourceNamespace: null,
    resourceName: null,
    subjectId: null,
    requestId,
  };
  if (!auth.ok && auth.rateLimit !== undefined) {
    // Refused by a limit: one event when the window's limit is first passed, none for the requests after it.
    if (!auth.rateLimit.first) return;
    const { limit, points, windowSeconds, retryAfterSeconds } = auth.rateLimit;
    await services.audit.record({
      ...base,
      actorId: null,
      actorEmail: null,
      tokenId: null,
      decision: "DENY",
      reason: "UNAUTHENTICATED",
      metadata: {
        failure: "rate_limited",
        rateLimit: { limit, points, windowSeconds, retryAfterSeconds },
        ...(auth.credentialId !== undefined
          ? { credentialKind: auth.credentialKind, credentialId: auth.credentialId }
          : {}),
      },
    });
    return;
  }
  if (!auth.ok) {
    const tokenId = auth.credentialId !== undefined && auth.credentialKind === "token" ? auth.credentialId : null;
    await services.audit.record({
      ...base,
      actorId: null,
      actorEmail: null,
      tokenId,
      decision: "DENY",
      reason: "UNAUTHENTICATED",
      metadata: {
        failure: auth.failure,
        ...(auth.credentialId !== undefined
          ? { credentialKind: auth.credentialKind, credentialId: auth.credentialId }
          : {}),
      },
    });
    return;
  }
  const { principal } = auth;
  if (principal.credential.kind === "token" && principal.credential.breakGlass) {
    await services.audit.record({
      ...base,
      ...actorFields(principal, services.runtime.engine()),
      decision: "ALLOW",
      reason: "ALLOWED",
      metadata: { breakGlass: true },
    });
  }
}
