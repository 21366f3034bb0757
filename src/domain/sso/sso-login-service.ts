// Just-in-time provisioning and session issue for every SSO protocol
// (docs/concepts.md, docs/sso.md). The user, the SSO grants and the session
// change in one policy write, so they are serialised with every other write,
// recorded as a change and in force on the compiled engine before the session
// secret is handed out; the login itself is then audited (operation `login`)
// before login() resolves.
import { randomUUID } from "node:crypto";
import { actorFields } from "../audit/audit-actor";
import type { AuditLog } from "../audit/group-commit-audit-log";
import { generateSecret, hashSecret, SESSION_PREFIX } from "../credentials/secret-format";
import { badInput, DomainError } from "../errors";
import type { SessionRecord, UserRecord } from "../model";
import type { PolicyRuntime } from "../policy/policy-runtime";
import type { PolicyWriter } from "../policy/policy-writer";
import { toUserDef } from "../policy-state";
import type { Storage } from "../ports/storage.port";
import type { Principal } from "../principal";
import { SSO_PROVISIONING } from "../system-actor";
import { checkEmail, checkGroups, checkText } from "../users/user-input";
import { sessionTtlSeconds } from "./session-ttl";
import { applySsoGrantChanges, checkProvider, grantSummary, recomputeSsoGrants, type SsoGrantChanges } from "./sso-grant-recompute";
import type { SsoIdentity, SsoLogin, SsoLoginRequest, SsoLoginResult } from "./sso-login";

/** Thrown inside the write to roll it back when the user may not log in. */
class Refused {
  constructor(readonly user: UserRecord) {}
}

interface Provisioned {
  user: UserRecord;
  created: boolean;
  changes: SsoGrantChanges;
  session: SessionRecord;
}

export interface SsoLoginDeps {
  storage: Storage;
  writer: PolicyWriter;
  runtime: PolicyRuntime;
  audit: AuditLog;
  now?: () => Date;
}

export class SsoLoginService implements SsoLogin {
  private readonly now: () => Date;

  constructor(private readonly deps: SsoLoginDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async login(identity: SsoIdentity, request: SsoLoginRequest): Promise<SsoLoginResult> {
    const provider = checkProvider(identity.provider, "provider");
    if (identity.source !== "SAML" && identity.source !== "OIDC") throw badInput("source", `'${String(identity.source)}' is not SAML or OIDC`);
    const externalId = checkText(identity.externalId, "externalId");
    if (externalId === null || externalId.trim() === "") throw badInput("externalId", "the identity provider sent no user id");
    const email = checkEmail(identity.email, "email");
    const displayName = checkText(identity.displayName, "displayName");
    const groups = checkGroups(identity.groups, "groups");
    const secret = generateSecret(SESSION_PREFIX);
    let done: Provisioned;
    try {
      done = await this.deps.writer.write({ actor: SSO_PROVISIONING, operation: "provision", requestId: request.requestId }, async (repos) => {
        const now = this.now();
        const found = (await repos.users.getByExternalId(identity.source, externalId)) ?? (await repos.users.getByEmail(email));
        if (found !== null && found.status !== "ACTIVE") throw new Refused(found);
        const user: UserRecord = found !== null
          ? { ...found, email, displayName, groups, externalId, lastSeenAt: now }
          : {
              id: randomUUID(), email, displayName, kind: "HUMAN", status: "ACTIVE", source: identity.source, externalId, groups,
              mfaEnrolled: false, lockedReason: null, createdAt: now, lastSeenAt: now,
            };
        if (found !== null) await repos.users.update(user);
        else await repos.users.create(user);
        const changes = await recomputeSsoGrants(repos, user, provider, now);
        const ttl = await sessionTtlSeconds(repos, user, now);
        const session: SessionRecord = {
          id: randomUUID(), userId: user.id, secretHash: hashSecret(secret), source: identity.source, mfa: identity.mfa,
          mfaVerifiedUntil: null, sourceIp: request.sourceIp, createdAt: now, expiresAt: new Date(now.getTime() + ttl * 1000),
          lastSeenAt: null, revokedAt: null,
        };
        await repos.sessions.create(session);
        return {
          result: { user, created: found === null, changes, session },
          apply: (e) => {
            e.putUser(toUserDef(user));
            applySsoGrantChanges(e, changes);
          },
          record: {
            user: email, created: found === null, provider, source: identity.source, externalId, groups,
            grantsAdded: grantSummary(changes.added), grantsRemoved: grantSummary(changes.removed), session: session.id,
          },
          resource: { type: "user", name: email },
        };
      });
    } catch (err) {
      if (err instanceof Refused) throw await this.refuse(err.user, identity, provider, request);
      throw err;
    }
    await this.auditLogin(done, identity, provider, request);
    return { userId: done.user.id, sessionId: done.session.id, sessionSecret: secret, expiresAt: done.session.expiresAt, mfa: done.session.mfa };
  }

  /** Records the refusal (nothing else was written) and returns the error to throw. */
  private async refuse(user: UserRecord, identity: SsoIdentity, provider: string, request: SsoLoginRequest): Promise<DomainError> {
    await this.deps.audit.record({
      time: this.now(), actorId: user.id, actorEmail: user.email, actorRoles: this.deps.runtime.engine().rolesOf(user.id), tokenId: null,
      sourceIp: request.sourceIp, operation: "login", action: "login", resourceType: null, resourceNamespace: null, resourceName: null,
      subjectId: user.id, decision: "DENY", reason: "USER_LOCKED", requestId: request.requestId,
      metadata: { provider, source: identity.source, status: user.status, groups: identity.groups, mfa: identity.mfa },
    });
    return new DomainError("FORBIDDEN", `${user.email} is ${user.status}: login refused`, { reason: "USER_LOCKED" });
  }

  /** Durable before login() resolves; if it cannot be written the new session is ended and the login fails. */
  private async auditLogin(done: Provisioned, identity: SsoIdentity, provider: string, request: SsoLoginRequest): Promise<void> {
    const { user, session, changes } = done;
    const principal: Principal = { user, credential: { kind: "session", sessionId: session.id }, mfa: session.mfa, sourceIp: request.sourceIp };
    try {
      await this.deps.audit.record({
        time: this.now(), ...actorFields(principal, this.deps.runtime.engine()), operation: "login", action: "login", resourceType: null,
        resourceNamespace: null, resourceName: null, subjectId: user.id, decision: "ALLOW", reason: "ALLOWED", requestId: request.requestId,
        metadata: {
          provider, source: identity.source, created: done.created, groups: user.groups, grantsAdded: grantSummary(changes.added),
          grantsRemoved: grantSummary(changes.removed), sessionId: session.id, mfa: session.mfa, expiresAt: session.expiresAt.toISOString(),
        },
      });
    } catch (err) {
      await this.deps.storage.sessions.update({ ...session, revokedAt: this.now() }).catch(() => undefined);
      throw err;
    }
  }
}
