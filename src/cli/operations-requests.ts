// Access-request operations (AccessRequest, requestAccess, reviewAccessRequest,
// cancelAccessRequest). Validated against the emitted schema by
// test/unit/cli-request-operations.test.ts.

const ACCESS_REQUEST = `id status reason scope ttlSeconds createdAt expiresAt decidedAt approvalsRequired denialsRequired
  requester { email } roles { name } reviews { reviewer { email } approve comment createdAt } grants { id expiresAt }`;

export const REQUEST_OPERATIONS = {
  RequestAccess: `mutation RequestAccess($roles: [String!]!, $reason: String!, $ttlSeconds: Int, $scope: String) {
    requestAccess(roles: $roles, reason: $reason, ttlSeconds: $ttlSeconds, scope: $scope) { ${ACCESS_REQUEST} } }`,
  AccessRequests: `query AccessRequests($status: AccessRequestStatus) { accessRequests(status: $status) { ${ACCESS_REQUEST} } }`,
  ReviewAccessRequest: `mutation ReviewAccessRequest($id: ID!, $approve: Boolean!, $comment: String) {
    reviewAccessRequest(id: $id, approve: $approve, comment: $comment) { ${ACCESS_REQUEST} } }`,
  CancelAccessRequest: `mutation CancelAccessRequest($id: ID!) { cancelAccessRequest(id: $id) { ${ACCESS_REQUEST} } }`,
} as const;

export interface AccessRequestView {
  id: string;
  status: string;
  reason: string;
  scope: string;
  ttlSeconds: number;
  createdAt: string;
  expiresAt: string | null;
  decidedAt: string | null;
  approvalsRequired: number;
  denialsRequired: number;
  requester: { email: string };
  roles: Array<{ name: string }>;
  reviews: Array<{ reviewer: { email: string }; approve: boolean; comment: string | null; createdAt: string }>;
  grants: Array<{ id: string; expiresAt: string | null }>;
}
