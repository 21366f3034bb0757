// Ending and stepping up sessions (docs/concepts.md). Sessions are credentials, not
// policy state: these writes bypass the PolicyWriter (a logout must not make
// every instance recompile), but each one empties this instance's credential
// cache through `onChanged`, so the very next request sees it; other instances'
// caches keep a session for at most their 1-second bound.
import { actorFields } from "../audit/audit-actor";
import type { AuditLog } from "../audit/group-commit-audit-log";
import { DomainError } from "../errors";
import type { SessionRecord } from "../model";
import type { PolicyRuntime } from "../policy/policy-runtime";
import type { Storage } from "../ports/storage.port";
import type { Principal } from "../principal";

export interface SessionServiceDeps {
  storage: Storage;
  runtime: PolicyRuntime;
  audit: AuditLog;
  /** Called after every change to a session (the credential cache listens). */
  onChanged: () => void;
  now?: () => Date;
}

export class SessionService {
  private readonly now: () => Date;

  constructor(private readonly deps: SessionServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** The caller's own session; UNAUTHENTICATED for a token, which has none. */
  async current(principal: Principal): Promise<SessionRecord> {
    const session =
      principal.credential.kind === "session"
        ? await this.deps.storage.sessions.get(principal.credential.sessionId)
        : null;
    if (session === null)
      throw new DomainError("UNAUTHENTICATED", "this needs a session credential (an SSO login), not a token");
    return session;
  }

  /**
   * The sessions of `userId` (the caller's own when null), oldest first; ended ones
   * (revoked or expired) only with `includeEnded`. The guard has decided whether the
   * caller may see another user's. Never the secrets: storage keeps only their hashes.
   */
  async list(caller: Principal, userId: string | null, includeEnded: boolean): Promise<SessionRecord[]> {
    const ownerId = userId ?? caller.user.id;
    if (ownerId !== caller.user.id && !(await this.deps.storage.users.get(ownerId)))
      throw new DomainError("NOT_FOUND", `no user with id '${ownerId}'`, { field: "userId" });
    return this.deps.storage.sessions.listByUser(ownerId, includeEnded, this.now());
  }

  /** Ends the caller's session and audits it (operation `logout`); false when it had already ended. */
  async logout(principal: Principal, requestId: string): Promise<boolean> {
    const session = await this.current(principal);
    const ended = await this.deps.storage.sessions.revoke(session.id, this.now());
    this.deps.onChanged();
    await this.deps.audit.record({
      time: this.now(),
      ...actorFields(principal, this.deps.runtime.engine()),
      operation: "logout",
      action: "logout",
      resourceType: null,
      resourceNamespace: null,
      resourceName: null,
      subjectId: principal.user.id,
      decision: "ALLOW",
      reason: "ALLOWED",
      requestId,
      metadata: { sessionId: session.id, ended },
    });
    return ended;
  }

  /** Marks the caller's session MFA-verified until `until`. */
  async markVerified(principal: Principal, until: Date): Promise<void> {
    const session = await this.current(principal);
    await this.deps.storage.sessions.update({ ...session, mfaVerifiedUntil: until });
    this.deps.onChanged();
  }
}
