// What the protocol layers (SAML, OIDC, SCIM) hand to the domain once they have
// verified an identity provider's message, and what they get back. The
// protocol code proves who the user is; everything that follows (provisioning,
// grants from mappings, the session, the audit event) happens behind these
// interfaces, the same way for every protocol.

/** A verified identity from an IdP: a SAML assertion, an OIDC ID token, or an LDAP entry whose password was proved. */
export interface SsoIdentity {
  /** Provider name as used in SSO mappings: `saml` or `oidc` (or a configured name). */
  provider: string;
  source: "SAML" | "OIDC" | "LDAP";
  /**
   * The IdP's stable id for the user: SAML NameID, OIDC `sub`, the LDAP username (lower-cased).
   * Compared exactly, and only with ids of the same provider: another provider's equal id is another identity.
   */
  externalId: string;
  email: string;
  displayName: string | null;
  /** Group names as the IdP sent them (deduplicated by the receiver). */
  groups: string[];
  /** Whether the IdP reports multi-factor authentication for this login. */
  mfa: boolean;
}

export interface SsoLoginRequest {
  sourceIp: string | null;
  requestId: string;
}

export interface SsoLoginResult {
  userId: string;
  sessionId: string;
  /** `pts_…`: returned once, to be set as a cookie or handed to the CLI. Only its hash is stored. */
  sessionSecret: string;
  expiresAt: Date;
  mfa: boolean;
}

/**
 * Just-in-time provisioning and session issue.
 * Contract: creates or updates the user from the identity, recomputes the user's
 * `source: SSO` grants from the provider's mappings (never touching MANUAL or
 * ACCESS_REQUEST grants), issues a session and audits the login (operation
 * `login`, with the groups received and the grants changed), all before it
 * resolves. A LOCKED or DEPROVISIONED user is refused with
 * DomainError("FORBIDDEN", reason USER_LOCKED), the refusal audited, and no
 * session is created.
 */
export interface SsoLogin {
  login(identity: SsoIdentity, request: SsoLoginRequest): Promise<SsoLoginResult>;
}

/**
 * Recomputes one user's `source: SSO` grants from the mappings of a provider
 * and the user's current groups (SCIM group membership changes call this).
 * Returns what changed.
 */
export interface SsoGrantSync {
  recompute(userId: string, provider: string, requestId: string): Promise<{ added: string[]; removed: string[] }>;
}

/**
 * Values that must be used at most once across every instance (SAML request
 * ids for InResponseTo, OIDC state): kept in the database, or Redis when set.
 */
export interface OneTimeStore {
  /** Keeps `value` under `key` until `expiresAt`. */
  put(key: string, value: string, expiresAt: Date): Promise<void>;
  /** Returns the value and deletes it, atomically; null when absent, taken or expired. */
  take(key: string): Promise<string | null>;
}
