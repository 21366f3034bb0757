// Provisioning from an identity provider's directory (SCIM, docs/sso.md): users
// created and updated by the IdP, and group membership, which lives on the users
// (a group is a name its members carry, docs/concepts.md). Every change is a policy
// write, audited with its entry point's operation. A membership change
// recomputes the members' SSO grants from the provider's mappings in the same
// write, so taking someone out of a group takes the mapped role away, and
// putting someone in one is checked against every role it brings.
import { randomUUID } from "node:crypto";
import { existingUser } from "../grants/grant-service";
import { assertMayChangeIdentity, assertMayGiveGrants, grantHeld } from "../grants/identity-escalation";
import { badInput, DomainError } from "../errors";
import type { GrantRecord, UserRecord } from "../model";
import type { Repositories } from "../ports/storage.port";
import type { PolicyWriter } from "../policy/policy-writer";
import { toUserDef } from "../policy-state";
import type { Principal } from "../principal";
import { applySsoGrantChanges, grantLabel, grantSummary, recomputeSsoGrants } from "../sso/sso-grant-recompute";
import { keepingASuperuser } from "./last-superuser";
import { checkEmail, checkText, groupNameProblem } from "./user-input";
import type { UserService } from "./user-service";

export interface DirectoryRequest {
  actor: Principal;
  /** `SCIM.Users.create`…: the entry point, for the change record. */
  operation: string;
  requestId: string;
}

export interface ProvisionArgs {
  email: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
}

/** Fields left out stay as they are. */
export interface ProfileChange {
  email?: string;
  externalId?: string | null;
  displayName?: string | null;
}

/** One step of a membership change: members by user id, each with the input path to name in errors. */
export interface MembershipStep {
  op: "add" | "remove" | "replace";
  members: ReadonlyArray<{ id: string; field: string; strict?: boolean }>;
}

export interface MembershipResult {
  /** The group's members after the change, ordered by id. */
  members: UserRecord[];
  /** User ids that joined and left. */
  added: string[];
  removed: string[];
  /** SSO grants recomputed, per member whose membership changed. */
  grants: Record<string, { added: string[]; removed: string[] }>;
}

export class DirectoryService {
  constructor(
    private readonly writer: PolicyWriter,
    private readonly users: UserService,
    /** The SSO provider whose mappings turn this directory's groups into grants. */
    private readonly provider: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A user with source SCIM; DEPROVISIONED from the start when `active` is false. CONFLICT on a taken email or externalId. */
  async provision(request: DirectoryRequest, args: ProvisionArgs): Promise<UserRecord> {
    const email = checkEmail(args.email, "userName");
    const externalId = checkText(args.externalId, "externalId");
    const displayName = checkText(args.displayName, "displayName");
    return this.writer.write(request, async (repos) => {
      if ((await repos.users.getByEmail(email)) !== null)
        throw new DomainError("CONFLICT", `a user with userName '${email}' already exists`, { field: "userName" });
      await assertExternalIdFree(repos, externalId, null);
      const user: UserRecord = {
        id: randomUUID(),
        email,
        displayName,
        kind: "HUMAN",
        status: args.active ? "ACTIVE" : "DEPROVISIONED",
        source: "SCIM",
        externalId,
        // An id set over SCIM belongs to the provider SCIM provisions for.
        externalProvider: externalId === null ? null : this.provider,
        groups: [],
        mfaEnrolled: false,
        lockedReason: null,
        createdAt: this.now(),
        lastSeenAt: null,
        removedAt: null,
      };
      await repos.users.create(user);
      return {
        result: user,
        apply: (e) => e.putUser(toUserDef(user)),
        record: {
          user: email,
          source: "SCIM",
          externalId,
          externalProvider: user.externalProvider,
          status: user.status,
        },
        resource: { type: "user", name: email },
      };
    });
  }

  /**
   * Changes email, externalId or display name; a change that changes nothing
   * writes nothing. A new email or externalId is a new identity for every role the
   * user holds: the actor must be able to give each of them (ESCALATION_DENIED).
   * A new externalId belongs to the provider SCIM provisions for (externalProvider);
   * removing it removes the provider too.
   */
  async updateProfile(request: DirectoryRequest, id: string, change: ProfileChange): Promise<UserRecord> {
    const { email, externalId, displayName } = checkProfile(change);
    return this.writer.write(request, async (repos, engine) => {
      const user = await servedUser(repos, id);
      const next: UserRecord = {
        ...user,
        email: email ?? user.email,
        externalId: externalId === undefined ? user.externalId : externalId,
        displayName: displayName === undefined ? user.displayName : displayName,
      };
      const changed = (["email", "externalId", "displayName"] as const).filter((k) => next[k] !== user[k]);
      if (changed.length === 0) return { result: user };
      if (next.externalId !== user.externalId) next.externalProvider = next.externalId === null ? null : this.provider;
      const from = user.externalProvider ?? null;
      const to = next.externalProvider ?? null;
      if (next.email !== user.email) {
        const holder = await repos.users.getByEmail(next.email);
        if (holder !== null && holder.id !== user.id)
          throw new DomainError("CONFLICT", `a user with userName '${next.email}' already exists`, {
            field: "userName",
          });
      }
      if (next.externalId !== user.externalId) await assertExternalIdFree(repos, next.externalId, user.id);
      const identity = changed.filter((k) => k !== "displayName");
      if (identity.length > 0)
        await assertMayChangeIdentity(
          repos,
          engine,
          request.actor,
          user,
          this.now(),
          `changing the ${identity.join(" and ")} of ${user.email}`,
        );
      await repos.users.update(next);
      return {
        result: next,
        apply: (e) => e.putUser(toUserDef(next)),
        record: {
          user: next.email,
          changed: {
            ...Object.fromEntries(changed.map((k) => [k, { from: user[k], to: next[k] }])),
            ...(from !== to ? { externalProvider: { from, to } } : {}),
          },
        },
        resource: { type: "user", name: next.email },
      };
    });
  }

  /** Through the deprovision use case: sessions, tokens and grants end in one write. */
  deprovision(request: DirectoryRequest, id: string): Promise<UserRecord> {
    return this.users.deprovisionUser(request.actor, id, request.requestId, { operation: request.operation });
  }

  /** Deprovisioned and marked deleted by the IdP: no longer served by provisioning. */
  remove(request: DirectoryRequest, id: string): Promise<UserRecord> {
    return this.users.deprovisionUser(request.actor, id, request.requestId, {
      operation: request.operation,
      remove: true,
    });
  }

  /**
   * Changes who carries `group` by applying `steps` in order to its current
   * members, in one write, which also recomputes the SSO grants of every member
   * whose membership changed (deprovisioned ones excepted: they keep no grants).
   * An added member that is unknown, deleted or deprovisioned is BAD_USER_INPUT
   * at its `field` and nothing changes; removing a non-member is NOT_FOUND at its
   * `field` when `strict`. Every role the change hands out, through the group's
   * grants and through the provider's SSO mappings, passes the escalation check
   * as giving it directly would; leaving no ACTIVE superuser is CONFLICT.
   */
  async changeMembership(
    request: DirectoryRequest,
    group: string,
    steps: readonly MembershipStep[],
  ): Promise<MembershipResult> {
    const problem = groupNameProblem(group);
    if (problem !== null) throw badInput("displayName", problem);
    return this.writer.write(request, async (repos, engine) => {
      const current = await repos.users.membersOf(group);
      const ids = steps.flatMap((s) => s.members.map((m) => m.id));
      const byId = new Map([...(await repos.users.getMany(ids)), ...current].map((u) => [u.id, u]));
      const currentIds = new Set(current.map((u) => u.id));
      const target = new Set(currentIds);
      for (const step of steps) {
        if (step.op === "replace") target.clear();
        for (const { id, field, strict } of step.members) {
          const user = byId.get(id);
          if (step.op === "remove") {
            if (strict && !target.has(id))
              throw new DomainError("NOT_FOUND", `${field}: '${id}' is not a member of '${group}'`, { field });
            target.delete(id);
            continue;
          }
          if (!user || user.removedAt) throw badInput(field, `no user has id '${id}'`);
          if (user.status === "DEPROVISIONED" && !currentIds.has(id))
            throw badInput(field, `${user.email} is deprovisioned and cannot join a group`);
          target.add(id);
        }
      }
      const added = [...target].filter((id) => !currentIds.has(id));
      const removed = current.filter((u) => !target.has(u.id)).map((u) => u.id);
      const now = this.now();
      if (added.length > 0) {
        const groupGrants = (await repos.grants.forGroups([group])).filter((g) => grantHeld(g, now));
        await assertMayGiveGrants(repos, engine, request.actor, groupGrants, `putting members in group '${group}'`);
      }
      const updated = [
        ...added.map((id) => ({ ...byId.get(id)!, groups: [...byId.get(id)!.groups, group] })),
        ...removed.map((id) => ({ ...byId.get(id)!, groups: byId.get(id)!.groups.filter((g) => g !== group) })),
      ];
      const grantChanges = { added: [] as GrantRecord[], removed: [] as GrantRecord[] };
      const grants: MembershipResult["grants"] = {};
      await keepingASuperuser(repos, now, `changing the members of group '${group}'`, async () => {
        for (const u of updated) {
          await repos.users.update(u);
          if (u.status === "DEPROVISIONED") continue;
          const changes = await recomputeSsoGrants(repos, u, this.provider, now);
          await assertMayGiveGrants(
            repos,
            engine,
            request.actor,
            changes.added,
            `putting ${u.email} in group '${group}' (SSO mappings of ${this.provider})`,
          );
          grantChanges.added.push(...changes.added);
          grantChanges.removed.push(...changes.removed);
          grants[u.id] = { added: changes.added.map(grantLabel), removed: changes.removed.map(grantLabel) };
        }
      });
      const after = new Map(updated.map((u) => [u.id, u]));
      const members = [...target].map((id) => after.get(id) ?? byId.get(id)!).sort((a, b) => (a.id < b.id ? -1 : 1));
      const result: MembershipResult = { members, added, removed, grants };
      if (updated.length === 0) return { result };
      return {
        result,
        apply: (e) => {
          for (const u of updated) e.putUser(toUserDef(u));
          applySsoGrantChanges(e, grantChanges);
        },
        record: {
          group,
          added: added.map((id) => byId.get(id)!.email),
          removed: removed.map((id) => byId.get(id)!.email),
          provider: this.provider,
          grantsAdded: grantSummary(grantChanges.added),
          grantsRemoved: grantSummary(grantChanges.removed),
        },
        resource: { type: "user", name: "" },
      };
    });
  }
}

/** The change as stored (email lower-cased); BAD_USER_INPUT naming the field, before anything is written. */
export function checkProfile(change: ProfileChange): ProfileChange {
  return {
    ...(change.email !== undefined ? { email: checkEmail(change.email, "userName") } : {}),
    ...(change.externalId !== undefined ? { externalId: checkText(change.externalId, "externalId") } : {}),
    ...(change.displayName !== undefined ? { displayName: checkText(change.displayName, "displayName") } : {}),
  };
}

/** The user as provisioning serves it: NOT_FOUND when absent or deleted by the IdP. */
export async function servedUser(repos: Pick<Repositories, "users">, id: string): Promise<UserRecord> {
  const user = await existingUser(repos, id, "id");
  if (user.removedAt) throw new DomainError("NOT_FOUND", `no user has id '${id}'`, { field: "id" });
  return user;
}

async function assertExternalIdFree(
  repos: Pick<Repositories, "users">,
  externalId: string | null,
  self: string | null,
): Promise<void> {
  if (externalId === null) return;
  const holders = (await repos.users.findByExternalId(externalId)).filter((u) => u.id !== self && !u.removedAt);
  if (holders.length > 0)
    throw new DomainError("CONFLICT", `a user with externalId '${externalId}' already exists`, { field: "externalId" });
}
