// ID token claims (and userinfo, for what the ID token leaves out) → SsoIdentity.
// A login without an email, or with `email_verified: false`, is refused: the
// email is how portcullis users are known, and an unverified one could be anybody's.
import type { SsoIdentity } from "../../domain/sso/sso-login";
import { OidcFailure } from "./oidc-failure";

export interface IdentitySettings {
  providerName: string;
  groupsClaim: string;
  mfaAmr: string[];
}

export type Claims = Record<string, unknown>;

/** Whether the ID token lacks something that userinfo may have. */
export function needsUserinfo(idClaims: Claims, settings: IdentitySettings): boolean {
  return typeof idClaims.email !== "string" || !(settings.groupsClaim in idClaims);
}

/** `userinfo` is already checked to be about the ID token's subject. */
export function identityFromClaims(idClaims: Claims, userinfo: Claims | null, settings: IdentitySettings): SsoIdentity {
  const sub = idClaims.sub;
  if (typeof sub !== "string" || sub === "" || sub.length > 255)
    throw new OidcFailure("claims_invalid", "the identity provider sent no usable subject", "sub");
  // The ID token is signed; userinfo only fills in what it does not say.
  const claim = (name: string): unknown => (name in idClaims ? idClaims[name] : userinfo?.[name]);
  const email = claim("email");
  if (typeof email !== "string" || email.trim() === "")
    throw new OidcFailure("no_email", "the identity provider sent no email address for this user");
  if (!/^[^\s@]+@[^\s@]+$/.test(email.trim()) || email.length > 320)
    throw new OidcFailure("claims_invalid", "the identity provider sent an email address that is not valid", "email");
  const verified = claim("email_verified");
  if (verified === false || verified === "false")
    throw new OidcFailure("email_unverified", "the identity provider reports this email address as unverified");
  return {
    provider: settings.providerName,
    source: "OIDC",
    externalId: sub,
    email: email.trim().toLowerCase(),
    displayName: displayNameOf(claim),
    groups: groupsOf(claim(settings.groupsClaim)),
    mfa: mfaOf(idClaims.amr, settings.mfaAmr),
  };
}

function displayNameOf(claim: (name: string) => unknown): string | null {
  const name = claim("name");
  if (typeof name === "string" && name.trim() !== "") return name.trim().slice(0, 255);
  const parts = [claim("given_name"), claim("family_name")].filter(
    (p): p is string => typeof p === "string" && p.trim() !== "",
  );
  if (parts.length > 0) return parts.join(" ").slice(0, 255);
  const username = claim("preferred_username");
  return typeof username === "string" && username.trim() !== "" ? username.trim().slice(0, 255) : null;
}

/** Groups as an array of strings or one string; anything else is refused rather than guessed at. */
function groupsOf(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  const list = typeof raw === "string" ? [raw] : raw;
  if (!Array.isArray(list) || !list.every((g) => typeof g === "string")) {
    throw new OidcFailure(
      "claims_invalid",
      "the identity provider sent groups in a form portcullis does not read",
      "groups",
    );
  }
  return [...new Set(list.map((g) => g.trim()).filter((g) => g !== ""))];
}

/** MFA comes from the signed ID token's `amr` only. */
function mfaOf(amr: unknown, mfaValues: string[]): boolean {
  return Array.isArray(amr) && amr.some((v) => typeof v === "string" && mfaValues.includes(v));
}
