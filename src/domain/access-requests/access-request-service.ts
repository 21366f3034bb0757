// Access requests (docs/concepts.md, Access requests; README, Access requests): asking for roles with a reason, listing,
// cancelling. Reviews are in access-review.ts. Every change goes through the
// PolicyWriter, so it is serialised with every other policy-state write (on this
// instance and across instances), re-reads the request inside the write, and
// commits its audit events with it.
import { randomUUID } from "node:crypto";
import { auditedSystemCheck } from "../decisions/audited-system-check";
import { callerContext, enginePrincipal } from "../engine-principal";
import { badInput, DomainError } from "../errors";
import { checkScope, loadRoles } from "../grants/grant-input";
import type { AuditLog } from "../audit/group-commit-audit-log";
import type { PolicyRuntime } from "../policy/policy-runtime";
import type { PolicyWriter } from "../policy/policy-writer";
import type { Engine } from "../../engine";
import type { RoleRecord } from "../model";
import type { Repositories, Storage } from "../ports/storage.port";
import type { Principal } from "../principal";
import { checkText } from "../users/user-input";
import { ACCESS_REQUEST_TYPE, recordAllowed, recordRefusal, requestEvent } from "./access-request-audit";
import { effectiveStatus, type AccessRequestRecord, type AccessRequestStatus } from "./access-request.model";
import {
  DEFAULT_TTL_SECONDS,
  firstNotRequestable,
  firstNotReviewable,
  maxTtlSeconds,
  roleClosure,
  thresholds,
} from "./access-request-rules";

export const MAX_REASON_LENGTH = 1000;

export interface AccessRequestDeps {
  storage: Storage;
  writer: PolicyWriter;
  runtime: PolicyRuntime;
  audit: AuditLog;
  /** How long a request stays pending before it expires. */
  pendingTtlSeconds: number;
  now?: () => Date;
}

export interface RequestAccessArgs {
  roles: readonly string[];
  reason: string;
  ttlSeconds?: number | null;
  scope?: string | null;
}

/** Stored statuses that may read as `status` at some time: a stored PENDING one reads EXPIRED past its deadline. */
function storedStatuses(status: AccessRequestStatus): AccessRequestStatus[] {
  return status === "EXPIRED" ? ["EXPIRED", "PENDING"] : [status];
}

const sameRoles = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length &&
  [...a]
    .map((x) => x.toLowerCase())
    .sort()
    .join("\n") ===
    [...b]
      .map((x) => x.toLowerCase())
      .sort()
      .join("\n");

export class AccessRequestService {
  protected readonly now: () => Date;

  constructor(protected readonly deps: AccessRequestDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * The roles the caller acts with, inherited ones included: the user's roles,
   * narrowed to the token's when a token limited to some roles calls (a token
   * never asks for or reviews more than its roles would let it).
   */
  protected async actingRoles(
    repos: Pick<Repositories, "roles" | "tokens">,
    engine: Engine,
    actor: Principal,
  ): Promise<RoleRecord[]> {
    let held = engine.rolesOf(actor.user.id);
    if (actor.credential.kind === "token") {
      const limited = new Set(
        ((await repos.tokens.get(actor.credential.tokenId))?.roles ?? []).map((r) => r.toLowerCase()),
      );
      if (limited.size > 0) held = held.filter((r) => limited.has(r.toLowerCase()));
    }
    return roleClosure(await repos.roles.all(), held);
  }

  /** The request's status now: PENDING past its deadline reads EXPIRED before any sweep runs. */
  statusOf(request: AccessRequestRecord): AccessRequestStatus {
    return effectiveStatus(request, this.now());
  }

  /**
   * Asks for `roles` within `scope`. Each role must be listed under `request.roles`
   * by one of the caller's roles (directly or by inheritance); otherwise FORBIDDEN,
   * audited. A pending request by the caller for the same roles and scope is
   * answered instead of a new one.
   */
  async request(actor: Principal, args: RequestAccessArgs, requestId: string): Promise<AccessRequestRecord> {
    if (args.roles.length === 0) throw badInput("roles", "name at least one role");
    const reason = checkText(args.reason, "reason", MAX_REASON_LENGTH) ?? "";
    if (reason.trim() === "") throw badInput("reason", "give a reason (1 to 1000 characters)");
    const scope = checkScope(args.scope ?? "", "scope");
    const requested = await loadRoles(this.deps.storage.roles, args.roles, "roles");
    const limit = maxTtlSeconds(requested);
    const ttlSeconds = args.ttlSeconds ?? Math.min(DEFAULT_TTL_SECONDS, limit);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1)
      throw badInput("ttlSeconds", `${ttlSeconds} is not a positive number of seconds`);
    if (ttlSeconds > limit) {
      throw badInput(
        "ttlSeconds",
        `${ttlSeconds} is more than the ${limit} seconds the requested roles allow (their smallest maxSessionTtl, or 12h)`,
      );
    }
    const names = requested.map((r) => r.name);
    type Outcome = { refused: string } | { duplicate: AccessRequestRecord } | { created: AccessRequestRecord };
    const outcome = await this.deps.writer.write<Outcome>(
      { actor, operation: "Mutation.requestAccess", requestId },
      async (repos, engine) => {
        const closure = await this.actingRoles(repos, engine, actor);
        const refused = firstNotRequestable(closure, names);
        if (refused !== null) return { result: { refused } };
        const now = this.now();
        const pending = await repos.accessRequests.list({ requesterId: actor.user.id, statuses: ["PENDING"] });
        const same = pending.find(
          (r) => effectiveStatus(r, now) === "PENDING" && r.scope === scope && sameRoles(r.roles, names),
        );
        if (same) return { result: { duplicate: same } };
        const { approvals, denials } = thresholds(closure, names);
        const created: AccessRequestRecord = {
          id: randomUUID(),
          requesterId: actor.user.id,
          roles: names,
          reason,
          scope,
          status: "PENDING",
          ttlSeconds,
          approvalsRequired: approvals,
          denialsRequired: denials,
          createdAt: now,
          expiresAt: new Date(now.getTime() + this.deps.pendingTtlSeconds * 1000),
          decidedAt: null,
          reviews: [],
        };
        await repos.accessRequests.create(created);
        return {
          result: { created },
          events: [
            requestEvent("Mutation.requestAccess", "change", created, {
              approvalsRequired: approvals,
              denialsRequired: denials,
              pendingUntil: created.expiresAt!.toISOString(),
            }),
          ],
        };
      },
    );
    if ("refused" in outcome) {
      await recordRefusal(this.deps, actor, {
        operation: "Mutation.requestAccess",
        action: "request",
        name: "",
        reason: "NO_MATCHING_RULE",
        requestId,
        metadata: { roles: names, scope, ttlSeconds, reason, refusedRole: outcome.refused },
      });
      throw new DomainError(
        "FORBIDDEN",
        `none of your roles lets you request role '${outcome.refused}' (request.roles)`,
        { reason: "NO_MATCHING_RULE" },
      );
    }
    if ("duplicate" in outcome) {
      await recordAllowed(
        this.deps,
        actor,
        requestEvent("Mutation.requestAccess", "request", outcome.duplicate, { duplicate: true }),
        requestId,
      );
      return outcome.duplicate;
    }
    return outcome.created;
  }

  /** The requester cancels their own pending request. Anyone else is refused (FORBIDDEN, audited); a decided or expired one is CONFLICT. */
  async cancel(actor: Principal, id: string, requestId: string): Promise<AccessRequestRecord> {
    type Outcome = { refused: true } | { cancelled: AccessRequestRecord };
    const outcome = await this.deps.writer.write<Outcome>(
      { actor, operation: "Mutation.cancelAccessRequest", requestId },
      async (repos) => {
        const request = await repos.accessRequests.get(id);
        if (request === null || request.requesterId !== actor.user.id) return { result: { refused: true } };
        const status = effectiveStatus(request, this.now());
        if (status !== "PENDING")
          throw new DomainError(
            "CONFLICT",
            `access request ${id} is ${status}: only a PENDING request can be cancelled`,
            { field: "id" },
          );
        const state = { status: "CANCELLED" as const, expiresAt: null, decidedAt: this.now() };
        await repos.accessRequests.updateState(id, state);
        const cancelled: AccessRequestRecord = { ...request, ...state };
        return { result: { cancelled }, events: [requestEvent("Mutation.cancelAccessRequest", "change", cancelled)] };
      },
    );
    if ("refused" in outcome) {
      await recordRefusal(this.deps, actor, {
        operation: "Mutation.cancelAccessRequest",
        action: "cancel",
        name: id,
        reason: "NO_MATCHING_RULE",
        requestId,
        metadata: { requestId: id },
      });
      throw new DomainError("FORBIDDEN", "only the requester may cancel an access request", {
        reason: "NO_MATCHING_RULE",
      });
    }
    return outcome.cancelled;
  }

  /**
   * The caller's own requests, and, for a holder of `access_request:list`, the
   * requests of others whose roles the caller could review; newest first. The
   * widening is a decision, audited; a caller without the capability simply sees
   * their own (no refusal to audit: that part is always allowed).
   */
  async list(actor: Principal, status: AccessRequestStatus | null, requestId: string): Promise<AccessRequestRecord[]> {
    const { storage, runtime } = this.deps;
    const statuses = status === null ? undefined : storedStatuses(status);
    const matches = (r: AccessRequestRecord) => status === null || this.statusOf(r) === status;
    const own = (
      await storage.accessRequests.list({ requesterId: actor.user.id, ...(statuses ? { statuses } : {}) })
    ).filter(matches);
    const resource = { type: ACCESS_REQUEST_TYPE, namespace: "system", name: "", labels: {} };
    if (!runtime.engine().check(enginePrincipal(actor), "list", resource, callerContext(actor)).allowed) return own;
    const decision = await auditedSystemCheck(this.deps, actor, {
      operation: "Query.accessRequests",
      capability: "access_request:list",
      name: "",
      requestId,
    });
    if (!decision.allowed) return own;
    const engine = runtime.engine();
    const closure = await this.actingRoles(storage, engine, actor);
    const others = (await storage.accessRequests.list(statuses ? { statuses } : {})).filter(
      (r) =>
        r.requesterId !== actor.user.id && matches(r) && firstNotReviewable(engine, actor, closure, r.roles) === null,
    );
    return [...own, ...others].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
  }
}
