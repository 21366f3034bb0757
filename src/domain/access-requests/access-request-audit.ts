// The audit side of access requests: the refusals the service decides itself
// (a `resolver` guard entry audits its own decisions) and the events a write
// carries. Every event is on resource type `access_request`, named by the
// request's id, so `{ resourceType: "access_request" }` selects them. A
// mutation's change is action `change` (as every change record), a decision it
// causes `approve`, `deny` or `expire`, a refusal the action refused (`request`,
// `review`, `cancel`); metadata carries the request's facts at the top level.
import type { DecisionReason } from "../../engine/types";
import { actorFields, credentialMetadata } from "../audit/audit-actor";
import type { AuditLog } from "../audit/group-commit-audit-log";
import type { PolicyRuntime } from "../policy/policy-runtime";
import type { WriteEvent } from "../policy/policy-writer";
import type { Principal } from "../principal";
import type { AccessRequestRecord } from "./access-request.model";

export const ACCESS_REQUEST_TYPE = "access_request";

/** What every access-request event's metadata carries about the request. */
export function requestFacts(r: AccessRequestRecord): Record<string, unknown> {
  return {
    requestId: r.id,
    requesterId: r.requesterId,
    roles: [...r.roles],
    scope: r.scope,
    ttlSeconds: r.ttlSeconds,
    reason: r.reason,
  };
}

export function requestEvent(
  operation: string,
  action: string,
  r: AccessRequestRecord,
  extra: Record<string, unknown> = {},
): WriteEvent {
  return {
    operation,
    action,
    resource: { type: ACCESS_REQUEST_TYPE, name: r.id },
    metadata: { ...requestFacts(r), ...extra },
  };
}

/** Records a refusal (DENY) before it is answered; rejects when the trail cannot be written. */
export async function recordRefusal(
  deps: { runtime: PolicyRuntime; audit: AuditLog },
  actor: Principal,
  refusal: {
    operation: string;
    action: string;
    name: string;
    reason: DecisionReason;
    requestId: string;
    metadata: Record<string, unknown>;
  },
): Promise<void> {
  await deps.audit.record({
    time: new Date(),
    ...actorFields(actor, deps.runtime.engine()),
    operation: refusal.operation,
    action: refusal.action,
    resourceType: ACCESS_REQUEST_TYPE,
    resourceNamespace: "system",
    resourceName: refusal.name,
    subjectId: null,
    decision: "DENY",
    reason: refusal.reason,
    requestId: refusal.requestId,
    metadata: { ...(credentialMetadata(actor) ?? {}), ...refusal.metadata },
  });
}

/** Records an ALLOW decision that changes nothing (a repeated request answered with the pending one). */
export async function recordAllowed(
  deps: { runtime: PolicyRuntime; audit: AuditLog },
  actor: Principal,
  event: WriteEvent,
  requestId: string,
): Promise<void> {
  await deps.audit.record({
    time: new Date(),
    ...actorFields(actor, deps.runtime.engine()),
    operation: event.operation,
    action: event.action,
    resourceType: event.resource.type,
    resourceNamespace: "system",
    resourceName: event.resource.name,
    subjectId: null,
    decision: "ALLOW",
    reason: "ALLOWED",
    requestId,
    metadata: { ...(credentialMetadata(actor) ?? {}), ...event.metadata },
  });
}
