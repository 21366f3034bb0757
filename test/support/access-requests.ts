// Roles, a movable clock and calls for the access-request tests.
//   requester: may ask for on-call (1 approval, 1 denial) and on-call-pair (2 approvals, 2 denials)
//   reviewer: reviews both, lists requests, and holds what on-call gives (so may grant it)
//   weak-reviewer: reviews on-call but holds none of it (approving would escalate)
//   bystander: may review and list, but its roles review no role
import { addRole } from "./principals";
import { gql, type GraphQLResponse, type TestServer, type UntypedData } from "./server";

export const REQUEST_FIELDS = `id status reason scope ttlSeconds approvalsRequired denialsRequired createdAt expiresAt decidedAt
  requester { id email } roles { name } reviews { reviewer { id } approve comment createdAt }
  grants { id role { name } scope source startsAt expiresAt reason user { id } }`;

/** An AccessRequest as REQUEST_FIELDS selects it. */
export interface AccessRequestView {
  id: string;
  status: string;
  reason: string;
  scope: string;
  ttlSeconds: number | null;
  approvalsRequired: number;
  denialsRequired: number;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  requester: { id: string; email: string };
  roles: Array<{ name: string }>;
  reviews: Array<{ reviewer: { id: string }; approve: boolean; comment: string | null; createdAt: string }>;
  grants: Array<{
    id: string;
    role: { name: string };
    scope: string;
    source: string;
    startsAt: string | null;
    expiresAt: string | null;
    reason: string | null;
    user: { id: string } | null;
  }>;
}

export const REQUEST = `mutation($roles: [String!]!, $reason: String!, $ttlSeconds: Int, $scope: String) {
  requestAccess(roles: $roles, reason: $reason, ttlSeconds: $ttlSeconds, scope: $scope) { ${REQUEST_FIELDS} } }`;
export const REVIEW = `mutation($id: ID!, $approve: Boolean!, $comment: String) {
  reviewAccessRequest(id: $id, approve: $approve, comment: $comment) { ${REQUEST_FIELDS} } }`;
export const CANCEL = `mutation($id: ID!) { cancelAccessRequest(id: $id) { ${REQUEST_FIELDS} } }`;
export const LIST = `query($status: AccessRequestStatus) { accessRequests(status: $status) { ${REQUEST_FIELDS} } }`;

/** A clock that runs with real time plus an offset the test moves forward. */
export class TestClock {
  private offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

const ROLES: Array<[string, string]> = [
  [
    "kind: policy\nname: on-call-ops\nrules:\n  - resource: job\n    capabilities: [logs, restart]\n",
    "kind: role\nname: on-call\npolicies: [on-call-ops]\noptions: { maxSessionTtl: 2h }\n",
  ],
  [
    "kind: policy\nname: on-call-pair-ops\nrules:\n  - resource: job\n    capabilities: [stop]\n",
    "kind: role\nname: on-call-pair\npolicies: [on-call-pair-ops]\n",
  ],
  [
    "kind: policy\nname: requester-none\nrules: []\n",
    "kind: role\nname: requester\npolicies: [requester-none]\nrequest: { roles: [on-call], approvals: 1, denials: 1 }\n",
  ],
  [
    "kind: policy\nname: pair-requester-none\nrules: []\n",
    "kind: role\nname: pair-requester\npolicies: [pair-requester-none]\ninherits: [requester]\nrequest: { roles: [on-call-pair], approvals: 2, denials: 2 }\n",
  ],
  [
    "kind: policy\nname: reviewing\nrules:\n  - resource: access_request\n    capabilities: [list, read, review]\n  - resource: job\n    capabilities: [logs, restart, stop]\n",
    "kind: role\nname: reviewer\npolicies: [reviewing]\nreviewRequests: { roles: [on-call, on-call-pair] }\n",
  ],
  [
    "kind: policy\nname: weak-reviewing\nrules:\n  - resource: access_request\n    capabilities: [list, read, review]\n",
    "kind: role\nname: weak-reviewer\npolicies: [weak-reviewing]\nreviewRequests: { roles: [on-call] }\n",
  ],
  [
    "kind: policy\nname: bystanding\nrules:\n  - resource: access_request\n    capabilities: [list, read, review]\n  - resource: job\n    capabilities: [logs, restart, stop]\n",
    "kind: role\nname: bystander\npolicies: [bystanding]\n",
  ],
];

export async function addAccessRequestRoles(server: TestServer): Promise<void> {
  for (const [policy, role] of ROLES) await addRole(server, policy, role);
}

export async function call<T = UntypedData>(
  server: TestServer,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<GraphQLResponse<T>> {
  return gql<T>(server.url, query, { token, variables });
}

/** A request that must be accepted; returns the AccessRequest. */
export async function requestOk(
  server: TestServer,
  token: string,
  variables: Record<string, unknown>,
): Promise<AccessRequestView> {
  const res = await call<{ requestAccess: AccessRequestView }>(server, token, REQUEST, {
    reason: "deploy hotfix",
    ...variables,
  });
  if (res.errors) throw new Error(`requestAccess failed: ${res.raw}`);
  return res.data!.requestAccess;
}

export async function reviewOk(
  server: TestServer,
  token: string,
  id: string,
  approve: boolean,
  comment?: string,
): Promise<AccessRequestView> {
  const res = await call<{ reviewAccessRequest: AccessRequestView }>(server, token, REVIEW, { id, approve, comment });
  if (res.errors) throw new Error(`reviewAccessRequest failed: ${res.raw}`);
  return res.data!.reviewAccessRequest;
}

/** Whether `userId` may restart a job in `namespace`, asked by `token` (a holder of permission:check). */
export async function mayRestart(
  server: TestServer,
  token: string,
  userId: string,
  namespace = "prod",
): Promise<{ allowed: boolean; reason: string }> {
  const res = await gql<{ can: { allowed: boolean; reason: string } }>(
    server.url,
    `query($userId: ID!, $ns: String) { can(subject: { userId: $userId }, action: "restart", resource: { type: "job", namespace: $ns, name: "api" }) { allowed reason } }`,
    { token, variables: { userId, ns: namespace } },
  );
  if (res.errors) throw new Error(res.raw);
  return res.data!.can;
}
