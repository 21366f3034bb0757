// Secrets and the lifetimes that bound what a credential may do: the bootstrap
// token, the first admin, the encryption key, MFA step-up and access-request
// lifetimes, and which SSO provider's mappings SCIM group membership follows.
import { durationProblem, parseDuration } from "../engine/duration";
import { ConfigError, parseProviderName, value, type Env } from "./config-values";

export interface SecurityConfig {
  bootstrapToken: string | null;
  /** Email of the built-in admin user created at first start. */
  adminEmail: string;
  /** The SSO provider whose mappings turn SCIM group membership into grants. */
  scimProvider: string;
  /**
   * 32 bytes (PORTCULLIS_ENCRYPTION_KEY, base64) that encrypt TOTP seeds at rest and seal the OIDC
   * login cookie and device-flow handles; null: TOTP enrolment is refused, OIDC seals with a per-process key.
   */
  encryptionKey: Buffer | null;
  /** How long a TOTP step-up counts as MFA for the session (PORTCULLIS_MFA_STEP_UP_TTL, default 15m). */
  mfaStepUpTtlSeconds: number;
  /** How long an access request stays pending before it expires (PORTCULLIS_ACCESS_REQUEST_TTL, default 24h). */
  accessRequestTtlSeconds: number;
}

export function loadSecurityConfig(env: Env): SecurityConfig {
  return {
    bootstrapToken: value(env, "PORTCULLIS_BOOTSTRAP_TOKEN") ?? null,
    adminEmail: parseEmail("PORTCULLIS_ADMIN_EMAIL", value(env, "PORTCULLIS_ADMIN_EMAIL") ?? "admin@portcullis.local"),
    scimProvider: parseProviderName("SCIM_PROVIDER", value(env, "SCIM_PROVIDER") ?? "saml"),
    encryptionKey: parseEncryptionKey(value(env, "PORTCULLIS_ENCRYPTION_KEY")),
    mfaStepUpTtlSeconds: parseTtl("PORTCULLIS_MFA_STEP_UP_TTL", value(env, "PORTCULLIS_MFA_STEP_UP_TTL"), 15 * 60),
    accessRequestTtlSeconds: parseTtl(
      "PORTCULLIS_ACCESS_REQUEST_TTL",
      value(env, "PORTCULLIS_ACCESS_REQUEST_TTL"),
      24 * 3600,
    ),
  };
}

function parseEncryptionKey(raw: string | undefined): Buffer | null {
  if (raw === undefined) return null;
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(raw) ? Buffer.from(raw, "base64") : Buffer.alloc(0);
  if (key.length !== 32)
    throw new ConfigError(
      "PORTCULLIS_ENCRYPTION_KEY",
      "must be 32 bytes in base64 (e.g. the output of `openssl rand -base64 32`)",
    );
  return key;
}

/** A duration written like role durations (`90s`, `1h30m`), at least one second. */
function parseTtl(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const problem = durationProblem(raw);
  if (problem !== null) throw new ConfigError(name, problem);
  const seconds = parseDuration(raw);
  if (seconds < 1) throw new ConfigError(name, "must be at least 1s");
  return seconds;
}

function parseEmail(variable: string, raw: string): string {
  if (!/^[^\s@]+@[^\s@]+$/.test(raw) || raw.length > 320)
    throw new ConfigError(variable, `'${raw}' is not an email address`);
  return raw.toLowerCase();
}
