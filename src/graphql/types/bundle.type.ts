// applyBundle's answer: the plan (what changes, who gains and loses what, what
// the audit trail would have decided under the new state) and whether it was applied.
import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import type { Engine } from "../../engine";
import { AuditEventType } from "./audit.type";
import { CheckResultType, PermissionType } from "./decision.type";
import { UserType } from "./user.type";

export enum PermissionChangeKind {
  GAINED = "GAINED",
  LOST = "LOST",
}
registerEnumType(PermissionChangeKind, { name: "PermissionChangeKind" });

@ObjectType("BundleChange")
export class BundleChangeType {
  @Field(() => String, { description: "resourceType, policy, role or ssoMappings." }) kind: string;
  @Field(() => String, { description: "The object's name; the provider for ssoMappings." }) name: string;
  @Field(() => String, { description: "create, update or delete." }) action: string;
  @Field(() => String, { nullable: true, description: "Unified diff of the object's YAML." }) diff: string | null;
}

@ObjectType("BundleSummary")
export class BundleSummaryType {
  @Field(() => Int) created: number;
  @Field(() => Int) updated: number;
  @Field(() => Int) deleted: number;
  @Field(() => Int, { description: "Users who gain at least one permission." }) usersGaining: number;
  @Field(() => Int, { description: "Users who lose at least one permission." }) usersLosing: number;
}

@ObjectType("PermissionChange")
export class PermissionChangeType {
  @Field(() => PermissionChangeKind) change: PermissionChangeKind;
  @Field(() => PermissionType) permission: PermissionType;
}

@ObjectType("AccessChange")
export class AccessChangeType {
  @Field(() => UserType) user: UserType;
  @Field(() => [PermissionChangeType], {
    description: "Gained first, then lost; each ordered by scope, type, namespace, name and rule.",
  })
  changes: PermissionChangeType[];
}

@ObjectType("ReplayFlip")
export class ReplayFlipType {
  @Field(() => AuditEventType, { description: "The decision as it was taken and recorded." }) event: AuditEventType;
  @Field(() => CheckResultType, { description: "The same question decided under the bundle's state." })
  now: CheckResultType;
}

@ObjectType("ReplayReport")
export class ReplayReportType {
  @Field(() => Date, { description: "Start of the window replayed." }) since: Date;
  @Field(() => Int, { description: "Decisions (checks and guard decisions) decided again." }) replayed: number;
  @Field(() => Int) allowToDeny: number;
  @Field(() => Int) denyToAllow: number;
  @Field(() => [ReplayFlipType], { description: "The first 100 decisions that would now be denied, oldest first." })
  allowToDenyFlips: ReplayFlipType[];
  @Field(() => [ReplayFlipType], { description: "The first 100 decisions that would now be allowed, oldest first." })
  denyToAllowFlips: ReplayFlipType[];
}

@ObjectType("BundleEscalation")
export class BundleEscalationType {
  @Field(() => String) kind: string;
  @Field(() => String) name: string;
  @Field(() => String, { nullable: true, description: "The `type:capability` missing." }) capability: string | null;
  @Field(() => String) message: string;
}

@ObjectType("BundlePlan")
export class BundlePlanType {
  @Field(() => Boolean, {
    description: "Whether the bundle was applied (false for a dry run, and for an apply that changed nothing).",
  })
  applied: boolean;
  @Field(() => Int, {
    description: "The policy-state version the plan was computed against: pass it back as `expectedVersion`.",
  })
  version: number;
  @Field(() => BundleSummaryType) summary: BundleSummaryType;
  @Field(() => [BundleChangeType], {
    description: "In the order applied: resource types, policies, roles, SSO mappings, then deletions.",
  })
  changes: BundleChangeType[];
  @Field(() => [AccessChangeType], { description: "Every user whose effective permissions differ, ordered by email." })
  accessChanges: AccessChangeType[];
  @Field(() => [BundleEscalationType], {
    description: "What the caller could not apply (escalation prevention, missing capabilities): listed by a dry run.",
  })
  escalations: BundleEscalationType[];
  /** The state the bundle leaves, for the replay field. */
  after: Engine;
}
