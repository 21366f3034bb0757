import { registerEnumType } from "type-graphql";

export enum Effect {
  ALLOW = "ALLOW",
  DENY = "DENY",
}
export enum Level {
  METADATA = "METADATA",
  READ = "READ",
  OPERATE = "OPERATE",
  ADMIN = "ADMIN",
  OWNER = "OWNER",
}
export enum UserKind {
  HUMAN = "HUMAN",
  SERVICE = "SERVICE",
}
export enum UserStatus {
  ACTIVE = "ACTIVE",
  LOCKED = "LOCKED",
  DEPROVISIONED = "DEPROVISIONED",
}
export enum IdentitySource {
  LOCAL = "LOCAL",
  SAML = "SAML",
  OIDC = "OIDC",
  SCIM = "SCIM",
  LDAP = "LDAP",
}
export enum SubjectType {
  USER = "USER",
  GROUP = "GROUP",
}
export enum GrantSource {
  MANUAL = "MANUAL",
  SSO = "SSO",
  ACCESS_REQUEST = "ACCESS_REQUEST",
}

registerEnumType(Effect, { name: "Effect" });
registerEnumType(Level, {
  name: "Level",
  description: "Cumulative permission levels: each includes every level before it.",
});
registerEnumType(UserKind, { name: "UserKind" });
registerEnumType(UserStatus, { name: "UserStatus" });
registerEnumType(IdentitySource, { name: "IdentitySource" });
registerEnumType(SubjectType, { name: "SubjectType" });
registerEnumType(GrantSource, { name: "GrantSource" });

export enum DecisionReason {
  ALLOWED = "ALLOWED",
  SUPERUSER = "SUPERUSER",
  NO_MATCHING_RULE = "NO_MATCHING_RULE",
  EXPLICIT_DENY = "EXPLICIT_DENY",
  MFA_REQUIRED = "MFA_REQUIRED",
  SOURCE_NOT_ALLOWED = "SOURCE_NOT_ALLOWED",
  USER_LOCKED = "USER_LOCKED",
  TOKEN_SCOPE = "TOKEN_SCOPE",
  UNAUTHENTICATED = "UNAUTHENTICATED",
  /** Addition: a reviewer refused the approval of their own access request. */
  SELF_APPROVAL = "SELF_APPROVAL",
  /** Audit events only: a write refused because it would give more than the actor may do. */
  ESCALATION_DENIED = "ESCALATION_DENIED",
}
registerEnumType(DecisionReason, { name: "DecisionReason", description: "Why a decision came out as it did." });

export enum AccessRequestStatus {
  PENDING = "PENDING",
  APPROVED = "APPROVED",
  DENIED = "DENIED",
  EXPIRED = "EXPIRED",
  CANCELLED = "CANCELLED",
}
registerEnumType(AccessRequestStatus, { name: "AccessRequestStatus" });
