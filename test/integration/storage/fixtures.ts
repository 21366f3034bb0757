import { randomUUID } from "node:crypto";
import type { GrantRecord, PolicyRecord, RoleRecord, TokenRecord, UserRecord } from "../../../src/domain/model";

const unique = () => randomUUID().slice(0, 8);
export const at = (iso: string) => new Date(iso);

export function aUser(patch: Partial<UserRecord> = {}): UserRecord {
  return {
    id: randomUUID(),
    email: `user-${unique()}@example.com`,
    displayName: "A User",
    kind: "HUMAN",
    status: "ACTIVE",
    source: "LOCAL",
    externalId: null,
    externalProvider: null,
    groups: ["eng"],
    mfaEnrolled: false,
    lockedReason: null,
    createdAt: at("2026-01-02T03:04:05.678Z"),
    lastSeenAt: null,
    removedAt: null,
    ...patch,
  };
}

export function aPolicy(patch: Partial<PolicyRecord> = {}): PolicyRecord {
  const name = patch.name ?? `policy-${unique()}`;
  return {
    id: randomUUID(),
    name,
    description: null,
    version: 1,
    builtIn: false,
    document: `kind: policy\nname: ${name}\nrules: []\n`,
    createdAt: at("2026-01-01T00:00:00.000Z"),
    updatedAt: at("2026-01-01T00:00:00.000Z"),
    ...patch,
  };
}

export function aRole(patch: Partial<RoleRecord> = {}): RoleRecord {
  const name = patch.name ?? `role-${unique()}`;
  return {
    id: randomUUID(),
    name,
    description: "a role",
    builtIn: false,
    superuser: false,
    maxSessionTtlSeconds: 3600,
    requireSessionMfa: false,
    approvalsRequired: 1,
    denialsRequired: 1,
    version: 1,
    document: `kind: role\nname: ${name}\n`,
    policies: [],
    inherits: [],
    requestableRoles: [],
    reviewableRoles: [],
    createdAt: at("2026-01-01T00:00:00.000Z"),
    updatedAt: at("2026-01-01T00:00:00.000Z"),
    ...patch,
  };
}

export function aGrant(role: string, patch: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id: randomUUID(),
    subjectType: "USER",
    userId: null,
    group: null,
    role,
    scope: "",
    active: true,
    startsAt: null,
    expiresAt: null,
    reason: null,
    source: "MANUAL",
    ssoProvider: null,
    accessRequestId: null,
    createdById: null,
    createdAt: at("2026-01-01T00:00:00.000Z"),
    ...patch,
  };
}

export function aToken(ownerId: string, patch: Partial<TokenRecord> = {}): TokenRecord {
  return {
    id: randomUUID(),
    name: "ci",
    ownerId,
    secretHash: randomUUID().replace(/-/g, "").padEnd(64, "0"),
    hint: "ptc_…abcd",
    roles: [],
    boundCidrs: [],
    breakGlass: false,
    ttlSeconds: null,
    createdById: null,
    createdAt: at("2026-01-01T00:00:00.000Z"),
    expiresAt: null,
    lastUsedAt: null,
    lastUsedIp: null,
    revokedAt: null,
    ...patch,
  };
}
