// Why an OIDC login was refused. `reason` goes to the audit trail; `message` is
// what the caller sees and says nothing an attacker could use (no tokens, no
// claim values, no IdP error bodies).

export type OidcFailureReason =
  | "no_transaction"
  | "state_mismatch"
  | "idp_error"
  | "token_invalid"
  | "no_email"
  | "email_unverified"
  | "claims_invalid"
  | "replayed"
  | "user_locked"
  | "link_refused"
  | "last_superuser"
  | "device_expired"
  | "device_denied"
  | "device_unknown";

export class OidcFailure extends Error {
  constructor(
    readonly reason: OidcFailureReason,
    message: string,
    /** What the library or the IdP said; for the audit trail only. */
    readonly detail: string | null = null,
  ) {
    super(message);
    this.name = "OidcFailure";
  }
}

/** The IdP could not be reached or its discovery document could not be read. */
export class OidcUnavailable extends Error {
  constructor(readonly detail: string) {
    super("the identity provider is unavailable; try again later");
    this.name = "OidcUnavailable";
  }
}
