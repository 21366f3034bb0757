// Every GraphQL operation the command line sends, written against
// schema/schema.graphql. test/unit/cli-operations.test.ts validates each one
// against the emitted schema, so a renamed or dropped field fails a test rather
// than a user's command. Access requests and bundles are in their own modules.

const PERMISSION = `effect resourceType namespace name capabilities scope requireMfa sourceCidrs expiresAt
  labels { key values } via { role policy ruleIndex grantId }`;
const AUDIT_EVENT = `id sequence time actorId actorEmail actorRoles tokenId sourceIp operation action resourceType
  resourceNamespace resourceName subjectId decision reason requestId metadata prevHash hash`;
const TOKEN =
  "id name hint breakGlass boundCidrs createdAt expiresAt lastUsedAt lastUsedIp revokedAt owner { email } roles { name }";
const USER = "id email displayName kind status source mfaEnrolled groups createdAt lastSeenAt";
const GRANT =
  "id subjectType user { email } group role { name } scope active source startsAt expiresAt reason createdAt";

export const OPERATIONS = {
  WhoAmI: `query WhoAmI { me { ${USER} grants { role { name } scope expiresAt source } } credential { kind id expiresAt mfa mfaVerifiedUntil sessionSource breakGlass } }`,
  UserByEmail: `query UserByEmail($email: String!) { user(email: $email) { id email status } }`,

  Can: `query Can($action: String!, $resource: ResourceInput!, $subject: SubjectInput) {
    can(action: $action, resource: $resource, subject: $subject) { allowed reason explanation decidedBy { role policy ruleIndex grantId } } }`,
  Effective: `query Effective($subject: SubjectInput, $resourceType: String, $namespace: String) {
    effectivePermissions(subject: $subject, resourceType: $resourceType, namespace: $namespace) { ${PERMISSION} } }`,
  WhoCan: `query WhoCan($action: String!, $resource: ResourceInput!) { whoCan(action: $action, resource: $resource) { ${USER} } }`,

  CreateToken: `mutation CreateToken($input: CreateTokenInput!) { createToken(input: $input) { secret token { ${TOKEN} } } }`,
  Tokens: `query Tokens($userId: ID, $includeRevoked: Boolean) { tokens(userId: $userId, includeRevoked: $includeRevoked) { ${TOKEN} } }`,
  RotateToken: `mutation RotateToken($id: ID!) { rotateToken(id: $id) { secret token { ${TOKEN} } } }`,
  RevokeToken: `mutation RevokeToken($id: ID!) { revokeToken(id: $id) { ${TOKEN} } }`,
  RevokeUserTokens: `mutation RevokeUserTokens($userId: ID!) { revokeUserTokens(userId: $userId) }`,

  Users: `query Users($after: String, $first: Int) { users(after: $after, first: $first) { ${USER} } }`,
  UserShow: `query UserShow($email: String!) { user(email: $email) { ${USER}
    grants { ${GRANT} } tokens { ${TOKEN} } } }`,
  CreateUser: `mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { ${USER} } }`,
  LockUser: `mutation LockUser($id: ID!, $reason: String) { lockUser(id: $id, reason: $reason) { ${USER} } }`,
  UnlockUser: `mutation UnlockUser($id: ID!) { unlockUser(id: $id) { ${USER} } }`,
  DeprovisionUser: `mutation DeprovisionUser($id: ID!) { deprovisionUser(id: $id) { ${USER} } }`,
  ReactivateUser: `mutation ReactivateUser($id: ID!) { reactivateUser(id: $id) { ${USER} } }`,

  Roles: `query Roles { roles { name description builtIn superuser inherits { name } policies { name } } }`,
  RoleDescribe: `query RoleDescribe($name: String!) {
    role(name: $name) { name description builtIn superuser requireSessionMfa maxSessionTtlSeconds approvalsRequired denialsRequired
      inherits { name } requestableRoles { name } reviewableRoles { name } document
      policies { name rules { effect resourceType namespace name capabilities level labels { key values } sourceCidrs requireMfa } } } }`,
  Grants: `query Grants($userId: ID, $role: String, $includeInactive: Boolean) {
    grants(userId: $userId, role: $role, includeInactive: $includeInactive) { ${GRANT} } }`,
  GrantRole: `mutation GrantRole($input: GrantInput!) { grantRole(input: $input) { ${GRANT} } }`,
  RevokeGrant: `mutation RevokeGrant($id: ID!) { revokeGrant(id: $id) }`,
  Policies: `query Policies { policies { name description builtIn version updatedAt roles { name } } }`,
  Policy: `query Policy($name: String!) { policy(name: $name) { name description builtIn version document updatedAt
    rules { effect resourceType namespace name capabilities level labels { key values } sourceCidrs requireMfa } roles { name } } }`,
  ResourceTypes: `query ResourceTypes { resourceTypes { name capabilities { capability level } } }`,

  AuditEvents: `query AuditEvents($filter: AuditFilter, $first: Int, $after: String) {
    auditEvents(filter: $filter, first: $first, after: $after) { nextCursor nodes { ${AUDIT_EVENT} } } }`,
  VerifyAuditChain: `query VerifyAuditChain { verifyAuditChain { ok checked firstBrokenSequence } }`,
  AuditTail: `subscription AuditTail($filter: AuditFilter, $resumeAfter: String) {
    auditEvents(filter: $filter, resumeAfter: $resumeAfter) { ${AUDIT_EVENT} } }`,
} as const;

// Result shapes of the documents above, as far as the commands read them.
export interface UserView {
  id: string;
  email: string;
  displayName: string | null;
  kind: string;
  status: string;
  source: string;
  mfaEnrolled: boolean;
  groups: string[];
  createdAt: string;
  lastSeenAt: string | null;
}
export interface TokenView {
  id: string;
  name: string;
  hint: string;
  breakGlass: boolean;
  boundCidrs: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  revokedAt: string | null;
  owner: { email: string };
  roles: Array<{ name: string }>;
}
export interface GrantView {
  id: string;
  subjectType: string;
  user: { email: string } | null;
  group: string | null;
  role: { name: string };
  scope: string;
  active: boolean;
  source: string;
  startsAt: string | null;
  expiresAt: string | null;
  reason: string | null;
  createdAt: string;
}
export interface RuleRefView {
  role: string | null;
  policy: string;
  ruleIndex: number;
  grantId: string | null;
}
export interface PermissionView {
  effect: string;
  resourceType: string;
  namespace: string;
  name: string;
  capabilities: string[];
  scope: string;
  requireMfa: boolean;
  sourceCidrs: string[];
  expiresAt: string | null;
  labels: Array<{ key: string; values: string[] }>;
  via: RuleRefView;
}
export interface AuditEventView {
  id: string;
  sequence: number;
  time: string;
  actorId: string | null;
  actorEmail: string | null;
  actorRoles: string[];
  tokenId: string | null;
  sourceIp: string | null;
  operation: string;
  action: string | null;
  resourceType: string | null;
  resourceNamespace: string | null;
  resourceName: string | null;
  subjectId: string | null;
  decision: string;
  reason: string;
  requestId: string | null;
  metadata: unknown;
  prevHash: string;
  hash: string;
}
export interface RuleView {
  effect: string;
  resourceType: string;
  namespace: string;
  name: string;
  capabilities: string[];
  level: string | null;
  labels: Array<{ key: string; values: string[] }>;
  sourceCidrs: string[];
  requireMfa: boolean;
}
