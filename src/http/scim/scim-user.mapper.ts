// The SCIM core User resource (RFC 7643 §4.1) over portcullis' users: userName
// is the email address (lower-cased), `emails` holds that one address, `name`
// and `displayName` share the one display name, `active` is false once the user
// is DEPROVISIONED (a LOCKED user is locked in portcullis, not in the IdP, and
// stays active here), and `groups` is read-only (RFC 7643 §4.1.2).
import type { UserRecord } from "../../domain/model";
import type { ProfileChange } from "../../domain/users/directory-service";
import { invalidSyntax, invalidValue } from "./scim-error";
import { groupId } from "./scim-group.mapper";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";

export function toScimUser(user: UserRecord, base: string): Record<string, unknown> {
  const location = `${base}/Users/${user.id}`;
  return {
    schemas: [USER_SCHEMA],
    id: user.id,
    ...(user.externalId !== null ? { externalId: user.externalId } : {}),
    userName: user.email,
    ...(user.displayName !== null ? { displayName: user.displayName, name: { formatted: user.displayName } } : {}),
    active: user.status !== "DEPROVISIONED",
    emails: [{ value: user.email, type: "work", primary: true }],
    groups: user.groups.map((g) => ({
      value: groupId(g),
      display: g,
      $ref: `${base}/Groups/${groupId(g)}`,
      type: "direct",
    })),
    meta: { resourceType: "User", created: user.createdAt.toISOString(), location },
  };
}

/** What a User representation (POST, PUT) or a PATCH asks of a user. Attributes left out are undefined. */
export interface UserAttributes extends ProfileChange {
  active?: boolean;
}

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The schemas a resource body must list (RFC 7643 §3): refuse a body that is not of this resource type. */
export function requireSchema(body: unknown, schema: string): Json {
  if (!isObject(body)) throw invalidSyntax("the request body must be a JSON object");
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(schema)) throw invalidSyntax(`schemas must include "${schema}"`);
  return body;
}

export function optionalString(value: unknown, field: string): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value !== "string") throw invalidValue(`${field} must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** Booleans; some IdPs send "True"/"False" strings for `active`, which are taken as such. */
export function parseActive(value: unknown, field: string): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  throw invalidValue(`${field} must be true or false, got ${JSON.stringify(value)}`);
}

/** The one address in `emails`: the primary one, else the only one. */
export function parseEmails(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidValue(`${field} must be a list of {value, type, primary}`);
  if (value.length === 0) return undefined;
  value.forEach((e, i) => {
    if (!isObject(e) || typeof e.value !== "string") throw invalidValue(`${field}[${i}].value must be a string`);
  });
  const entries = value as Array<{ value: string; primary?: unknown }>;
  const primary = entries.filter((e) => e.primary === true || e.primary === "true" || e.primary === "True");
  if (primary.length > 1) throw invalidValue(`${field}: at most one address may be primary`);
  const chosen = primary[0] ?? (entries.length === 1 ? entries[0] : undefined);
  if (!chosen) throw invalidValue(`${field}: portcullis keeps one address per user; mark one primary`);
  return chosen.value;
}

/** The display name `name` gives: `formatted`, else given and family names joined. */
export function nameToDisplay(value: unknown, field: string): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (!isObject(value)) throw invalidValue(`${field} must be an object`);
  const formatted = optionalString(value.formatted, `${field}.formatted`);
  if (formatted) return formatted;
  const parts = ["givenName", "middleName", "familyName"]
    .map((k) => optionalString(value[k], `${field}.${k}`))
    .filter((p): p is string => !!p);
  return parts.length > 0 ? parts.join(" ") : undefined;
}

/**
 * The attributes of a User representation (POST, PUT, or a PATCH value without
 * a path). Read-only and unknown attributes are ignored as RFC 7644 §3.3 and
 * §3.5.1 say; `userName` and a primary email that disagree are refused, since
 * they are one address here.
 */
export function userAttributes(body: Json, prefix = ""): UserAttributes {
  const attrs: UserAttributes = {};
  const key = (name: string) => Object.keys(body).find((k) => k.toLowerCase() === name.toLowerCase());
  const get = (name: string) => {
    const k = key(name);
    return k === undefined ? undefined : body[k];
  };
  const userName = optionalString(get("userName"), `${prefix}userName`);
  const email = parseEmails(get("emails"), `${prefix}emails`);
  if (userName === null) throw invalidValue(`${prefix}userName cannot be removed`);
  if (userName !== undefined && email !== undefined && userName.toLowerCase() !== email.toLowerCase()) {
    throw invalidValue(
      `${prefix}userName '${userName}' and the primary email '${email}' differ: portcullis identifies a user by one email address`,
    );
  }
  const address = userName ?? email;
  if (address !== undefined) attrs.email = address;
  const externalId = optionalString(get("externalId"), `${prefix}externalId`);
  if (externalId !== undefined) attrs.externalId = externalId === "" ? null : externalId;
  const displayName =
    optionalString(get("displayName"), `${prefix}displayName`) ?? nameToDisplay(get("name"), `${prefix}name`);
  if (displayName !== undefined) attrs.displayName = displayName === "" ? null : displayName;
  const active = get("active");
  if (active !== undefined) attrs.active = parseActive(active, `${prefix}active`);
  return attrs;
}
