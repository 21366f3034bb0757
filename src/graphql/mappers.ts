// Domain records → GraphQL object types. Entities never reach this layer.
import type {
  GrantRecord,
  PolicyRecord,
  ResourceTypeRecord,
  RoleRecord,
  SessionRecord,
  SsoMappingRecord,
  TokenRecord,
  UserRecord,
} from "../domain/model";
import type { Principal } from "../domain/principal";
import { LEVELS } from "../engine/types";
import { GrantSource, IdentitySource, Level, SubjectType, UserKind, UserStatus } from "./types/enums";
import type {
  AccessRequestRecord,
  AccessRequestStatus as Status,
} from "../domain/access-requests/access-request.model";
import { AccessRequestType, AccessReviewType } from "./types/access-request.type";
import { AccessRequestStatus } from "./types/enums";
import { GrantType } from "./types/grant.type";
import { PolicyType } from "./types/policy.type";
import { ResourceTypeType } from "./types/resource-type.type";
import { RoleType } from "./types/role.type";
import { SessionSource, SessionType } from "./types/session.type";
import { SsoMappingType } from "./types/sso-mapping.type";
import { TokenType } from "./types/token.type";
import { UserType } from "./types/user.type";

export function toUserType(u: UserRecord): UserType {
  return Object.assign(new UserType(), {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    kind: u.kind as UserKind,
    status: u.status as UserStatus,
    source: u.source as IdentitySource,
    groups: u.groups,
    mfaEnrolled: u.mfaEnrolled,
    createdAt: u.createdAt,
    lastSeenAt: u.lastSeenAt,
  });
}

export function toPolicyType(p: PolicyRecord): PolicyType {
  return Object.assign(new PolicyType(), {
    id: p.id,
    name: p.name,
    description: p.description,
    version: p.version,
    builtIn: p.builtIn,
    document: p.document,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  });
}

export function toRoleType(r: RoleRecord): RoleType {
  return Object.assign(new RoleType(), {
    id: r.id,
    name: r.name,
    description: r.description,
    builtIn: r.builtIn,
    superuser: r.superuser,
    maxSessionTtlSeconds: r.maxSessionTtlSeconds,
    requireSessionMfa: r.requireSessionMfa,
    approvalsRequired: r.approvalsRequired,
    denialsRequired: r.denialsRequired,
    document: r.document,
    policyNames: r.policies,
    inheritNames: r.inherits,
    requestableNames: r.requestableRoles,
    reviewableNames: r.reviewableRoles,
  });
}

export function toGrantType(g: GrantRecord): GrantType {
  return Object.assign(new GrantType(), {
    id: g.id,
    subjectType: g.subjectType as SubjectType,
    group: g.group,
    scope: g.scope,
    active: g.active,
    startsAt: g.startsAt,
    expiresAt: g.expiresAt,
    reason: g.reason,
    source: g.source as GrantSource,
    createdAt: g.createdAt,
    userId: g.userId,
    roleName: g.role,
    createdById: g.createdById,
  });
}

export function toTokenType(t: TokenRecord): TokenType {
  return Object.assign(new TokenType(), {
    id: t.id,
    name: t.name,
    hint: t.hint,
    boundCidrs: t.boundCidrs,
    breakGlass: t.breakGlass,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt,
    lastUsedIp: t.lastUsedIp,
    revokedAt: t.revokedAt,
    ownerId: t.ownerId,
    roleNames: t.roles,
  });
}

export function toSessionType(s: SessionRecord, caller: Principal, now: Date): SessionType {
  return Object.assign(new SessionType(), {
    id: s.id,
    source: s.source as SessionSource,
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
    lastUsedAt: s.lastSeenAt,
    revokedAt: s.revokedAt,
    mfa: s.mfa || (s.mfaVerifiedUntil !== null && now < s.mfaVerifiedUntil),
    mfaVerifiedUntil: s.mfaVerifiedUntil,
    sourceIp: s.sourceIp,
    current: caller.credential.kind === "session" && caller.credential.sessionId === s.id,
  });
}

export function toResourceTypeType(t: ResourceTypeRecord): ResourceTypeType {
  const rank = (level: string) => LEVELS.indexOf(level as (typeof LEVELS)[number]);
  const capabilities = Object.entries(t.capabilities)
    .sort(([a, la], [b, lb]) => rank(la) - rank(lb) || a.localeCompare(b))
    .map(([capability, level]) => ({ capability, level: level as Level }));
  return Object.assign(new ResourceTypeType(), { name: t.name, capabilities });
}

export function toSsoMappingType(m: SsoMappingRecord): SsoMappingType {
  return Object.assign(new SsoMappingType(), {
    provider: m.provider,
    group: m.group,
    scope: m.scope,
    roleName: m.role,
  });
}

/** `status` is the request's status now (a pending request past its deadline reads EXPIRED). */
export function toAccessRequestType(r: AccessRequestRecord, status: Status): AccessRequestType {
  return Object.assign(new AccessRequestType(), {
    id: r.id,
    reason: r.reason,
    scope: r.scope,
    status: status as AccessRequestStatus,
    ttlSeconds: r.ttlSeconds,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    decidedAt: r.decidedAt,
    approvalsRequired: r.approvalsRequired,
    denialsRequired: r.denialsRequired,
    requesterId: r.requesterId,
    roleNames: r.roles,
    reviews: r.reviews.map((v) =>
      Object.assign(new AccessReviewType(), {
        approve: v.approve,
        comment: v.comment,
        createdAt: v.createdAt,
        reviewerId: v.reviewerId,
      }),
    ),
  });
}
