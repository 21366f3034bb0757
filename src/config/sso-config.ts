// Single sign-on configuration: the SAML service provider (SAML_…) and the
// OpenID Connect relying party (OIDC_…). Part of the one Config (index.ts).
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError, parseProviderName, value, type Env } from "./config-values";

// ---- SAML (SAML_…) ---------------------------------------------------------

export interface SamlConfig {
  /** The IdP's single sign-on URL (HTTP-Redirect binding). */
  idpEntryPoint: string;
  /** PEM certificates the IdP signs with; more than one during a key rollover. */
  idpCerts: string[];
  /** The IdP's entity id: the Issuer its responses and assertions must carry. */
  idpEntityId: string;
  /** Our entity id: the Issuer of our requests and the Audience assertions must name. */
  spEntityId: string;
  /** Where the IdP posts responses; their Destination and Recipient must be exactly this. */
  acsUrl: string;
  /** Attribute names tried in order, the first present wins. */
  emailAttributes: string[];
  displayNameAttributes: string[];
  groupsAttributes: string[];
  clockSkewMs: number;
  /** AuthnContextClassRef values that count as multi-factor. */
  mfaContexts: string[];
  /** Provider name in SSO mappings. */
  provider: string;
  /** Whether the Response element must be signed too (SAML_WANT_RESPONSE_SIGNED); the assertion always must. */
  wantResponseSigned: boolean;
}

const SAML_REQUIRED = [
  "SAML_IDP_ENTRY_POINT",
  "SAML_IDP_CERT",
  "SAML_IDP_ENTITY_ID",
  "SAML_SP_ENTITY_ID",
  "SAML_ACS_URL",
] as const;
export const SAML_DEFAULT_EMAIL_ATTRIBUTES = [
  "email",
  "mail",
  "urn:oid:0.9.2342.19200300.100.1.3",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
];
export const SAML_DEFAULT_DISPLAY_NAME_ATTRIBUTES = [
  "displayName",
  "urn:oid:2.16.840.1.113730.3.1.241",
  "http://schemas.microsoft.com/identity/claims/displayname",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
];
export const SAML_DEFAULT_GROUPS_ATTRIBUTES = [
  "groups",
  "memberOf",
  "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
  "urn:oid:1.3.6.1.4.1.5923.1.5.1.1",
];
export const SAML_DEFAULT_MFA_CONTEXTS = [
  "https://refeds.org/profile/mfa",
  "http://schemas.microsoft.com/claims/multipleauthn",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
];
const SAML_MAX_SKEW_SECONDS = 300;

/** SAML is configured when any SAML_ variable is set; then every required one must be. */
export function parseSamlConfig(env: Env): SamlConfig | null {
  const set = Object.keys(env).filter((name) => name.startsWith("SAML_") && value(env, name) !== undefined);
  if (set.length === 0) return null;
  for (const name of SAML_REQUIRED) {
    if (value(env, name) === undefined)
      throw new ConfigError(name, `is required when SAML is configured (set: ${set.sort().join(", ")})`);
  }
  const required = (name: (typeof SAML_REQUIRED)[number]) => value(env, name)!;
  return {
    idpEntryPoint: parseHttpUrl("SAML_IDP_ENTRY_POINT", required("SAML_IDP_ENTRY_POINT")),
    idpCerts: parseCertificates("SAML_IDP_CERT", required("SAML_IDP_CERT")),
    idpEntityId: parseEntityId("SAML_IDP_ENTITY_ID", required("SAML_IDP_ENTITY_ID")),
    spEntityId: parseEntityId("SAML_SP_ENTITY_ID", required("SAML_SP_ENTITY_ID")),
    acsUrl: parseHttpUrl("SAML_ACS_URL", required("SAML_ACS_URL")),
    emailAttributes:
      parseList("SAML_EMAIL_ATTRIBUTE", value(env, "SAML_EMAIL_ATTRIBUTE")) ?? SAML_DEFAULT_EMAIL_ATTRIBUTES,
    displayNameAttributes:
      parseList("SAML_DISPLAY_NAME_ATTRIBUTE", value(env, "SAML_DISPLAY_NAME_ATTRIBUTE")) ??
      SAML_DEFAULT_DISPLAY_NAME_ATTRIBUTES,
    groupsAttributes:
      parseList("SAML_GROUPS_ATTRIBUTE", value(env, "SAML_GROUPS_ATTRIBUTE")) ?? SAML_DEFAULT_GROUPS_ATTRIBUTES,
    clockSkewMs: parseClockSkew(value(env, "SAML_CLOCK_SKEW")),
    mfaContexts: parseList("SAML_MFA_CONTEXTS", value(env, "SAML_MFA_CONTEXTS")) ?? SAML_DEFAULT_MFA_CONTEXTS,
    provider: parseProviderName("SAML_PROVIDER", value(env, "SAML_PROVIDER") ?? "saml"),
    wantResponseSigned: parseBoolean("SAML_WANT_RESPONSE_SIGNED", value(env, "SAML_WANT_RESPONSE_SIGNED"), true),
  };
}

export function parseBoolean(variable: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new ConfigError(variable, `'${raw.slice(0, 40)}' is not true or false`);
}

function parseHttpUrl(variable: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, `'${raw.slice(0, 200)}' is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new ConfigError(variable, `'${raw.slice(0, 200)}' is not an http(s) URL`);
  if (url.username !== "" || url.password !== "") throw new ConfigError(variable, "must not carry credentials");
  return raw;
}

function parseEntityId(variable: string, raw: string): string {
  if (raw.length > 1024 || /[\s<>"]/.test(raw))
    throw new ConfigError(variable, `'${raw.slice(0, 200)}' is not an entity id (a URI, at most 1024 characters)`);
  return raw;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/** PEM text with one or more certificates, or a comma-separated list of PEM files. */
function parseCertificates(variable: string, raw: string): string[] {
  const texts = raw.includes("-----BEGIN")
    ? [raw.replace(/\\n/g, "\n")]
    : raw
        .split(",")
        .map((path) => path.trim())
        .filter((path) => path !== "")
        .map((path) => {
          try {
            return readFileSync(path, "utf8");
          } catch (err) {
            throw new ConfigError(
              variable,
              `cannot read certificate file '${path}' (${(err as NodeJS.ErrnoException).code ?? "error"})`,
            );
          }
        });
  const certs = texts.flatMap((text) => text.match(PEM_CERTIFICATE) ?? []);
  if (certs.length === 0)
    throw new ConfigError(
      variable,
      "holds no PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)",
    );
  certs.forEach((pem, i) => {
    try {
      new X509Certificate(pem);
    } catch {
      throw new ConfigError(variable, `certificate ${i + 1} is not a valid X.509 certificate`);
    }
  });
  return certs;
}

function parseList(variable: string, raw: string | undefined): string[] | null {
  if (raw === undefined) return null;
  const items = [
    ...new Set(
      raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    ),
  ];
  if (items.length === 0) throw new ConfigError(variable, "lists nothing");
  return items;
}

/** Seconds, or a duration such as `90s` or `2m`; at most 5 minutes. */
function parseClockSkew(raw: string | undefined): number {
  if (raw === undefined) return 60_000;
  const m = /^(\d{1,6})(s|m)?$/.exec(raw);
  if (!m)
    throw new ConfigError("SAML_CLOCK_SKEW", `'${raw.slice(0, 40)}' is not a duration (seconds, or e.g. 90s, 2m)`);
  const seconds = Number(m[1]) * (m[2] === "m" ? 60 : 1);
  if (seconds > SAML_MAX_SKEW_SECONDS)
    throw new ConfigError("SAML_CLOCK_SKEW", `'${raw}' is more than the 5 minutes allowed`);
  return seconds * 1000;
}

// --- OpenID Connect relying party (OIDC_* variables) ---

export interface OidcConfig {
  /** Issuer URL; its /.well-known/openid-configuration is read on first use. */
  issuer: URL;
  clientId: string;
  /** Never logged nor echoed in errors. */
  clientSecret: string;
  /** The absolute URL of GET /auth/oidc/callback as registered at the IdP. */
  redirectUri: URL;
  scopes: string[];
  /** Claim (in the ID token or from userinfo) holding the user's groups. */
  groupsClaim: string;
  /** `amr` values that count as multi-factor authentication. */
  mfaAmr: string[];
  /** Provider name the SSO mappings of these users are filed under. */
  providerName: string;
}

const OIDC_VARIABLES = [
  "OIDC_ISSUER",
  "OIDC_CLIENT_ID",
  "OIDC_CLIENT_SECRET",
  "OIDC_REDIRECT_URI",
  "OIDC_SCOPES",
  "OIDC_GROUPS_CLAIM",
  "OIDC_MFA_AMR",
  "OIDC_PROVIDER_NAME",
];

/** null when no OIDC_* variable is set: the /auth/oidc routes then answer 404. */
export function parseOidcConfig(env: Env): OidcConfig | null {
  if (OIDC_VARIABLES.every((name) => value(env, name) === undefined)) return null;
  const required = (name: string): string => {
    const raw = value(env, name);
    if (raw === undefined)
      throw new ConfigError(name, "is required when OIDC is configured (any OIDC_* variable is set)");
    return raw;
  };
  const issuer = parseOidcUrl("OIDC_ISSUER", required("OIDC_ISSUER"));
  const clientId = required("OIDC_CLIENT_ID");
  const clientSecret = required("OIDC_CLIENT_SECRET");
  const redirectUri = parseOidcUrl("OIDC_REDIRECT_URI", required("OIDC_REDIRECT_URI"));
  if (redirectUri.search !== "" || redirectUri.hash !== "")
    throw new ConfigError("OIDC_REDIRECT_URI", `'${redirectUri.href}' must not have a query or fragment`);
  const scopes = words(value(env, "OIDC_SCOPES") ?? "openid email profile");
  if (!scopes.includes("openid")) throw new ConfigError("OIDC_SCOPES", `'${scopes.join(" ")}' must include openid`);
  const groupsClaim = value(env, "OIDC_GROUPS_CLAIM") ?? "groups";
  if (!/^[\w:./-]{1,128}$/.test(groupsClaim))
    throw new ConfigError("OIDC_GROUPS_CLAIM", `'${groupsClaim}' is not a claim name`);
  const mfaAmr = words(value(env, "OIDC_MFA_AMR") ?? "mfa otp hwk");
  if (mfaAmr.length === 0) throw new ConfigError("OIDC_MFA_AMR", "names no amr value");
  const providerName = parseProviderName("OIDC_PROVIDER_NAME", value(env, "OIDC_PROVIDER_NAME") ?? "oidc");
  return { issuer, clientId, clientSecret, redirectUri, scopes, groupsClaim, mfaAmr, providerName };
}

/** https, or plain http to a loopback address (an IdP or callback on the same machine). */
function parseOidcUrl(variable: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, `'${raw}' is not an absolute URL`);
  }
  const loopback = ["127.0.0.1", "[::1]", "localhost"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new ConfigError(variable, `'${raw}' must use https (plain http only to 127.0.0.1, [::1] or localhost)`);
  }
  if (url.username !== "" || url.password !== "") throw new ConfigError(variable, "must not carry credentials");
  return url;
}

function words(raw: string): string[] {
  return [...new Set(raw.split(/[\s,]+/).filter((s) => s !== ""))];
}
