// The audit events of the authentication layer. Every failure of every
// strategy (bearer, session cookie, SAML, OIDC, LDAP, a deployment's own) is
// one `authenticate` DENY event written by `auditAuthenticationFailure`: the
// strategy as its `action`, the reason as `metadata.failure`; nothing else
// writes that event.
import type { AuthResult } from "../auth/bearer-authenticator";
import { actorFields } from "../domain/audit/audit-actor";
import type { Services } from "../app-services";

/** Who was refused and why: the strategy, the failure, and what the strategy knows besides. */
export interface AuthenticationFailure {
  /** The event's action; null when the request was refused before any strategy ran (the /auth rate limit). */
  strategy: string | null;
  failure: string;
  /** The token the caller presented, when the failure is about one. */
  tokenId?: string | null;
  /** Strategy-specific facts (provider, credential id, the IdP's problem…), kept in the event's metadata. */
  details?: Record<string, unknown>;
}

export async function auditAuthenticationFailure(
  services: Services,
  refusal: AuthenticationFailure,
  sourceIp: string | null,
  requestId: string,
): Promise<void> {
  await services.audit.record({
    time: new Date(),
    actorId: null,
    actorEmail: null,
    actorRoles: [],
    tokenId: refusal.tokenId ?? null,
    sourceIp,
    operation: "authenticate",
    action: refusal.strategy,
    resourceType: null,
    resourceNamespace: null,
    resourceName: null,
    subjectId: null,
    requestId,
    decision: "DENY",
    reason: "UNAUTHENTICATED",
    metadata: { failure: refusal.failure, ...refusal.details },
  });
}

/**
 * Failed authentications are decisions too, and so is every use of a break-glass
 * token. Written before the request goes on; if it cannot be written, the request fails.
 */
export async function auditAuthentication(
  services: Services,
  auth: AuthResult & { strategy?: string },
  sourceIp: string | null,
  requestId: string,
): Promise<void> {
  const strategy = auth.strategy ?? "bearer";
  if (!auth.ok) {
    // Refused by a limit: one event when the window's limit is first passed, none for the requests after it.
    if (auth.rateLimit !== undefined && !auth.rateLimit.first) return;
    const credential =
      auth.credentialId !== undefined ? { credentialKind: auth.credentialKind, credentialId: auth.credentialId } : {};
    const limit =
      auth.rateLimit === undefined
        ? {}
        : {
            rateLimit: {
              limit: auth.rateLimit.limit,
              points: auth.rateLimit.points,
              windowSeconds: auth.rateLimit.windowSeconds,
              retryAfterSeconds: auth.rateLimit.retryAfterSeconds,
            },
          };
    const tokenId =
      auth.rateLimit === undefined && auth.credentialId !== undefined && auth.credentialKind === "token"
        ? auth.credentialId
        : null;
    await auditAuthenticationFailure(
      services,
      {
        strategy,
        failure: auth.rateLimit ? "rate_limited" : auth.failure,
        tokenId,
        details: { ...limit, ...credential },
      },
      sourceIp,
      requestId,
    );
    return;
  }
  const { principal } = auth;
  if (principal.credential.kind === "token" && principal.credential.breakGlass) {
    await services.audit.record({
      time: new Date(),
      operation: "authenticate",
      action: null,
      resourceType: null,
      resourceNamespace: null,
      resourceName: null,
      subjectId: null,
      requestId,
      ...actorFields(principal, services.runtime.engine()),
      decision: "ALLOW",
      reason: "ALLOWED",
      metadata: { breakGlass: true },
    });
  }
}
