// The GraphQL operations the console sends, with the shapes of their answers
// (types follow the public schema in schema/schema.graphql).

export type Effect = "ALLOW" | "DENY";

export interface RuleRef {
  policy: string;
  role: string | null;
  ruleIndex: number;
  grantId: string | null;
}

export interface Permission {
  resourceType: string;
  namespace: string;
  name: string;
  capabilities: string[];
  effect: Effect;
  expiresAt: string | null;
  scope: string;
  requireMfa: boolean;
  sourceCidrs: string[];
  via: RuleRef;
}

export interface CheckResult {
  allowed: boolean;
  reason: string;
  explanation: string[];
  decidedBy: RuleRef | null;
}

export interface RoleRef {
  name: string;
}

export interface Grant {
  id: string;
  active: boolean;
  scope: string;
  source: string;
  expiresAt: string | null;
  startsAt: string | null;
  group: string | null;
  reason: string | null;
  role: RoleRef;
  user: { id: string; email: string } | null;
}

export interface Me {
  id: string;
  email: string;
  displayName: string | null;
  mfaEnrolled: boolean;
  groups: string[];
  grants: Array<{ active: boolean; role: RoleReach }>;
}

/** A role with what its holders may ask for and review, and the roles it inherits (three levels deep). */
export interface RoleReach {
  name: string;
  requestableRoles: RoleRef[];
  reviewableRoles: RoleRef[];
  inherits?: RoleReach[];
}

export interface Credential {
  id: string;
  kind: "SESSION" | "TOKEN";
  expiresAt: string | null;
  mfa: boolean;
  mfaVerifiedUntil: string | null;
  sessionSource: string | null;
  breakGlass: boolean;
}

export const ME = `query Me {
  me { id email displayName mfaEnrolled groups grants { active role { ...Reach inherits { ...Reach inherits { ...Reach inherits { ...Reach } } } } } }
  credential { id kind expiresAt mfa mfaVerifiedUntil sessionSource breakGlass }
}
fragment Reach on Role { name requestableRoles { name } reviewableRoles { name } }`;

/** The roles the user's active grants let them ask for (`requestableRoles`) or review, inherited roles included. */
export function reachableRoles(me: Me, key: "requestableRoles" | "reviewableRoles"): string[] {
  const names = new Set<string>();
  const walk = (role: RoleReach) => {
    for (const r of role[key]) names.add(r.name);
    for (const parent of role.inherits ?? []) walk(parent);
  };
  for (const grant of me.grants) if (grant.active) walk(grant.role);
  return [...names].sort();
}

export interface CheckInput {
  action: string;
  resource: { type: string; namespace?: string; name?: string };
}

export const CAN_MANY = `query CanMany($checks: [CheckInput!]!) { canMany(checks: $checks) { allowed reason } }`;

const PERMISSION =
  "resourceType namespace name capabilities effect expiresAt scope requireMfa sourceCidrs via { policy role ruleIndex grantId }";

export const MY_PERMISSIONS = `query MyPermissions { effectivePermissions { ${PERMISSION} } }`;

export const CAN = `query Can($action: String!, $resource: ResourceInput!) {
  can(action: $action, resource: $resource) { allowed reason explanation decidedBy { policy role ruleIndex grantId } }
}`;

export interface Token {
  id: string;
  name: string;
  hint: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  boundCidrs: string[];
  breakGlass: boolean;
  roles: RoleRef[];
}

const TOKEN = "id name hint createdAt expiresAt revokedAt lastUsedAt boundCidrs breakGlass roles { name }";
export const MY_TOKENS = `query MyTokens { tokens(includeRevoked: false) { ${TOKEN} } }`;
export const CREATE_TOKEN = `mutation CreateToken($input: CreateTokenInput!) { createToken(input: $input) { secret token { ${TOKEN} } } }`;
export const ROTATE_TOKEN = `mutation RotateToken($id: ID!) { rotateToken(id: $id) { secret token { ${TOKEN} } } }`;
export const REVOKE_TOKEN = `mutation RevokeToken($id: ID!) { revokeToken(id: $id) { ${TOKEN} } }`;

export interface Session {
  id: string;
  source: "LOCAL" | "SAML" | "OIDC" | "LDAP";
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  mfa: boolean;
  mfaVerifiedUntil: string | null;
  sourceIp: string | null;
  current: boolean;
}

const SESSION = "id source createdAt expiresAt revokedAt mfa mfaVerifiedUntil sourceIp current";
export const MY_SESSIONS = `query MySessions { sessions(includeEnded: false) { ${SESSION} } }`;
export const REVOKE_SESSION = `mutation RevokeSession($id: ID!) { revokeSession(id: $id) { ${SESSION} } }`;

export const ENROLL_TOTP = `mutation EnrollTotp { enrollTotp { otpauthUri } }`;
export const VERIFY_TOTP = `mutation VerifyTotp($code: String!) { verifyTotp(code: $code) { confirmed verifiedUntil } }`;

export interface AccessRequest {
  id: string;
  status: string;
  reason: string;
  scope: string;
  ttlSeconds: number;
  createdAt: string;
  expiresAt: string | null;
  approvalsRequired: number;
  requester: { id: string; email: string };
  roles: Array<{
    name: string;
    policies: Array<{ name: string; rules: Rule[] }>;
  }>;
  reviews: Array<{ approve: boolean; comment: string | null; reviewer: { email: string } }>;
}

export interface Rule {
  resourceType: string;
  namespace: string;
  name: string;
  capabilities: string[];
  effect: Effect;
  level: string | null;
  requireMfa: boolean;
}

const RULE = "resourceType namespace name capabilities effect level requireMfa";
export const ACCESS_REQUESTS = `query AccessRequests { accessRequests {
  id status reason scope ttlSeconds createdAt expiresAt approvalsRequired
  requester { id email }
  roles { name policies { name rules { ${RULE} } } }
  reviews { approve comment reviewer { email } }
} }`;
export const REQUEST_ACCESS = `mutation RequestAccess($roles: [String!]!, $reason: String!, $ttlSeconds: Int, $scope: String) {
  requestAccess(roles: $roles, reason: $reason, ttlSeconds: $ttlSeconds, scope: $scope) { id status }
}`;
export const REVIEW_REQUEST = `mutation Review($id: ID!, $approve: Boolean!, $comment: String) {
  reviewAccessRequest(id: $id, approve: $approve, comment: $comment) { id status }
}`;
export const CANCEL_REQUEST = `mutation Cancel($id: ID!) { cancelAccessRequest(id: $id) { id status } }`;

export interface User {
  id: string;
  email: string;
  displayName: string | null;
  status: string;
  source: string;
  kind: string;
  lastSeenAt: string | null;
  mfaEnrolled: boolean;
}
export const USERS = `query Users($after: String) { users(first: 100, after: $after) { id email displayName status source kind lastSeenAt mfaEnrolled } }`;
const USER_FIELDS = "id status";
export const LOCK_USER = `mutation Lock($id: ID!) { lockUser(id: $id) { ${USER_FIELDS} } }`;
export const UNLOCK_USER = `mutation Unlock($id: ID!) { unlockUser(id: $id) { ${USER_FIELDS} } }`;
export const DEPROVISION_USER = `mutation Deprovision($id: ID!) { deprovisionUser(id: $id) { ${USER_FIELDS} } }`;
export const REACTIVATE_USER = `mutation Reactivate($id: ID!) { reactivateUser(id: $id) { ${USER_FIELDS} } }`;
export const REVOKE_SESSIONS = `mutation RevokeSessions($userId: ID!) { revokeSessions(userId: $userId) }`;

export interface RoleDetail {
  name: string;
  description: string | null;
  builtIn: boolean;
  superuser: boolean;
  inherits: RoleRef[];
  requestableRoles: RoleRef[];
  reviewableRoles: RoleRef[];
  policies: Array<{ name: string; rules: Rule[] }>;
}
export const ROLES = `query Roles { roles { name description builtIn superuser inherits { name } requestableRoles { name } reviewableRoles { name }
  policies { name rules { ${RULE} } } } }`;
export const USER_GRANTS = `query UserGrants($userId: ID!) { grants(userId: $userId) { id active scope expiresAt role { name } } }`;
export const GRANTS = `query Grants($role: String) { grants(role: $role) { id active scope source expiresAt startsAt group reason role { name } user { id email } } }`;

export interface PolicyDetail {
  name: string;
  description: string | null;
  builtIn: boolean;
  version: number;
  rules: Rule[];
}
export const POLICIES = `query Policies { policies { name description builtIn version rules { ${RULE} } } }`;
export const RESOURCE_TYPES = `query ResourceTypes { resourceTypes { name capabilities { capability level } } }`;
export const SSO_MAPPINGS = `query SsoMappings { ssoMappings { provider group scope role { name } } }`;

export const POLICY_DOCUMENT = `query PolicyDocument($name: String!) { policy(name: $name) { name document } }`;
export const ROLE_DOCUMENT = `query RoleDocument($name: String!) { role(name: $name) { name document } }`;

export interface BundlePlan {
  applied: boolean;
  version: number;
  summary: { created: number; updated: number; deleted: number; usersGaining: number; usersLosing: number };
  changes: Array<{ kind: string; name: string; action: string; diff: string | null }>;
  escalations: Array<{ kind: string; name: string; message: string; capability: string | null }>;
  accessChanges: Array<{
    user: { email: string };
    changes: Array<{ change: "GAINED" | "LOST"; permission: Permission }>;
  }>;
  replay?: {
    replayed: number;
    allowToDeny: number;
    denyToAllow: number;
    allowToDenyFlips: ReplayFlip[];
    denyToAllowFlips: ReplayFlip[];
  };
}
export interface ReplayFlip {
  event: {
    sequence: number;
    operation: string;
    actorEmail: string | null;
    action: string | null;
    resourceType: string | null;
    time: string;
  };
  now: { allowed: boolean; reason: string };
}
const FLIP = "event { sequence operation actorEmail action resourceType time } now { allowed reason }";
export const APPLY_BUNDLE = `mutation ApplyBundle($document: String!, $dryRun: Boolean!, $expectedVersion: Int, $withReplay: Boolean!) {
  applyBundle(document: $document, dryRun: $dryRun, expectedVersion: $expectedVersion) {
    applied version
    summary { created updated deleted usersGaining usersLosing }
    changes { kind name action diff }
    escalations { kind name message capability }
    accessChanges { user { email } changes { change permission { ${PERMISSION} } } }
    replay @include(if: $withReplay) { replayed allowToDeny denyToAllow allowToDenyFlips { ${FLIP} } denyToAllowFlips { ${FLIP} } }
  }
}`;

export interface AuditEvent {
  id: string;
  sequence: number;
  time: string;
  operation: string;
  decision: Effect;
  reason: string;
  actorEmail: string | null;
  action: string | null;
  resourceType: string | null;
  resourceNamespace: string | null;
  resourceName: string | null;
  sourceIp: string | null;
}
const EVENT =
  "id sequence time operation decision reason actorEmail action resourceType resourceNamespace resourceName sourceIp";
export const AUDIT_EVENTS = `query AuditEvents($filter: AuditFilter, $after: String) {
  auditEvents(filter: $filter, after: $after, first: 50) { nextCursor nodes { ${EVENT} } }
}`;
export const AUDIT_FEED = `subscription Feed($filter: AuditFilter, $resumeAfter: String) { auditEvents(filter: $filter, resumeAfter: $resumeAfter) { ${EVENT} } }`;
export const VERIFY_CHAIN = `query Verify { verifyAuditChain { ok checked firstBrokenSequence } }`;
