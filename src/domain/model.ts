// Plain records the domain works with. Storage maps its entities to these;
// the GraphQL layer maps these to its object types. Roles and policies are
// referred to by name.
import type { Level } from "../engine/types";

export type UserKind = "HUMAN" | "SERVICE";
export type UserStatus = "ACTIVE" | "LOCKED" | "DEPROVISIONED";
export type IdentitySource = "LOCAL" | "SAML" | "OIDC" | "SCIM" | "LDAP";
export type GrantSource = "MANUAL" | "SSO" | "ACCESS_REQUEST";

export interface UserRecord {
  id: string;
  /** Lower-cased. */
  email: string;
  displayName: string | null;
  kind: UserKind;
  status: UserStatus;
  source: IdentitySource;
  externalId: string | null;
  /**
   * The SSO provider (as named in SSO mappings) that `externalId` belongs to: the
   * provider of the login that set it, or the SCIM provider for an id set over
   * SCIM. An identity is found by (source, provider, id), so a second provider of
   * the same protocol presenting the same id is a different identity. Absent or
   * null: unknown (rows from before providers were recorded, or no externalId);
   * the first login that presents the id claims it for its provider.
   */
  externalProvider?: string | null;
  groups: string[];
  mfaEnrolled: boolean;
  lockedReason: string | null;
  createdAt: Date;
  lastSeenAt: Date | null;
  /**
   * When the identity provider deleted the user (SCIM DELETE). The record stays,
   * DEPROVISIONED, for the audit trail's references, but provisioning no longer
   * serves it. Absent or null: not deleted.
   */
  removedAt?: Date | null;
}

export interface ResourceTypeRecord {
  name: string;
  builtIn: boolean;
  capabilities: Record<string, Level>;
}

export interface PolicyRecord {
  id: string;
  name: string;
  description: string | null;
  version: number;
  builtIn: boolean;
  document: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface RoleRecord {
  id: string;
  name: string;
  description: string | null;
  builtIn: boolean;
  superuser: boolean;
  maxSessionTtlSeconds: number | null;
  requireSessionMfa: boolean;
  approvalsRequired: number;
  denialsRequired: number;
  version: number;
  document: string;
  /** Names, in document order. */
  policies: string[];
  inherits: string[];
  requestableRoles: string[];
  reviewableRoles: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface GrantRecord {
  id: string;
  subjectType: "USER" | "GROUP";
  userId: string | null;
  group: string | null;
  /** Role name. */
  role: string;
  scope: string;
  active: boolean;
  startsAt: Date | null;
  expiresAt: Date | null;
  reason: string | null;
  source: GrantSource;
  ssoProvider: string | null;
  accessRequestId: string | null;
  createdById: string | null;
  createdAt: Date;
}

/** One SSO mapping: users of `provider` in a group matching `group` get `role` within `scope`. */
export interface SsoMappingRecord {
  provider: string;
  /** Group name glob; '*' matches every user of the provider. */
  group: string;
  /** Role name. */
  role: string;
  scope: string;
}

export interface TokenRecord {
  id: string;
  name: string;
  ownerId: string;
  secretHash: string;
  hint: string;
  /** Role names; empty means all of the owner's roles. */
  roles: string[];
  boundCidrs: string[];
  breakGlass: boolean;
  ttlSeconds: number | null;
  createdById: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
}

export interface SessionRecord {
  id: string;
  userId: string;
  secretHash: string;
  source: "LOCAL" | "SAML" | "OIDC" | "LDAP";
  mfa: boolean;
  mfaVerifiedUntil: Date | null;
  sourceIp: string | null;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date | null;
  revokedAt: Date | null;
}
