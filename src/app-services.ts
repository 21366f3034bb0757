// The services the composition root (app.ts) builds once and hands to every
// entry point: GraphQL resolvers, the HTTP routes, SCIM and subscriptions.
import type { AuditLog } from "./domain/audit/group-commit-audit-log";
import type { AuditTrailService } from "./domain/audit/audit-trail-service";
import type { AuditFeed } from "./domain/audit/audit-feed";
import type { DecisionService } from "./domain/decisions/decision-service";
import type { PolicyService } from "./domain/access-model/policy-service";
import type { ResourceTypeService } from "./domain/access-model/resource-type-service";
import type { RoleService } from "./domain/access-model/role-service";
import type { PolicyRuntime } from "./domain/policy/policy-runtime";
import type { PolicyWriter } from "./domain/policy/policy-writer";
import type { GrantService } from "./domain/grants/grant-service";
import type { TokenService } from "./domain/tokens/token-service";
import type { UserService } from "./domain/users/user-service";
import type { DirectoryService } from "./domain/users/directory-service";
import type { Storage } from "./domain/ports/storage.port";
import type { SessionService } from "./domain/sessions/session-service";
import type { TotpService } from "./domain/mfa/totp-service";
import type { OneTimeStore, SsoGrantSync, SsoLogin } from "./domain/sso/sso-login";
import type { SsoMappingService } from "./domain/sso/sso-mapping-service";
import type { AccessReviewService } from "./domain/access-requests/access-review-service";
import type { BundleService } from "./domain/bundles/bundle-service";
import type { AuditReplay } from "./domain/bundles/audit-replay";
import type { Metrics } from "./observability/metrics";

/** What resolvers and routes may use; built once in app.ts. */
export interface Services {
  storage: Storage;
  /** The compiled policy state of this instance. */
  runtime: PolicyRuntime;
  /** Every decision is recorded here before its response is sent. */
  audit: AuditLog;
  decisions: DecisionService;
  /** The one writer of the policy state on this instance; every policy-state change goes through it. */
  writer: PolicyWriter;
  policies: PolicyService;
  roles: RoleService;
  resourceTypes: ResourceTypeService;
  grants: GrantService;
  users: UserService;
  tokens: TokenService;
  /** Reads the audit trail: search, export, chain verification. */
  auditTrail: AuditTrailService;
  /** The live auditEvents subscription. */
  auditFeed: AuditFeed;
  /** Just-in-time provisioning and session issue, for the SAML and OIDC routes. */
  ssoLogin: SsoLogin;
  /** Recomputes one user's SSO grants (SCIM group changes). */
  ssoGrants: SsoGrantSync;
  /** Lists and replaces SSO mappings. */
  ssoMappings: SsoMappingService;
  /** Provisioning from the IdP's directory (SCIM): users and group membership. */
  directory: DirectoryService;
  /** Logout and MFA step-up of the caller's own session. */
  sessions: SessionService;
  /** TOTP enrolment and verification. */
  totp: TotpService;
  /** Access requests: asking, reviewing, cancelling, listing, expiry. */
  accessRequests: AccessReviewService;
  /** applyBundle: plans and applies bundles of policies, roles, types and SSO mappings. */
  bundles: BundleService;
  /** Decides the audit trail's decisions again under another state (a bundle's plan). */
  replay: AuditReplay;
  /** This instance's Prometheus metrics; decisions and checks report to it. */
  metrics: Metrics;
  /** Values used at most once across every instance (SAML request ids): the database, or Redis when REDIS_URL is set. */
  oneTimeStore: OneTimeStore;
}
