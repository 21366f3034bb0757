// Users' lifecycle (docs/concepts.md, docs/sso.md): creation with initial roles, lock and
// unlock, ending sessions, deprovisioning. Status and grants are policy state, so
// each change goes through the PolicyWriter and reaches the engine at once; the
// authenticator refuses credentials of users who are not ACTIVE.
import { randomUUID } from "node:crypto";
import { expirePendingOfRequester } from "../access-requests/access-review-service";
import { existingUser, newGrant } from "../grants/grant-service";
import { loadRoles } from "../grants/grant-input";
import { assertMayChangeIdentity, assertMayGiveGrants, grantHeld } from "../grants/identity-escalation";
import { assertMayGiveRole } from "../grants/role-escalation";
import { badInput, DomainError } from "../errors";
import type { SessionRecord, UserKind, UserRecord } from "../model";
import type { PolicyWriter } from "../policy/policy-writer";
import { toGrantDef, toTokenDef, toUserDef } from "../policy-state";
import type { Principal } from "../principal";
import { keepingASuperuser } from "./last-superuser";
import { checkEmail, checkGroups, checkText } from "./user-input";

export interface CreateUserArgs {
  email: string;
  displayName?: string | null;
  kind?: UserKind | null;
  roles?: readonly string[] | null;
  groups?: readonly string[] | null;
}

export interface DeprovisionOptions {
  /** `Mutation.deprovisionUser` unless given (`SCIM.Users.delete`…). */
  operation?: string;
  /** Also mark the user deleted by its identity provider (`removedAt`). */
  remove?: boolean;
}

export class UserService {
  constructor(
    private readonly writer: PolicyWriter,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * A LOCAL user with unscoped MANUAL grants of `roles`. Every role passes the
   * escalation check, and so does every role the user's groups already hold
   * through group grants (putting someone in a group gives them its roles). One
   * write: a refused role creates nothing.
   */
  async createUser(actor: Principal, args: CreateUserArgs, requestId: string): Promise<UserRecord> {
    const email = checkEmail(args.email, "input.email");
    const displayName = checkText(args.displayName, "input.displayName");
    const groups = checkGroups(args.groups ?? [], "input.groups");
    return this.writer.write({ actor, operation: "Mutation.createUser", requestId }, async (repos, engine) => {
      const roles = await loadRoles(repos.roles, args.roles ?? [], "input.roles");
      if ((await repos.users.getByEmail(email)) !== null)
        throw new DomainError("CONFLICT", `a user with email '${email}' already exists`, { field: "input.email" });
      const now = this.now();
      for (const role of roles) assertMayGiveRole(engine, actor, role, "");
      const inherited = (await repos.grants.forGroups(groups)).filter((g) => grantHeld(g, now));
      await assertMayGiveGrants(repos, engine, actor, inherited, `putting ${email} in groups ${groups.join(", ")}`);
      const user: UserRecord = {
        id: randomUUID(),
        email,
        displayName,
        kind: args.kind ?? "HUMAN",
        status: "ACTIVE",
        source: "LOCAL",
        externalId: null,
        groups,
        mfaEnrolled: false,
        lockedReason: null,
        createdAt: now,
        lastSeenAt: null,
      };
      await repos.users.create(user);
      const grants = roles.map((role) =>
        newGrant(
          actor,
          role,
          { userId: user.id, group: null, scope: "", startsAt: null, expiresAt: null, reason: null },
          now,
        ),
      );
      for (const g of grants) await repos.grants.create(g);
      return {
        result: user,
        apply: (e) => {
          e.putUser(toUserDef(user));
          for (const g of grants) e.putGrant(toGrantDef(g));
        },
        record: {
          user: email,
          kind: user.kind,
          roles: roles.map((r) => r.name),
          groups,
          grantsCreated: grants.map((g) => g.id),
        },
        resource: { type: "user", name: email },
      };
    });
  }

  /**
   * LOCKED, with every session ended in the same write. Tokens are kept but fail
   * authentication while the user is locked. Locking oneself is refused (it would
   * lock the caller out); a DEPROVISIONED user is CONFLICT. Locking a locked user
   * again updates the reason. Locking the last ACTIVE superuser is CONFLICT.
   */
  async lockUser(
    actor: Principal,
    id: string,
    reason: string | null | undefined,
    requestId: string,
  ): Promise<UserRecord> {
    if (id === actor.user.id) throw badInput("id", "you cannot lock yourself: it would lock you out");
    const lockedReason = checkText(reason, "reason");
    return this.writer.write({ actor, operation: "Mutation.lockUser", requestId }, async (repos) => {
      const user = await existingUser(repos, id, "id");
      if (user.status === "DEPROVISIONED")
        throw new DomainError("CONFLICT", `${user.email} is deprovisioned and cannot be locked`, { field: "id" });
      const locked: UserRecord = { ...user, status: "LOCKED", lockedReason };
      await keepingASuperuser(repos, this.now(), `locking ${user.email}`, () => repos.users.update(locked));
      const sessionsRevoked = await repos.sessions.revokeForUser(id, this.now());
      return {
        result: locked,
        apply: (e) => e.putUser(toUserDef(locked)),
        record: { user: user.email, from: user.status, to: "LOCKED", reason: lockedReason, sessionsRevoked },
        resource: { type: "user", name: user.email },
      };
    });
  }

  /**
   * Back to ACTIVE. Only a LOCKED user can be unlocked: anything else is CONFLICT.
   * Unlocking brings every role the user holds back into force, so the actor must
   * be able to give each of them (ESCALATION_DENIED otherwise).
   */
  async unlockUser(actor: Principal, id: string, requestId: string): Promise<UserRecord> {
    return this.writer.write({ actor, operation: "Mutation.unlockUser", requestId }, async (repos, engine) => {
      const user = await existingUser(repos, id, "id");
      if (user.status !== "LOCKED")
        throw new DomainError("CONFLICT", `${user.email} is ${user.status}, not LOCKED`, { field: "id" });
      await assertMayChangeIdentity(repos, engine, actor, user, this.now(), `unlocking ${user.email}`);
      const active: UserRecord = { ...user, status: "ACTIVE", lockedReason: null };
      await repos.users.update(active);
      return {
        result: active,
        apply: (e) => e.putUser(toUserDef(active)),
        record: { user: user.email, from: "LOCKED", to: "ACTIVE", previousReason: user.lockedReason },
        resource: { type: "user", name: user.email },
      };
    });
  }

  /**
   * Back to ACTIVE after deprovisioning: an administrator's decision, never the
   * identity provider's. Nothing comes back with it (grants were deleted, tokens
   * and sessions stay revoked); a user the IdP deleted is served by SCIM again.
   * Anything but DEPROVISIONED is CONFLICT. The roles of the user's groups come
   * back with it, so the actor must be able to give each of them, as createUser
   * with those groups would need (ESCALATION_DENIED otherwise).
   */
  async reactivateUser(actor: Principal, id: string, requestId: string): Promise<UserRecord> {
    return this.writer.write({ actor, operation: "Mutation.reactivateUser", requestId }, async (repos, engine) => {
      const user = await existingUser(repos, id, "id");
      if (user.status !== "DEPROVISIONED")
        throw new DomainError("CONFLICT", `${user.email} is ${user.status}, not DEPROVISIONED`, { field: "id" });
      await assertMayChangeIdentity(repos, engine, actor, user, this.now(), `reactivating ${user.email}`);
      const active: UserRecord = { ...user, status: "ACTIVE", removedAt: null };
      await repos.users.update(active);
      return {
        result: active,
        apply: (e) => e.putUser(toUserDef(active)),
        record: {
          user: user.email,
          from: "DEPROVISIONED",
          to: "ACTIVE",
          ...(user.removedAt ? { removedAt: user.removedAt.toISOString() } : {}),
        },
        resource: { type: "user", name: user.email },
      };
    });
  }

  /** Ends every live session of the user; returns how many. */
  async revokeSessions(actor: Principal, userId: string, requestId: string): Promise<number> {
    return this.writer.write({ actor, operation: "Mutation.revokeSessions", requestId }, async (repos) => {
      const user = await existingUser(repos, userId, "userId");
      const sessionsRevoked = await repos.sessions.revokeForUser(userId, this.now());
      return {
        result: sessionsRevoked,
        record: { user: user.email, sessionsRevoked },
        resource: { type: "user", name: user.email },
      };
    });
  }

  /**
   * Ends one session of any user, as revokeSessions ends them all: a policy write, so every
   * instance forgets the session at once and open subscriptions over it are closed. A session
   * that has already ended (revoked or expired) is returned as it is, with nothing written.
   */
  async revokeSession(actor: Principal, id: string, requestId: string): Promise<SessionRecord> {
    return this.writer.write({ actor, operation: "Mutation.revokeSession", requestId }, async (repos) => {
      const session = await repos.sessions.get(id);
      if (!session) throw new DomainError("NOT_FOUND", `no session with id '${id}'`, { field: "id" });
      const now = this.now();
      if (!(await repos.sessions.revoke(id, now))) return { result: session };
      const user = await existingUser(repos, session.userId, "id");
      return {
        result: { ...session, revokedAt: now },
        record: { user: user.email, sessionId: id, source: session.source, own: session.userId === actor.user.id },
        resource: { type: "user", name: user.email },
      };
    });
  }

  /**
   * DEPROVISIONED, with every token and session revoked, every direct grant
   * deleted and every pending access request expired, in one write. Deprovisioning a deprovisioned user again changes
   * nothing and succeeds (identity providers retry). Deprovisioning oneself is refused.
   * `remove` also marks the user deleted by its identity provider (SCIM DELETE)
   * and takes it out of its groups, in the same write; `operation` names the entry point in the change record.
   * Deprovisioning the last ACTIVE superuser is CONFLICT.
   */
  async deprovisionUser(
    actor: Principal,
    id: string,
    requestId: string,
    options: DeprovisionOptions = {},
  ): Promise<UserRecord> {
    if (id === actor.user.id) throw badInput("id", "you cannot deprovision yourself: it would lock you out");
    const operation = options.operation ?? "Mutation.deprovisionUser";
    return this.writer.write({ actor, operation, requestId }, async (repos) => {
      const user = await existingUser(repos, id, "id");
      const now = this.now();
      const grants = await repos.grants.list({ userId: id, includeInactive: true });
      // A user the IdP deleted leaves its groups too: it is no longer anyone's member.
      const gone: UserRecord = {
        ...user,
        status: "DEPROVISIONED",
        ...(options.remove ? { removedAt: user.removedAt ?? now, groups: [] } : {}),
      };
      const grantsRemoved = await keepingASuperuser(repos, now, `deprovisioning ${user.email}`, async () => {
        const removed = await repos.grants.deleteForUser(id);
        await repos.users.update(gone);
        return removed;
      });
      const tokens = (await repos.tokens.listByOwner(id, false)).map((t) => ({ ...t, revokedAt: now }));
      const tokensRevoked = await repos.tokens.revokeForOwner(id, now);
      const sessionsRevoked = await repos.sessions.revokeForUser(id, now);
      // No approval could apply to them any more: they leave the reviewers' inboxes in this write.
      const expired = await expirePendingOfRequester(repos, user, now);
      return {
        result: gone,
        apply: (e) => {
          e.putUser(toUserDef(gone));
          for (const g of grants) e.deleteGrant(g.id);
          for (const t of tokens) e.putToken(toTokenDef(t));
        },
        record: {
          user: user.email,
          from: user.status,
          to: "DEPROVISIONED",
          ...(options.remove ? { removed: true, groupsLeft: user.groups } : {}),
          grantsRemoved,
          roles: [...new Set(grants.map((g) => g.role))],
          tokensRevoked,
          sessionsRevoked,
          requestsExpired: expired.length,
        },
        resource: { type: "user", name: user.email },
        events: expired,
      };
    });
  }
}
