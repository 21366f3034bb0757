// The GraphQL operations the console sends, as typed documents, and names for
// the shapes of their answers. Both are generated from the operations in
// graphql/operations.graphql and the public schema (schema/schema.graphql) by
// `npm run build:console` (console/codegen.mjs): a renamed field fails the
// build, not a user's browser.
import type * as G from "./graphql/generated";

export {
  AccessRequestsDocument as ACCESS_REQUESTS,
  ApplyBundleDocument as APPLY_BUNDLE,
  AuditEventsDocument as AUDIT_EVENTS,
  CanDocument as CAN,
  CanManyDocument as CAN_MANY,
  CancelDocument as CANCEL_REQUEST,
  CreateTokenDocument as CREATE_TOKEN,
  DeprovisionDocument as DEPROVISION_USER,
  EnrollTotpDocument as ENROLL_TOTP,
  FeedDocument as AUDIT_FEED,
  GrantsDocument as GRANTS,
  LockDocument as LOCK_USER,
  MeDocument as ME,
  MyPermissionsDocument as MY_PERMISSIONS,
  MySessionsDocument as MY_SESSIONS,
  MyTokensDocument as MY_TOKENS,
  PoliciesDocument as POLICIES,
  PolicyDocumentDocument as POLICY_DOCUMENT,
  ReactivateDocument as REACTIVATE_USER,
  RequestAccessDocument as REQUEST_ACCESS,
  ResourceTypesDocument as RESOURCE_TYPES,
  ReviewDocument as REVIEW_REQUEST,
  RevokeSessionDocument as REVOKE_SESSION,
  RevokeSessionsDocument as REVOKE_SESSIONS,
  RevokeTokenDocument as REVOKE_TOKEN,
  RoleDocumentDocument as ROLE_DOCUMENT,
  RolesDocument as ROLES,
  RotateTokenDocument as ROTATE_TOKEN,
  SsoMappingsDocument as SSO_MAPPINGS,
  UnlockDocument as UNLOCK_USER,
  UserGrantsDocument as USER_GRANTS,
  UsersDocument as USERS,
  VerifyDocument as VERIFY_CHAIN,
  VerifyTotpDocument as VERIFY_TOTP,
} from "./graphql/generated";

export type Effect = G.Effect;
export type Permission = G.PermissionFieldsFragment;
export type CheckResult = G.CanQuery["can"];
export type CheckInput = G.CheckInput;
export type Me = G.MeQuery["me"];
export type Credential = G.MeQuery["credential"];
export type Token = G.TokenFieldsFragment;
export type IssuedToken = G.CreateTokenMutation["createToken"];
export type Session = G.SessionFieldsFragment;
export type Rule = G.RuleFieldsFragment;
export type AccessRequest = G.AccessRequestsQuery["accessRequests"][number];
export type BundlePlan = G.ApplyBundleMutation["applyBundle"];
export type ReplayFlip = G.FlipFragment;
export type AuditEvent = G.EventFieldsFragment;

/** A role with what its holders may ask for and review, and the roles it inherits (as deep as `ME` asks). */
interface RoleReach {
  name: string;
  requestableRoles: Array<{ name: string }>;
  reviewableRoles: Array<{ name: string }>;
  inherits?: RoleReach[];
}

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
