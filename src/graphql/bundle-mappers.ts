// Bundle plans and replay reports → GraphQL object types.
import type { ReplayReport } from "../domain/bundles/audit-replay";
import type { BundlePlan } from "../domain/bundles/bundle-service";
import { toAuditEventType } from "./audit-mappers";
import { toCheckResult, toPermissionType } from "./decision-mappers";
import { toUserType } from "./mappers";
import {
  AccessChangeType,
  BundleChangeType,
  BundleEscalationType,
  BundlePlanType,
  BundleSummaryType,
  PermissionChangeKind,
  PermissionChangeType,
  ReplayFlipType,
  ReplayReportType,
} from "./types/bundle.type";

export function toBundlePlanType(plan: BundlePlan): BundlePlanType {
  return Object.assign(new BundlePlanType(), {
    applied: plan.applied,
    version: plan.version,
    summary: Object.assign(new BundleSummaryType(), plan.summary),
    changes: plan.changes.map((c) =>
      Object.assign(new BundleChangeType(), { kind: c.kind, name: c.name, action: c.action, diff: c.diff }),
    ),
    accessChanges: plan.accessChanges.map((a) =>
      Object.assign(new AccessChangeType(), {
        user: toUserType(a.user),
        changes: a.changes.map((c) =>
          Object.assign(new PermissionChangeType(), {
            change: c.change as PermissionChangeKind,
            permission: toPermissionType(c.permission),
          }),
        ),
      }),
    ),
    escalations: plan.escalations.map((e) => Object.assign(new BundleEscalationType(), e)),
    after: plan.after,
  });
}

export function toReplayReportType(report: ReplayReport): ReplayReportType {
  const flip = (f: ReplayReport["allowToDenyFlips"][number]) =>
    Object.assign(new ReplayFlipType(), { event: toAuditEventType(f.event), now: toCheckResult(f.now) });
  return Object.assign(new ReplayReportType(), {
    since: report.since,
    replayed: report.replayed,
    allowToDeny: report.allowToDeny,
    denyToAllow: report.denyToAllow,
    allowToDenyFlips: report.allowToDenyFlips.map(flip),
    denyToAllowFlips: report.denyToAllowFlips.map(flip),
  });
}
