// LDAP login configuration (LDAP_… variables): the directory, the account
// portcullis searches with, where users and their groups are found, and which
// attributes hold what. Part of the one Config (src/config/index.ts).
import { readFileSync } from "node:fs";
import { ConfigError, parseProviderName, value, type Env } from "./config-values";
import { parseBoolean } from "./sso-config";

export interface LdapConfig {
  /** `ldap://host[:port]` or `ldaps://host[:port]`. */
  url: string;
  /** Upgrade an ldap:// connection with StartTLS before anything is sent (LDAP_STARTTLS). */
  startTls: boolean;
  /** PEM CA certificates trusted for ldaps:// and StartTLS, in addition to the system's; null for the system's alone. */
  tlsCa: string | null;
  /** The account searches run as; null for an anonymous search. Its password is never logged. */
  bindDn: string | null;
  bindPassword: string | null;
  userSearchBase: string;
  /** Holds `{{username}}`, replaced by the escaped username: `(uid={{username}})`. */
  userFilter: string;
  /** Where group entries are searched; null to read the user's memberOf-like attribute instead. */
  groupSearchBase: string | null;
  /** Holds `{{dn}}` (the user's DN) and/or `{{username}}`: `(member={{dn}})`. */
  groupFilter: string;
  /** The user attribute listing group DNs when there is no group search (`memberOf`). */
  groupsAttribute: string;
  /** The group entry's (or group DN's first RDN's) attribute used as the group name: `cn`. */
  groupNameAttribute: string;
  /** With a group search: also the groups that contain the user's groups, to any depth. */
  nestedGroups: boolean;
  /** Attribute names tried in order, the first present wins. */
  emailAttributes: string[];
  displayNameAttributes: string[];
  /** Provider name in SSO mappings. */
  provider: string;
  /** Connect and operation timeout. */
  timeoutMs: number;
}

const LDAP_VARIABLES = [
  "LDAP_URL",
  "LDAP_STARTTLS",
  "LDAP_TLS_CA_FILE",
  "LDAP_BIND_DN",
  "LDAP_BIND_PASSWORD",
  "LDAP_USER_SEARCH_BASE",
  "LDAP_USER_FILTER",
  "LDAP_GROUP_SEARCH_BASE",
  "LDAP_GROUP_FILTER",
  "LDAP_GROUPS_ATTRIBUTE",
  "LDAP_GROUP_NAME_ATTRIBUTE",
  "LDAP_NESTED_GROUPS",
  "LDAP_EMAIL_ATTRIBUTE",
  "LDAP_DISPLAY_NAME_ATTRIBUTE",
  "LDAP_PROVIDER",
  "LDAP_TIMEOUT",
];

/** null when no LDAP_* variable is set: POST /auth/ldap/login then answers 404. */
export function parseLdapConfig(env: Env): LdapConfig | null {
  const set = LDAP_VARIABLES.filter((name) => value(env, name) !== undefined);
  if (set.length === 0) return null;
  const required = (name: string): string => {
    const raw = value(env, name);
    if (raw === undefined)
      throw new ConfigError(name, `is required when LDAP is configured (set: ${set.sort().join(", ")})`);
    return raw;
  };
  const url = parseLdapUrl(required("LDAP_URL"));
  const startTls = parseBoolean("LDAP_STARTTLS", value(env, "LDAP_STARTTLS"), false);
  if (startTls && url.startsWith("ldaps:"))
    throw new ConfigError("LDAP_STARTTLS", "cannot be true with an ldaps:// LDAP_URL (the connection is TLS already)");
  const bindDn = value(env, "LDAP_BIND_DN") ?? null;
  const bindPassword = value(env, "LDAP_BIND_PASSWORD") ?? null;
  if ((bindDn === null) !== (bindPassword === null))
    throw new ConfigError(
      bindDn === null ? "LDAP_BIND_DN" : "LDAP_BIND_PASSWORD",
      "LDAP_BIND_DN and LDAP_BIND_PASSWORD are set together (or neither, for anonymous searches)",
    );
  const userFilter = value(env, "LDAP_USER_FILTER") ?? "(uid={{username}})";
  if (!userFilter.includes("{{username}}") || !balancedFilter(userFilter))
    throw new ConfigError(
      "LDAP_USER_FILTER",
      `'${userFilter.slice(0, 200)}' is not a filter holding {{username}} (e.g. (uid={{username}}) or (mail={{username}}))`,
    );
  const groupFilter = value(env, "LDAP_GROUP_FILTER") ?? "(member={{dn}})";
  if (!/\{\{(dn|username)\}\}/.test(groupFilter) || !balancedFilter(groupFilter))
    throw new ConfigError(
      "LDAP_GROUP_FILTER",
      `'${groupFilter.slice(0, 200)}' is not a filter holding {{dn}} or {{username}} (e.g. (member={{dn}}) or (memberUid={{username}}))`,
    );
  const groupSearchBase = value(env, "LDAP_GROUP_SEARCH_BASE") ?? null;
  const nestedGroups = parseBoolean("LDAP_NESTED_GROUPS", value(env, "LDAP_NESTED_GROUPS"), false);
  if (nestedGroups && groupSearchBase === null)
    throw new ConfigError("LDAP_NESTED_GROUPS", "needs LDAP_GROUP_SEARCH_BASE (nesting is followed by group searches)");
  return {
    url,
    startTls,
    tlsCa: parseCaFile(value(env, "LDAP_TLS_CA_FILE")),
    bindDn: bindDn === null ? null : parseDn("LDAP_BIND_DN", bindDn),
    bindPassword,
    userSearchBase: parseDn("LDAP_USER_SEARCH_BASE", required("LDAP_USER_SEARCH_BASE")),
    userFilter,
    groupSearchBase: groupSearchBase === null ? null : parseDn("LDAP_GROUP_SEARCH_BASE", groupSearchBase),
    groupFilter,
    groupsAttribute: parseAttribute("LDAP_GROUPS_ATTRIBUTE", value(env, "LDAP_GROUPS_ATTRIBUTE") ?? "memberOf"),
    groupNameAttribute: parseAttribute("LDAP_GROUP_NAME_ATTRIBUTE", value(env, "LDAP_GROUP_NAME_ATTRIBUTE") ?? "cn"),
    nestedGroups,
    emailAttributes: parseAttributes("LDAP_EMAIL_ATTRIBUTE", value(env, "LDAP_EMAIL_ATTRIBUTE") ?? "mail"),
    displayNameAttributes: parseAttributes(
      "LDAP_DISPLAY_NAME_ATTRIBUTE",
      value(env, "LDAP_DISPLAY_NAME_ATTRIBUTE") ?? "displayName,cn",
    ),
    provider: parseProviderName("LDAP_PROVIDER", value(env, "LDAP_PROVIDER") ?? "ldap"),
    timeoutMs: parseTimeout(value(env, "LDAP_TIMEOUT")),
  };
}

function parseLdapUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError("LDAP_URL", `'${raw.slice(0, 200)}' is not a URL (e.g. ldaps://ldap.example.com)`);
  }
  if (url.protocol !== "ldap:" && url.protocol !== "ldaps:")
    throw new ConfigError("LDAP_URL", `'${raw.slice(0, 200)}' is not an ldap:// or ldaps:// URL`);
  if (url.username !== "" || url.password !== "")
    throw new ConfigError("LDAP_URL", "must not carry credentials (use LDAP_BIND_DN and LDAP_BIND_PASSWORD)");
  if ((url.pathname !== "" && url.pathname !== "/") || url.search !== "")
    throw new ConfigError("LDAP_URL", `'${raw.slice(0, 200)}' must name a server only (no base DN or query)`);
  return `${url.protocol}//${url.host}`;
}

function parseCaFile(path: string | undefined): string | null {
  if (path === undefined) return null;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(
      "LDAP_TLS_CA_FILE",
      `cannot read '${path}' (${(err as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  if (!text.includes("-----BEGIN CERTIFICATE-----"))
    throw new ConfigError("LDAP_TLS_CA_FILE", `'${path}' holds no PEM certificate`);
  return text;
}

/** A distinguished name: attribute=value pairs separated by commas. */
function parseDn(variable: string, raw: string): string {
  if (raw.length > 1024 || !/^[A-Za-z][\w.-]*=[^,]+(,\s*[A-Za-z][\w.-]*=[^,]+)*$/.test(raw))
    throw new ConfigError(variable, `'${raw.slice(0, 200)}' is not a DN (e.g. ou=people,dc=example,dc=com)`);
  return raw;
}

function parseAttribute(variable: string, raw: string): string {
  if (!/^[A-Za-z][\w-]{0,127}$/.test(raw))
    throw new ConfigError(variable, `'${raw.slice(0, 80)}' is not an attribute name`);
  return raw;
}

function parseAttributes(variable: string, raw: string): string[] {
  const names = [
    ...new Set(
      raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    ),
  ];
  if (names.length === 0) throw new ConfigError(variable, "lists no attribute");
  return names.map((name) => parseAttribute(variable, name));
}

function balancedFilter(filter: string): boolean {
  let depth = 0;
  for (const c of filter) {
    depth += c === "(" ? 1 : c === ")" ? -1 : 0;
    if (depth < 0) return false;
  }
  return depth === 0 && filter.startsWith("(") && filter.endsWith(")");
}

/** Seconds, or e.g. `5s`; 1 to 60 seconds, 5 by default. */
function parseTimeout(raw: string | undefined): number {
  if (raw === undefined) return 5000;
  const m = /^(\d{1,2})s?$/.exec(raw);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 60)
    throw new ConfigError("LDAP_TIMEOUT", `'${raw.slice(0, 40)}' is not a timeout of 1 to 60 seconds (e.g. 5s)`);
  return Number(m[1]) * 1000;
}
