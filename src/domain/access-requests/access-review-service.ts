// Reviewing access requests (docs/concepts.md, Access requests; README, Access requests), and their expiry. Approving is
// granting: a reviewer must be able to give each requested role within the
// request's scope (the escalation rule of grantRole), must not be the requester,
// and must review the roles (`reviewRequests.roles`, or `escalate` on the role).
// The request is re-read inside the write, which takes turns with every other
// policy-state write on every instance: of two reviewers approving at once, the
// second sees the first's decision.
import { randomUUID } from "node:crypto";
import type { Engine } from "../../engine";
import { DomainError } from "../errors";
import { newGrant } from "../grants/grant-service";
import { loadRole } from "../grants/grant-input";
import { assertMayGiveRole } from "../grants/role-escalation";
import type { GrantRecord } from "../model";
import type { WriteEvent } from "../policy/policy-writer";
import { toGrantDef } from "../policy-state";
import type { Repositories } from "../ports/storage.port";
import type { Principal } from "../principal";
import type { SystemActor } from "../system-actor";
import { checkText } from "../users/user-input";
import { recordRefusal, requestEvent } from "./access-request-audit";
import { effectiveStatus, type AccessRequestRecord, type AccessReviewRecord } from "./access-request.model";
import { firstNotReviewable } from "./access-request-rules";
import { AccessRequestService, MAX_REASON_LENGTH } from "./access-request-service";

/** Expires pending requests on its own account: the deadline passed, or a requested role was deleted. */
export const ACCESS_REQUEST_EXPIRY: SystemActor = { kind: "system", name: "access-request-expiry" };

/** How many due requests one sweep write expires. */
const SWEEP_BATCH = 100;

interface Refusal {
  refused: { reason: "SELF_APPROVAL" | "NO_MATCHING_RULE"; message: string };
}

export class AccessReviewService extends AccessRequestService {
  /**
   * One reviewer's verdict. Decides the request when it reaches its approvals
   * (grants, one per role, source ACCESS_REQUEST, in the same write) or denials.
   */
  async review(
    actor: Principal,
    id: string,
    approve: boolean,
    comment: string | null | undefined,
    requestId: string,
  ): Promise<AccessRequestRecord> {
    const text = checkText(comment, "comment", MAX_REASON_LENGTH);
    const outcome = await this.deps.writer.write<Refusal | { decided: AccessRequestRecord }>(
      { actor, operation: "Mutation.reviewAccessRequest", requestId },
      async (repos, engine) => {
        const request = await repos.accessRequests.get(id);
        if (request === null) throw new DomainError("NOT_FOUND", `no access request with id '${id}'`, { field: "id" });
        if (request.requesterId === actor.user.id) {
          return {
            result: {
              refused: {
                reason: "SELF_APPROVAL",
                message: "you may not review your own access request (cancel it instead)",
              },
            },
          };
        }
        const closure = await this.actingRoles(repos, engine, actor);
        const uncovered = firstNotReviewable(engine, actor, closure, request.roles);
        if (uncovered !== null) {
          return {
            result: {
              refused: {
                reason: "NO_MATCHING_RULE",
                message: `none of your roles reviews requests for role '${uncovered}' (reviewRequests.roles)`,
              },
            },
          };
        }
        const now = this.now();
        const status = effectiveStatus(request, now);
        if (status !== "PENDING")
          throw new DomainError("CONFLICT", `access request ${id} is ${status}: it can no longer be reviewed`, {
            field: "id",
          });
        if (request.reviews.some((r) => r.reviewerId === actor.user.id))
          throw new DomainError("CONFLICT", "you have already reviewed this request", { field: "id" });
        const roles = [];
        for (const name of request.roles) roles.push(await loadRole(repos.roles, name, "id"));
        if (approve) for (const role of roles) assertMayGiveRole(engine, actor, role, request.scope);
        const review: AccessReviewRecord = {
          id: randomUUID(),
          requestId: id,
          reviewerId: actor.user.id,
          approve,
          comment: text,
          createdAt: now,
        };
        await repos.accessRequests.addReview(review);
        const reviews = [...request.reviews, review];
        const events: WriteEvent[] = [
          requestEvent("Mutation.reviewAccessRequest", "change", request, {
            approve,
            comment: text,
            reviewerId: actor.user.id,
          }),
        ];
        const approvals = reviews.filter((r) => r.approve).length;
        const denials = reviews.length - approvals;
        let grants: GrantRecord[] = [];
        let decided: AccessRequestRecord = { ...request, reviews };
        if (approve && approvals >= request.approvalsRequired) {
          const requester = await repos.users.get(request.requesterId);
          if (requester === null || requester.status === "DEPROVISIONED") {
            throw new DomainError("CONFLICT", "the requester is deprovisioned: access could never apply", {
              field: "id",
            });
          }
          const expiresAt = new Date(now.getTime() + request.ttlSeconds * 1000);
          grants = roles.map((role) => ({
            ...newGrant(
              actor,
              role,
              {
                userId: request.requesterId,
                group: null,
                scope: request.scope,
                startsAt: now,
                expiresAt,
                reason: request.reason,
              },
              now,
            ),
            source: "ACCESS_REQUEST" as const,
            accessRequestId: id,
          }));
          for (const g of grants) await repos.grants.create(g);
          decided = { ...decided, status: "APPROVED", expiresAt, decidedAt: now };
          events.push(
            requestEvent("accessRequest.approved", "approve", decided, {
              approvals,
              approvers: reviews.filter((r) => r.approve).map((r) => r.reviewerId),
              grants: grants.map((g) => g.id),
              startsAt: now.toISOString(),
              expiresAt: expiresAt.toISOString(),
            }),
          );
        } else if (!approve && denials >= request.denialsRequired) {
          decided = { ...decided, status: "DENIED", expiresAt: null, decidedAt: now };
          events.push(requestEvent("accessRequest.denied", "deny", decided, { denials, comment: text }));
        }
        if (decided.status !== "PENDING") await repos.accessRequests.updateState(id, decided);
        return {
          result: { decided },
          ...(grants.length > 0 ? { apply: (e: Engine) => grants.forEach((g) => e.putGrant(toGrantDef(g))) } : {}),
          events,
        };
      },
    );
    if ("refused" in outcome) {
      const { reason, message } = outcome.refused;
      await recordRefusal(this.deps, actor, {
        operation: "Mutation.reviewAccessRequest",
        action: "review",
        name: id,
        reason,
        requestId,
        metadata: { requestId: id, approve },
      });
      throw new DomainError("FORBIDDEN", message, { reason, capability: "access_request:review" });
    }
    return outcome.decided;
  }

  /**
   * Writes EXPIRED on pending requests past their deadline, with an
   * `accessRequest.expired` event each. Reading never waits for this: a pending
   * request past its deadline already reads as EXPIRED and cannot be reviewed.
   * Safe with several instances: the write re-reads what is due in the writers'
   * turn, so each request is expired once. Returns how many it expired.
   */
  async expireDue(): Promise<number> {
    const now = this.now();
    if ((await this.deps.storage.accessRequests.pendingDue(now, 1)).length === 0) return 0;
    return this.deps.writer.write(
      { actor: ACCESS_REQUEST_EXPIRY, operation: "accessRequest.expired", requestId: `expiry-${randomUUID()}` },
      async (repos) => {
        const events: WriteEvent[] = [];
        for (const id of await repos.accessRequests.pendingDue(now, SWEEP_BATCH)) {
          const request = await repos.accessRequests.get(id);
          if (request === null) continue;
          await repos.accessRequests.updateState(id, {
            status: "EXPIRED",
            expiresAt: request.expiresAt,
            decidedAt: request.decidedAt,
          });
          events.push(
            requestEvent(
              "accessRequest.expired",
              "expire",
              { ...request, status: "EXPIRED" },
              { why: "not decided in time", deadline: request.expiresAt?.toISOString() ?? null },
            ),
          );
        }
        return { result: events.length, events };
      },
    );
  }
}

/**
 * For a write that deletes a role: expires the pending requests for it (their
 * roles are about to go) and returns their `accessRequest.expired` events.
 */
export async function expirePendingForRole(repos: Repositories, role: string, now: Date): Promise<WriteEvent[]> {
  const requests: AccessRequestRecord[] = [];
  for (const id of await repos.accessRequests.pendingForRole(role)) {
    const request = await repos.accessRequests.get(id);
    if (request !== null) requests.push(request);
  }
  return expirePending(repos, requests, now, `role '${role}' was deleted`);
}

/**
 * For a write that deprovisions a user: expires the requests they still have
 * pending (no approval could ever apply to them) and returns their
 * `accessRequest.expired` events, so that reviewers' inboxes do not keep them.
 */
export async function expirePendingOfRequester(
  repos: Repositories,
  requester: { id: string; email: string },
  now: Date,
): Promise<WriteEvent[]> {
  const pending = await repos.accessRequests.list({ requesterId: requester.id, statuses: ["PENDING"] });
  return expirePending(repos, pending, now, `the requester ${requester.email} was deprovisioned`);
}

/** Stores each of `requests` (as read in this write) still PENDING as EXPIRED (lapsing now, or at its deadline if earlier), with `why` in its event. */
async function expirePending(
  repos: Repositories,
  requests: readonly AccessRequestRecord[],
  now: Date,
  why: string,
): Promise<WriteEvent[]> {
  const events: WriteEvent[] = [];
  for (const request of requests) {
    if (request.status !== "PENDING") continue;
    const lapsed = request.expiresAt !== null && request.expiresAt.getTime() < now.getTime() ? request.expiresAt : now;
    await repos.accessRequests.updateState(request.id, {
      status: "EXPIRED",
      expiresAt: lapsed,
      decidedAt: request.decidedAt,
    });
    events.push(requestEvent("accessRequest.expired", "expire", { ...request, status: "EXPIRED" }, { why }));
  }
  return events;
}
