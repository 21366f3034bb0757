// Audit records → GraphQL object types.
import type { AuditEventRecord } from "../domain/audit/audit-event";
import type { AuditFilter } from "../domain/audit/audit-filter";
import type { AuditChainReport, AuditPage } from "../domain/audit/audit-trail-service";
import type { AuditFilterInput } from "./types/audit.input";
import { AuditChainReportType, AuditEventPageType, AuditEventType } from "./types/audit.type";
import { DecisionReason, Effect } from "./types/enums";

export function toAuditEventType(e: AuditEventRecord): AuditEventType {
  return Object.assign(new AuditEventType(), {
    ...e,
    decision: e.decision as Effect,
    reason: e.reason as DecisionReason,
  });
}

export function toAuditEventPageType(page: AuditPage): AuditEventPageType {
  return Object.assign(new AuditEventPageType(), {
    nodes: page.nodes.map(toAuditEventType),
    nextCursor: page.nextCursor,
  });
}

export function toAuditChainReportType(report: AuditChainReport): AuditChainReportType {
  return Object.assign(new AuditChainReportType(), report);
}

export function toAuditFilter(input: AuditFilterInput | null | undefined): AuditFilter {
  if (!input) return {};
  return {
    actorId: input.actorId,
    actorEmail: input.actorEmail,
    role: input.role,
    decision: input.decision,
    operation: input.operation,
    resourceType: input.resourceType,
    resourceName: input.resourceName,
    since: input.since,
    until: input.until,
  };
}
