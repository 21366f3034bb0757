// The decision every guarded entry point takes on a `system` resource — GraphQL
// root fields and plain HTTP routes alike — and its audit event, written before
// the caller goes on. If the event cannot be written this rejects, and the
// caller must fail closed.
import type { Decision } from "../../engine/types";
import { actorFields, credentialMetadata } from "../audit/audit-actor";
import type { AuditLog } from "../audit/group-commit-audit-log";
import { callerContext, enginePrincipal } from "../engine-principal";
import type { PolicyRuntime } from "../policy/policy-runtime";
import type { Principal } from "../principal";
import { secondsSince, type DecisionMetrics } from "../../observability/metric-ports";

export interface SystemCheck {
  /** `Query.users`, `GET /audit/export`. */
  operation: string;
  /** `type:capability`, type in namespace `system`. */
  capability: string;
  /** The addressed object's name; empty for lists. */
  name: string;
  requestId: string | null;
}

export async function auditedSystemCheck(
  deps: { runtime: PolicyRuntime; audit: AuditLog; metrics?: DecisionMetrics },
  principal: Principal,
  check: SystemCheck,
): Promise<Decision> {
  const started = process.hrtime.bigint();
  const [type, capability] = check.capability.split(":") as [string, string];
  const engine = deps.runtime.engine();
  const decision = engine.check(
    enginePrincipal(principal),
    capability,
    { type, namespace: "system", name: check.name, labels: {} },
    callerContext(principal),
  );
  await deps.audit.record({
    time: new Date(),
    ...actorFields(principal, engine),
    operation: check.operation,
    action: capability,
    resourceType: type,
    resourceNamespace: "system",
    resourceName: check.name,
    subjectId: null,
    decision: decision.allowed ? "ALLOW" : "DENY",
    reason: decision.reason,
    requestId: check.requestId,
    metadata: credentialMetadata(principal),
  });
  deps.metrics?.decided(check.operation, decision.reason, secondsSince(started));
  return decision;
}
