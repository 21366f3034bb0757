// Grants (docs/concepts.md, docs/decisions.md): listing, giving a role to a user or group, revoking,
// and replacing a user's manual roles. Every change goes through the PolicyWriter,
// so its escalation check sees exactly the state it changes and its change record
// commits with it.
import { randomUUID } from "node:crypto";
import { badInput, DomainError } from "../errors";
import type { GrantRecord, RoleRecord, UserRecord } from "../model";
import type { PolicyWriter } from "../policy/policy-writer";
import { toGrantDef } from "../policy-state";
import type { Repositories, Storage } from "../ports/storage.port";
import type { Principal } from "../principal";
import { keepingASuperuser } from "../users/last-superuser";
import { checkText, groupNameProblem } from "../users/user-input";
import { checkScope, checkTimeBounds, loadRole, loadRoles } from "./grant-input";
import { assertMayGiveRole } from "./role-escalation";

const MAX_REASON_LENGTH = 1000;

export interface GrantArgs {
  userId?: string | null;
  group?: string | null;
  role: string;
  scope?: string | null;
  startsAt?: Date | null;
  expiresAt?: Date | null;
  reason?: string | null;
}

export interface GrantListArgs {
  userId?: string | null;
  role?: string | null;
  includeInactive?: boolean | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;
const isUnscopedManual = (g: GrantRecord) => g.source === "MANUAL" && g.scope === "";
const isPermanent = (g: GrantRecord) => g.active && g.startsAt === null && g.expiresAt === null;

export class GrantService {
  constructor(
    private readonly storage: Storage,
    private readonly writer: PolicyWriter,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Direct grants of `userId` (NOT_FOUND when there is no such user) and/or of `role` (BAD_USER_INPUT when unknown). */
  async list(args: GrantListArgs): Promise<GrantRecord[]> {
    if (args.userId != null && (await this.storage.users.get(args.userId)) === null) {
      throw new DomainError("NOT_FOUND", `no user with id '${args.userId}'`, { field: "userId" });
    }
    if (args.role != null && (await this.storage.roles.get(args.role)) === null)
      throw badInput("role", `unknown role '${args.role}'`);
    return this.storage.grants.list({
      ...(args.userId != null ? { userId: args.userId } : {}),
      ...(args.role != null ? { role: args.role } : {}),
      includeInactive: args.includeInactive ?? false,
      now: this.now(),
    });
  }

  /**
   * Gives one role to one user or group. A LOCKED user may be granted a role (it
   * applies once unlocked); a DEPROVISIONED user may not, since nothing can bring
   * them back and the grant could never apply.
   */
  async grantRole(actor: Principal, args: GrantArgs, requestId: string): Promise<GrantRecord> {
    const hasUser = args.userId != null;
    if (hasUser === (args.group != null)) throw badInput("input.userId", "give exactly one of userId and group");
    if (args.group != null) {
      const problem = groupNameProblem(args.group);
      if (problem !== null) throw badInput("input.group", problem);
    }
    const scope = checkScope(args.scope ?? "", "input.scope");
    const startsAt = args.startsAt ?? null;
    const expiresAt = args.expiresAt ?? null;
    checkTimeBounds(startsAt, expiresAt, this.now(), "input.expiresAt");
    const reason = checkText(args.reason, "input.reason", MAX_REASON_LENGTH);
    return this.writer.write({ actor, operation: "Mutation.grantRole", requestId }, async (repos, engine) => {
      const role = await loadRole(repos.roles, args.role, "input.role");
      const user = hasUser ? await existingUser(repos, args.userId!, "input.userId") : null;
      if (user?.status === "DEPROVISIONED")
        throw badInput("input.userId", `${user.email} is deprovisioned: a grant could never apply`);
      assertMayGiveRole(engine, actor, role, scope);
      const grant = newGrant(
        actor,
        role,
        { userId: user?.id ?? null, group: args.group ?? null, scope, startsAt, expiresAt, reason },
        this.now(),
      );
      await repos.grants.create(grant);
      return {
        result: grant,
        apply: (e) => e.putGrant(toGrantDef(grant)),
        record: {
          grant: grant.id,
          role: grant.role,
          user: user?.email ?? null,
          group: grant.group,
          scope,
          startsAt: iso(startsAt),
          expiresAt: iso(expiresAt),
          reason,
        },
        resource: { type: "grant", name: grant.role },
      };
    });
  }

  /**
   * true when revoked; NOT_FOUND when there is no such grant. Taking access away
   * needs no escalation check; taking the last ACTIVE superuser's superuser grant is CONFLICT.
   */
  async revokeGrant(actor: Principal, id: string, requestId: string): Promise<boolean> {
    return this.writer.write({ actor, operation: "Mutation.revokeGrant", requestId }, async (repos) => {
      const grant = await repos.grants.get(id);
      const deleted =
        grant !== null &&
        (await keepingASuperuser(repos, this.now(), `revoking grant ${id} (${grant.role})`, () =>
          repos.grants.delete(id),
        ));
      if (grant === null || !deleted) throw new DomainError("NOT_FOUND", `no grant with id '${id}'`, { field: "id" });
      const user = grant.userId !== null ? await repos.users.get(grant.userId) : null;
      return {
        result: true,
        apply: (e) => e.deleteGrant(id),
        record: {
          grant: id,
          role: grant.role,
          user: user?.email ?? null,
          group: grant.group,
          scope: grant.scope,
          source: grant.source,
        },
        resource: { type: "grant", name: id },
      };
    });
  }

  /**
   * Leaves the user with exactly one permanent, unscoped MANUAL grant per role
   * named. A permanent unscoped manual grant of a named role is kept as it is;
   * every other unscoped manual grant (other roles, time-bound ones) is replaced.
   * SSO, access-request and scoped grants are untouched. Each grant created passes
   * the escalation check. Returns the user's direct grants, in any state.
   * Leaving no ACTIVE superuser is CONFLICT.
   */
  async setUserRoles(
    actor: Principal,
    userId: string,
    roles: readonly string[],
    requestId: string,
  ): Promise<GrantRecord[]> {
    return this.writer.write({ actor, operation: "Mutation.setUserRoles", requestId }, async (repos, engine) => {
      const user = await existingUser(repos, userId, "userId");
      const wanted = await loadRoles(repos.roles, roles, "roles");
      if (user.status === "DEPROVISIONED")
        throw badInput("userId", `${user.email} is deprovisioned: grants could never apply`);
      const manual = (await repos.grants.list({ userId, includeInactive: true })).filter(isUnscopedManual);
      const kept = new Map<string, GrantRecord>();
      for (const g of manual) {
        const key = g.role.toLowerCase();
        if (isPermanent(g) && !kept.has(key) && wanted.some((r) => r.name.toLowerCase() === key)) kept.set(key, g);
      }
      const removed = manual.filter((g) => kept.get(g.role.toLowerCase()) !== g);
      const added = wanted.filter((r) => !kept.has(r.name.toLowerCase()));
      for (const role of added) assertMayGiveRole(engine, actor, role, "");
      const now = this.now();
      const created = added.map((role) =>
        newGrant(actor, role, { userId, group: null, scope: "", startsAt: null, expiresAt: null, reason: null }, now),
      );
      await keepingASuperuser(repos, now, `setting the roles of ${user.email}`, async () => {
        for (const g of removed) await repos.grants.delete(g.id);
        for (const g of created) await repos.grants.create(g);
      });
      const before = new Set(manual.map((g) => g.role.toLowerCase()));
      const after = new Set(wanted.map((r) => r.name.toLowerCase()));
      return {
        result: await repos.grants.list({ userId, includeInactive: true }),
        apply: (e) => {
          for (const g of removed) e.deleteGrant(g.id);
          for (const g of created) e.putGrant(toGrantDef(g));
        },
        record: {
          user: user.email,
          roles: wanted.map((r) => r.name),
          rolesAdded: wanted.filter((r) => !before.has(r.name.toLowerCase())).map((r) => r.name),
          rolesRemoved: [...new Set(manual.filter((g) => !after.has(g.role.toLowerCase())).map((g) => g.role))],
          grantsCreated: created.map((g) => g.id),
          grantsRemoved: removed.map((g) => g.id),
        },
        resource: { type: "grant", name: user.email },
      };
    });
  }
}

/** The user with this id, or NOT_FOUND at `field`. */
export async function existingUser(repos: Pick<Repositories, "users">, id: string, field: string): Promise<UserRecord> {
  const user = await repos.users.get(id);
  if (user === null) throw new DomainError("NOT_FOUND", `no user with id '${id}'`, { field });
  return user;
}

type GrantFields = Pick<GrantRecord, "userId" | "group" | "scope" | "startsAt" | "expiresAt" | "reason">;

/** A MANUAL grant of `role` created now by `actor`. */
export function newGrant(actor: Principal, role: RoleRecord, fields: GrantFields, now: Date): GrantRecord {
  return {
    id: randomUUID(),
    subjectType: fields.userId !== null ? "USER" : "GROUP",
    ...fields,
    role: role.name,
    active: true,
    source: "MANUAL",
    ssoProvider: null,
    accessRequestId: null,
    createdById: actor.user.id,
    createdAt: now,
  };
}
