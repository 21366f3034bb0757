// One typed, validated configuration, read from the environment in one place;
// each concern parses its own variables in its own module (server, database,
// security, observability, SSO, rate limits).
// A bad value stops start-up with one line naming the variable (ConfigError).

import { type Env } from "./config-values";
import { loadDatabaseConfig, type DatabaseConfig } from "./database-config";
import { loadObservabilityConfig, type ObservabilityConfig } from "./observability-config";
import { parseRateLimits, type RateLimitConfig } from "./rate-limit-config";
import { loadSecurityConfig, type SecurityConfig } from "./security-config";
import { loadServerConfig, type ServerConfig } from "./server-config";
import { parseOidcConfig, parseSamlConfig, type OidcConfig, type SamlConfig } from "./sso-config";

export { ConfigError, type Env } from "./config-values";
export * from "./database-config";
export * from "./observability-config";
export * from "./rate-limit-config";
export * from "./security-config";
export * from "./server-config";
export * from "./sso-config";

export interface Config extends ServerConfig, SecurityConfig, ObservabilityConfig {
  database: DatabaseConfig;
  /** SAML 2.0 service provider; null when no SAML_ variable is set (the /auth/saml routes then do not exist). */
  saml: SamlConfig | null;
  /** OpenID Connect login; null when no OIDC_* variable is set. */
  oidc: OidcConfig | null;
  /** Limits on failed authentications and /auth/* requests. */
  rateLimits: RateLimitConfig;
}

export function loadConfig(env: Env = process.env): Config {
  return {
    database: loadDatabaseConfig(env),
    ...loadServerConfig(env),
    ...loadSecurityConfig(env),
    ...loadObservabilityConfig(env),
    saml: parseSamlConfig(env),
    oidc: parseOidcConfig(env),
    rateLimits: parseRateLimits(env),
  };
}
