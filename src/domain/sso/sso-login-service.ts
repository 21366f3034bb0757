// Just-in-time provisioning and session issue for every SSO protocol
// (docs/concepts.md, docs/sso.md). The user, the SSO grants and the session
// change in one policy write, so they are serialised with every other write,
// recorded as a change and in force on the compiled engine before the session
// secret is handed out; the login itself is then audited (operation `login`)
// before login() resolves.
//
// Linking by id: an identity is (source, provider, external id), compared
// exactly (case included) on every database. The user with all three is the one
// that logs in. Several providers may speak one protocol (a partner IdP, a
// deployment's own passport strategy), so the same id from another provider is
// another identity: it never finds this user by id. A user recorded before
// providers were (externalProvider null) is claimed by the first login of its
// source that presents its id, which pins it to that provider; the login event
// says `claimed: true`.
//
// Linking by email: an identity whose external id is new is linked to the user
// with its email only when that user came from the same protocol, is not linked
// to another provider, and has no external id yet (or was provisioned by SCIM for
// this provider). A LOCAL or SERVICE user, and anyone holding a superuser role, is
// never linked by email: whoever controls an address at the IdP would otherwise
// become that user. Administrators link such a user on purpose by setting its
// externalId to the IdP's id for it (SCIM PUT/PATCH, which needs the user's roles
// covered; an id set over SCIM belongs to the SCIM provider): a LOCAL user whose
// id belongs to this provider, or a SCIM user while SCIM provisions for this
// provider, is then found by that id.
import { randomUUID } from "node:crypto";
import type { AuditEventInput } from "../audit/audit-event";
import type { AuditLog } from "../audit/group-commit-audit-log";
import { generateSecret, hashSecret, SESSION_PREFIX } from "../credentials/secret-format";
import { badInput, DomainError } from "../errors";
import { grantsHeldBy } from "../grants/identity-escalation";
import type { SessionRecord, UserRecord } from "../model";
import type { PolicyRuntime } from "../policy/policy-runtime";
import type { PolicyWriter } from "../policy/policy-writer";
import { toUserDef } from "../policy-state";
import type { Repositories, Storage } from "../ports/storage.port";
import { SSO_PROVISIONING } from "../system-actor";
import { keepingASuperuser, superuserRoleNames } from "../users/last-superuser";
import { checkEmail, checkGroups, checkText } from "../users/user-input";
import { sessionTtlSeconds } from "./session-ttl";
import {
  applySsoGrantChanges,
  checkProvider,
  grantSummary,
  recomputeSsoGrants,
  type SsoGrantChanges,
} from "./sso-grant-recompute";
import type { SsoIdentity, SsoLogin, SsoLoginRequest, SsoLoginResult } from "./sso-login";

/** Thrown inside the write to roll it back when the user may not log in; `why` is for the audit trail. */
class Refused extends Error {
  constructor(
    readonly user: UserRecord,
    readonly failure: "USER_LOCKED" | "LINK_REFUSED" | "LAST_SUPERUSER",
    readonly why: string,
  ) {
    super(why);
  }
}

interface Provisioned {
  user: UserRecord;
  created: boolean;
  /** A user recorded without a provider, now pinned to this login's. */
  claimed: boolean;
  changes: SsoGrantChanges;
  session: SessionRecord;
}

export interface SsoLoginDeps {
  storage: Storage;
  writer: PolicyWriter;
  runtime: PolicyRuntime;
  audit: AuditLog;
  /** The provider SCIM provisions users for: its users may be linked by email. */
  scimProvider?: string | null;
  now?: () => Date;
}

export class SsoLoginService implements SsoLogin {
  private readonly now: () => Date;

  constructor(private readonly deps: SsoLoginDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async login(identity: SsoIdentity, request: SsoLoginRequest): Promise<SsoLoginResult> {
    const provider = checkProvider(identity.provider, "provider");
    if (identity.source !== "SAML" && identity.source !== "OIDC" && identity.source !== "LDAP")
      throw badInput("source", `'${String(identity.source)}' is not SAML, OIDC or LDAP`);
    const externalId = checkText(identity.externalId, "externalId");
    if (externalId === null || externalId.trim() === "")
      throw badInput("externalId", "the identity provider sent no user id");
    const email = checkEmail(identity.email, "email");
    const displayName = checkText(identity.displayName, "displayName");
    const groups = checkGroups(identity.groups, "groups");
    const secret = generateSecret(SESSION_PREFIX);
    let done: Provisioned;
    try {
      done = await this.deps.writer.write(
        { actor: SSO_PROVISIONING, operation: "provision", requestId: request.requestId },
        async (repos) => {
          const now = this.now();
          const linked =
            (await repos.users.getByExternalIdentity(identity.source, provider, externalId)) ??
            (await this.linkedOnPurpose(repos, externalId, provider));
          // A row from before providers were recorded: this login pins it to its provider.
          const claimed = linked !== null && linked.source !== "SCIM" && !linked.externalProvider;
          const found = linked ?? (await repos.users.getByEmail(email));
          if (found !== null && found.status !== "ACTIVE")
            throw new Refused(found, "USER_LOCKED", `${found.email} is ${found.status}`);
          const supers = found !== null ? await superuserRoleNames(repos) : new Set<string>();
          if (found !== null && linked === null) {
            const why = await this.linkProblem(repos, found, identity, provider, supers, now);
            if (why !== null) throw new Refused(found, "LINK_REFUSED", why);
          }
          const user: UserRecord =
            found !== null
              ? { ...found, email, displayName, groups, externalId, externalProvider: provider, lastSeenAt: now }
              : {
                  id: randomUUID(),
                  email,
                  displayName,
                  kind: "HUMAN",
                  status: "ACTIVE",
                  source: identity.source,
                  externalId,
                  externalProvider: provider,
                  groups,
                  mfaEnrolled: false,
                  lockedReason: null,
                  createdAt: now,
                  lastSeenAt: now,
                };
          // New groups, or a recompute, may take a superuser role given through a group or a mapping:
          // never the last ACTIVE superuser's.
          const holdsSuperuser =
            found !== null && (await grantsHeldBy(repos, found, now)).some((g) => supers.has(g.role.toLowerCase()));
          const provisionUser = async () => {
            if (found !== null) await repos.users.update(user);
            else await repos.users.create(user);
            return recomputeSsoGrants(repos, user, provider, now);
          };
          let changes: SsoGrantChanges;
          try {
            changes = holdsSuperuser
              ? await keepingASuperuser(repos, now, "this login's groups", provisionUser)
              : await provisionUser();
          } catch (err) {
            if (err instanceof DomainError && err.details.reason === "LAST_SUPERUSER")
              throw new Refused(found!, "LAST_SUPERUSER", err.message);
            throw err;
          }
          const ttl = await sessionTtlSeconds(repos, user, now);
          const session: SessionRecord = {
            id: randomUUID(),
            userId: user.id,
            secretHash: hashSecret(secret),
            source: identity.source,
            mfa: identity.mfa,
            mfaVerifiedUntil: null,
            sourceIp: request.sourceIp,
            createdAt: now,
            expiresAt: new Date(now.getTime() + ttl * 1000),
            lastSeenAt: null,
            revokedAt: null,
          };
          await repos.sessions.create(session);
          return {
            result: { user, created: found === null, claimed, changes, session },
            apply: (e) => {
              e.putUser(toUserDef(user));
              applySsoGrantChanges(e, changes);
            },
            record: {
              user: email,
              created: found === null,
              provider,
              source: identity.source,
              externalId,
              ...(claimed ? { claimed: true } : {}),
              groups,
              grantsAdded: grantSummary(changes.added),
              grantsRemoved: grantSummary(changes.removed),
              session: session.id,
            },
            resource: { type: "user", name: email },
          };
        },
      );
    } catch (err) {
      if (err instanceof Refused) throw await this.refuse(err, identity, provider, request);
      throw err;
    }
    await this.auditLogin(done, identity, provider, request);
    return {
      userId: done.user.id,
      sessionId: done.session.id,
      sessionSecret: secret,
      expiresAt: done.session.expiresAt,
      mfa: done.session.mfa,
    };
  }

  /**
   * A LOCAL user whose externalId an administrator set to this identity's for this
   * provider (or before providers were recorded: claimed by this login), or a SCIM
   * user with this externalId while SCIM provisions for this provider.
   */
  private async linkedOnPurpose(repos: Repositories, externalId: string, provider: string): Promise<UserRecord | null> {
    const holders = (await repos.users.findByExternalId(externalId)).filter((u) => !u.removedAt);
    const local = (of: string | null) =>
      holders.find((u) => u.source === "LOCAL" && (u.externalProvider ?? null) === of);
    return (
      local(provider) ??
      local(null) ??
      holders.find((u) => u.source === "SCIM" && this.deps.scimProvider === provider) ??
      null
    );
  }

  /**
   * Why the user found by email must not be linked to this identity, or null
   * when it may be (see the header).
   */
  private async linkProblem(
    repos: Repositories,
    user: UserRecord,
    identity: SsoIdentity,
    provider: string,
    supers: Set<string>,
    now: Date,
  ): Promise<string | null> {
    const taken = `${user.email} exists and is not linked to this ${identity.source} identity`;
    if (user.kind === "SERVICE") return `${taken}: it is a service account, never linked by email`;
    if (user.source === "LOCAL") return `${taken}: it is a LOCAL user, never linked by email`;
    const superRole = (await grantsHeldBy(repos, user, now)).find((g) => supers.has(g.role.toLowerCase()));
    if (superRole) return `${taken}: it holds superuser role ${superRole.role}, never linked by email`;
    if (user.source === "SCIM") {
      return user.removedAt || this.deps.scimProvider !== provider
        ? `${taken}: it was provisioned by SCIM for another provider`
        : null;
    }
    if (user.source !== identity.source) return `${taken}: it signs in through ${user.source}`;
    if (user.externalProvider && user.externalProvider !== provider)
      return `${taken}: it is linked to provider ${user.externalProvider}`;
    if (user.externalId !== null) return `${taken}: it is linked to another ${user.source} identity`;
    return null;
  }

  /** Records the refusal (nothing else was written) and returns the error to throw. */
  private async refuse(
    refused: Refused,
    identity: SsoIdentity,
    provider: string,
    request: SsoLoginRequest,
  ): Promise<DomainError> {
    const { user, failure, why } = refused;
    await this.deps.audit.record(
      this.loginEvent(user, request, {
        decision: "DENY",
        reason: failure === "USER_LOCKED" ? "USER_LOCKED" : "UNAUTHENTICATED",
        metadata: {
          provider,
          source: identity.source,
          status: user.status,
          groups: identity.groups,
          mfa: identity.mfa,
          ...(failure === "USER_LOCKED" ? {} : { failure, why, email: identity.email }),
        },
      }),
    );
    if (failure === "USER_LOCKED")
      return new DomainError("FORBIDDEN", `${user.email} is ${user.status}: login refused`, { reason: "USER_LOCKED" });
    // The caller learns that the login was refused, not which account holds the address.
    const message =
      failure === "LINK_REFUSED"
        ? "login refused: an existing account with this email cannot be linked to this identity by email; an administrator must link it"
        : "login refused: it would take the superuser role of the last active superuser";
    return new DomainError("UNAUTHENTICATED", message, { reason: failure });
  }

  /** Durable before login() resolves; if it cannot be written the new session is ended and the login fails. */
  private async auditLogin(
    done: Provisioned,
    identity: SsoIdentity,
    provider: string,
    request: SsoLoginRequest,
  ): Promise<void> {
    const { user, session, changes } = done;
    try {
      await this.deps.audit.record(
        this.loginEvent(user, request, {
          decision: "ALLOW",
          reason: "ALLOWED",
          metadata: {
            provider,
            source: identity.source,
            created: done.created,
            ...(done.claimed ? { claimed: true } : {}),
            groups: user.groups,
            grantsAdded: grantSummary(changes.added),
            grantsRemoved: grantSummary(changes.removed),
            sessionId: session.id,
            mfa: session.mfa,
            expiresAt: session.expiresAt.toISOString(),
          },
        }),
      );
    } catch (err) {
      await this.deps.storage.sessions.update({ ...session, revokedAt: this.now() }).catch(() => undefined);
      throw err;
    }
  }

  /** A login event: the user acts for itself, from the request's address (a new session: no token). */
  private loginEvent(
    user: UserRecord,
    request: SsoLoginRequest,
    outcome: Pick<AuditEventInput, "decision" | "reason" | "metadata">,
  ): AuditEventInput {
    return {
      time: this.now(),
      actorId: user.id,
      actorEmail: user.email,
      actorRoles: this.deps.runtime.engine().rolesOf(user.id),
      tokenId: null,
      sourceIp: request.sourceIp,
      operation: "login",
      action: "login",
      resourceType: null,
      resourceNamespace: null,
      resourceName: null,
      subjectId: user.id,
      requestId: request.requestId,
      ...outcome,
    };
  }
}
