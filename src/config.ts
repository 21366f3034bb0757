// One typed, validated configuration, read from the environment in one place.
// A bad value stops start-up with one line naming the variable (ConfigError).

import { parseCidr } from "./engine/cidr-matcher";
import { durationProblem, parseDuration } from "./engine/duration";
import { ConfigError, parseProviderName, value, type Env } from "./config-values";
import { parseRateLimits, type RateLimitConfig } from "./rate-limit-config";
import { parseOidcConfig, parseSamlConfig, type OidcConfig, type SamlConfig } from "./sso-config";

export { ConfigError } from "./config-values";
export * from "./sso-config";

export type DatabaseConfig =
  | { kind: "sqlite"; path: string; url: string }
  /** flavour: which typeorm driver dialect to use; detected from the server when not given by the URL scheme. */
  | { kind: "mysql"; url: string; flavour?: "mysql" | "mariadb" };

export interface Config {
  database: DatabaseConfig;
  port: number;
  host: string;
  redisUrl: string | null;
  bootstrapToken: string | null;
  /** Email of the built-in admin user created at first start. */
  adminEmail: string;
  nodeEnv: "development" | "production" | "test";
  /** Addresses whose X-Forwarded-For header is believed. */
  trustedProxies: string[];
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** LOG_FORMAT: json (default) or pretty (readable lines, needs the pino-pretty development dependency). */
  logFormat: "json" | "pretty";
  /** METRICS_PORT: serve /metrics on this port only (on HOST), not on PORT; null: /metrics is on PORT. */
  metricsPort: number | null;
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
  /** SAML 2.0 service provider; null when no SAML_ variable is set (the /auth/saml routes then do not exist). */
  saml: SamlConfig | null;
  /** OpenID Connect login; null when no OIDC_* variable is set. */
  oidc: OidcConfig | null;
  /** Limits on failed authentications and /auth/* requests. */
  rateLimits: RateLimitConfig;
  /** LDAP_URL: the directory that POST /auth/ldap/login checks passwords against; null: no LDAP login. */
  ldapUrl: string | null;
}

export const DEFAULT_DATABASE_URL = "sqlite:data/portcullis.sqlite";

export function loadConfig(env: Env = process.env): Config {
  return {
    database: parseDatabaseUrl(value(env, "DATABASE_URL") ?? DEFAULT_DATABASE_URL),
    port: parsePort(value(env, "PORT")),
    host: value(env, "HOST") ?? "0.0.0.0",
    redisUrl: parseRedisUrl(value(env, "REDIS_URL")),
    bootstrapToken: value(env, "PORTCULLIS_BOOTSTRAP_TOKEN") ?? null,
    adminEmail: parseEmail("PORTCULLIS_ADMIN_EMAIL", value(env, "PORTCULLIS_ADMIN_EMAIL") ?? "admin@portcullis.local"),
    nodeEnv: parseNodeEnv(value(env, "NODE_ENV")),
    trustedProxies: parseTrustedProxies(value(env, "TRUSTED_PROXIES")),
    logLevel: parseLogLevel(value(env, "LOG_LEVEL")),
    logFormat: parseLogFormat(value(env, "LOG_FORMAT")),
    metricsPort:
      value(env, "METRICS_PORT") === undefined ? null : parsePort(value(env, "METRICS_PORT"), "METRICS_PORT"),
    scimProvider: parseProviderName("SCIM_PROVIDER", value(env, "SCIM_PROVIDER") ?? "saml"),
    encryptionKey: parseEncryptionKey(value(env, "PORTCULLIS_ENCRYPTION_KEY")),
    mfaStepUpTtlSeconds: parseTtl("PORTCULLIS_MFA_STEP_UP_TTL", value(env, "PORTCULLIS_MFA_STEP_UP_TTL"), 15 * 60),
    accessRequestTtlSeconds: parseTtl(
      "PORTCULLIS_ACCESS_REQUEST_TTL",
      value(env, "PORTCULLIS_ACCESS_REQUEST_TTL"),
      24 * 3600,
    ),
    saml: parseSamlConfig(env),
    oidc: parseOidcConfig(env),
    rateLimits: parseRateLimits(env),
    ldapUrl: value(env, "LDAP_URL") ?? null,
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

export function parseDatabaseUrl(url: string): DatabaseConfig {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\//, "");
    if (path === "")
      throw new ConfigError(
        "DATABASE_URL",
        `'${url}' has no file path (use sqlite:PATH, e.g. ${DEFAULT_DATABASE_URL})`,
      );
    return { kind: "sqlite", path, url };
  }
  if (url.startsWith("mysql://") || url.startsWith("mariadb://")) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError("DATABASE_URL", "is not a valid mysql:// URL");
    }
    if (parsed.hostname === "") throw new ConfigError("DATABASE_URL", "mysql URL has no host");
    if (parsed.pathname.replace(/^\//, "") === "")
      throw new ConfigError("DATABASE_URL", "mysql URL names no database (mysql://user@host:3306/DATABASE)");
    const flavour = url.startsWith("mariadb:") ? "mariadb" : undefined;
    return { kind: "mysql", url: url.replace(/^mariadb:/, "mysql:"), ...(flavour ? { flavour } : {}) };
  }
  // The value may hold a password: name the scheme only.
  const scheme = url.includes(":") ? url.slice(0, url.indexOf(":")) : url.slice(0, 16);
  throw new ConfigError("DATABASE_URL", `unsupported scheme '${scheme}' (expected mysql://… or sqlite:PATH)`);
}

function parsePort(raw: string | undefined, variable = "PORT"): number {
  if (raw === undefined) return 4000;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535)
    throw new ConfigError(variable, `'${raw}' is not a port number (0-65535)`);
  return Number(raw);
}

function parseRedisUrl(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (!/^rediss?:\/\//.test(raw)) throw new ConfigError("REDIS_URL", "must start with redis:// or rediss://");
  try {
    new URL(raw);
  } catch {
    throw new ConfigError("REDIS_URL", "is not a valid URL");
  }
  return raw;
}

function parseNodeEnv(raw: string | undefined): Config["nodeEnv"] {
  if (raw === undefined) return "development";
  if (raw === "development" || raw === "production" || raw === "test") return raw;
  throw new ConfigError("NODE_ENV", `'${raw}' is not one of development, production, test`);
}

/** Networks in the engine's notation: what it refuses here it would never match. */
function parseTrustedProxies(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const entries = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const entry of entries) {
    if (parseCidr(entry) === null) {
      throw new ConfigError(
        "TRUSTED_PROXIES",
        `'${entry}' is not an IP address or network in CIDR notation (e.g. 10.0.0.0/8, 2001:db8::/32, 192.0.2.7; no leading zeros)`,
      );
    }
  }
  return entries;
}

function parseEmail(variable: string, raw: string): string {
  if (!/^[^\s@]+@[^\s@]+$/.test(raw) || raw.length > 320)
    throw new ConfigError(variable, `'${raw}' is not an email address`);
  return raw.toLowerCase();
}

function parseLogLevel(raw: string | undefined): Config["logLevel"] {
  if (raw === undefined) return "info";
  const levels = ["debug", "info", "warn", "error", "silent"] as const;
  const found = levels.find((l) => l === raw);
  if (!found) throw new ConfigError("LOG_LEVEL", `'${raw}' is not one of ${levels.join(", ")}`);
  return found;
}

function parseLogFormat(raw: string | undefined): Config["logFormat"] {
  if (raw === undefined || raw === "json") return "json";
  if (raw === "pretty") return raw;
  throw new ConfigError("LOG_FORMAT", `'${raw}' is not one of json, pretty`);
}
