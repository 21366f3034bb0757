// Public value types of the policy engine. The engine is pure: these are plain
// data, with no dependency on storage, transport or configuration.

/** Cumulative permission levels: each includes every level before it. */
export const LEVELS = ["METADATA", "READ", "OPERATE", "ADMIN", "OWNER"] as const;
export type Level = (typeof LEVELS)[number];

/** The server's own resource types. They live in namespace `system` and are never matched by `resource: "*"`. */
export const SYSTEM_TYPES = [
  "user",
  "role",
  "policy",
  "grant",
  "token",
  "audit",
  "sso",
  "access_request",
  "resource_type",
  "permission",
] as const;
export const SYSTEM_NAMESPACE = "system";

export type Effect = "ALLOW" | "DENY";

export type DecisionReason =
  | "ALLOWED"
  | "SUPERUSER"
  | "NO_MATCHING_RULE"
  | "EXPLICIT_DENY"
  | "MFA_REQUIRED"
  | "SOURCE_NOT_ALLOWED"
  | "USER_LOCKED"
  | "TOKEN_SCOPE"
  | "UNAUTHENTICATED"
  /** Never an engine outcome: a reviewer's refusal to approve their own access request (docs/concepts.md, Access requests). */
  | "SELF_APPROVAL";

export type UserStatus = "ACTIVE" | "LOCKED" | "DEPROVISIONED";

/** A registered resource type: each capability with the lowest level that includes it. */
export interface ResourceTypeDef {
  name: string;
  capabilities: Record<string, Level>;
}

export interface LabelSelector {
  key: string;
  /** Globs; a resource matches when its value for `key` matches any of them. */
  values: string[];
}

/**
 * One rule of a policy as written (after validation, before level expansion).
 * `capabilities: []` in a document reads back as effect DENY with capabilities ["*"].
 */
export interface RuleSpec {
  effect: Effect;
  /** A registered type name, or "*" for every infrastructure type. */
  resourceType: string;
  /** Namespace glob; "**" when the document leaves it out. */
  namespace: string;
  /** Name glob; "*" when the document leaves it out. */
  name: string;
  labels: LabelSelector[];
  /** Explicit capabilities ("*" = every capability of the matched types); null when `level` is used. */
  capabilities: string[] | null;
  level: Level | null;
  requireMfa: boolean;
  sourceCidrs: string[];
}

export interface PolicyDoc {
  name: string;
  description: string | null;
  rules: RuleSpec[];
}

export interface RoleOptions {
  maxSessionTtlSeconds: number | null;
  requireSessionMfa: boolean;
}

export interface RoleDoc {
  name: string;
  description: string | null;
  policies: string[];
  inherits: string[];
  options: RoleOptions;
  /** Roles holders may ask for through an access request, and how many approvals/denials decide. */
  request: { roles: string[]; approvals: number; denials: number };
  /** Roles whose access requests holders may review. */
  reviewRequests: { roles: string[] };
  superuser: boolean;
}

export interface GrantDef {
  id: string;
  role: string;
  subject: { type: "USER"; userId: string } | { type: "GROUP"; group: string };
  /** Namespace subtree the grant applies to; "" means everywhere. */
  scope: string;
  active: boolean;
  startsAt: Date | null;
  expiresAt: Date | null;
}

export interface UserDef {
  id: string;
  status: UserStatus;
  groups: string[];
}

export interface TokenDef {
  id: string;
  ownerId: string;
  /** A subset of the owner's roles; empty means all of the owner's roles. */
  roles: string[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** Networks the token may be used from; absent or empty means anywhere. */
  boundCidrs?: string[];
}

/** Everything the engine decides from. */
export interface PolicyState {
  types: ResourceTypeDef[];
  policies: PolicyDoc[];
  roles: RoleDoc[];
  grants: GrantDef[];
  users: UserDef[];
  tokens: TokenDef[];
}

/** A resource as described by the caller; never stored. */
export interface Resource {
  type: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
}

/** Facts about the request being decided. */
export interface DecisionContext {
  mfa: boolean;
  /** Caller's address, IPv4 or IPv6 text; null when unknown (then no sourceCidrs rule admits). */
  sourceIp: string | null;
}

/** Whom to decide for: a user, or a user's token. */
export type Principal = { kind: "user"; userId: string } | { kind: "token"; tokenId: string };

export interface RuleRef {
  policy: string;
  ruleIndex: number;
  role: string | null;
  grantId: string | null;
}

export interface Decision {
  allowed: boolean;
  reason: DecisionReason;
  decidedBy: RuleRef | null;
  /** Plain-English steps, most important first. */
  explanation: string[];
}

export interface Permission {
  effect: Effect;
  resourceType: string;
  namespace: string;
  name: string;
  labels: LabelSelector[];
  /** Expanded against the type registry. */
  capabilities: string[];
  requireMfa: boolean;
  sourceCidrs: string[];
  via: RuleRef;
  scope: string;
  expiresAt: Date | null;
}

export interface PermissionFilter {
  resourceType?: string | null;
  namespace?: string | null;
}

export type CoverResult = { covered: true } | { covered: false; missing: string; explanation: string };

/** One problem in a document, with the path of the offending field (`rules[2].capabilities[0]`). */
export interface ValidationIssue {
  path: string;
  message: string;
}
