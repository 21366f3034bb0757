// One typed, validated configuration, read from the environment in one place;
// each concern parses its own variables in its own module (server, database,
// security, observability, SSO, LDAP, rate limits).
// A bad value stops start-up with one line naming the variable (ConfigError).

import { type Env } from "./config-values";
import { loadDatabaseConfig, type DatabaseConfig } from "./database-config";
import { loadObservabilityConfig, type ObservabilityConfig } from "./observability-config";
import { parseRateLimits, type RateLimitConfig } from "./rate-limit-config";
import { loadSecurityConfig, type SecurityConfig } from "./security-config";
import { loadServerConfig, type ServerConfig } from "./server-config";
import { parseOidcConfig, parseSamlConfig, type OidcConfig, type SamlConfig } from "./sso-config";
import { parseLdapConfig, type LdapConfig } from "./ldap-config";
import { value } from "./config-values";

export { ConfigError, type Env } from "./config-values";
export * from "./database-config";
export * from "./observability-config";
export * from "./rate-limit-config";
export * from "./security-config";
export * from "./server-config";
export * from "./sso-config";
export * from "./ldap-config";

export interface Config extends ServerConfig, SecurityConfig, ObservabilityConfig {
  database: DatabaseConfig;
  /** SAML 2.0 service provider; null when no SAML_ variable is set (the /auth/saml routes then do not exist). */
  saml: SamlConfig | null;
  /** OpenID Connect login; null when no OIDC_* variable is set. */
  oidc: OidcConfig | null;
  /** LDAP login (POST /auth/ldap/login); null when no LDAP_* variable is set. */
  ldap: LdapConfig | null;
  /** PORTCULLIS_LOGIN_STRATEGIES: modules adding passport login strategies (loaded by createApp). */
  loginStrategyModules: string | undefined;
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
    ldap: parseLdapConfig(env),
    loginStrategyModules: value(env, "PORTCULLIS_LOGIN_STRATEGIES"),
    rateLimits: parseRateLimits(env),
  };
}
