// PATCH requests (RFC 7644 §3.5.2): the PatchOp envelope and the operations in
// it, checked before anything is applied so a bad operation changes nothing.
import { invalidPath, invalidSyntax, invalidValue, mutability } from "./scim-error";
import {
  isObject,
  nameToDisplay,
  optionalString,
  parseActive,
  parseEmails,
  requireSchema,
  type UserAttributes,
  userAttributes,
} from "./scim-user.mapper";

export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const MAX_OPERATIONS = 1000;

export interface PatchOperation {
  op: "add" | "remove" | "replace";
  /** Undefined when the operation has no path. */
  path?: string;
  value: unknown;
  /** `Operations[i]`, for errors. */
  field: string;
}

/** The operations of a PatchOp body, op names lower-cased (some IdPs send `Replace`). */
export function patchOperations(body: unknown): PatchOperation[] {
  const patch = requireSchema(body, PATCH_SCHEMA);
  const ops = patch.Operations;
  if (!Array.isArray(ops) || ops.length === 0) throw invalidSyntax("Operations must be a non-empty list");
  if (ops.length > MAX_OPERATIONS) throw invalidSyntax(`Operations: at most ${MAX_OPERATIONS} operations per request`);
  return ops.map((raw, i) => {
    const field = `Operations[${i}]`;
    if (!isObject(raw)) throw invalidSyntax(`${field} must be an object`);
    const op = typeof raw.op === "string" ? raw.op.toLowerCase() : "";
    if (op !== "add" && op !== "remove" && op !== "replace")
      throw invalidSyntax(`${field}.op must be add, remove or replace, got ${JSON.stringify(raw.op)}`);
    if (raw.path !== undefined && (typeof raw.path !== "string" || raw.path.trim() === ""))
      throw invalidPath(`${field}.path must be a non-empty string`);
    if (op !== "remove" && raw.value === undefined) throw invalidSyntax(`${field}.value is required for ${op}`);
    return { op, path: raw.path === undefined ? undefined : raw.path.trim(), value: raw.value, field };
  });
}

const CORE_USER_PREFIX = "urn:ietf:params:scim:schemas:core:2.0:user:";
const ENTERPRISE_USER_PREFIX = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user";
/**
 * Core User attributes (RFC 7643 §4.1) portcullis does not keep. IdPs send them
 * with their default mappings; like unknown attributes in a full representation
 * they are ignored, where a path outside the schema is refused.
 */
const IGNORED_CORE = new Set([
  "nickname",
  "profileurl",
  "title",
  "usertype",
  "preferredlanguage",
  "locale",
  "timezone",
  "phonenumbers",
  "ims",
  "photos",
  "addresses",
  "entitlements",
  "roles",
  "x509certificates",
]);

/** Whether the path names an attribute portcullis does not keep but SCIM defines (the enterprise extension included). */
function ignored(p: string): boolean {
  return p.startsWith(ENTERPRISE_USER_PREFIX) || IGNORED_CORE.has(p.split(/[.[]/)[0]);
}

/** A user attribute path without the optional core schema prefix, lower-cased (RFC 7643 §2.1: names ignore case). */
function userPath(path: string): string {
  const lower = path.toLowerCase();
  return lower.startsWith(CORE_USER_PREFIX) ? lower.slice(CORE_USER_PREFIX.length) : lower;
}

/**
 * What a PATCH of a User asks for, operations applied in order onto one set of
 * attributes. Supported: add and replace of active, userName, displayName, name
 * (and name.formatted / givenName / familyName), externalId and emails (also
 * `emails[…].value`), with or without a path; remove of externalId, displayName
 * and name. `groups` is read-only (mutability); other attributes of the core and
 * enterprise User schemas are ignored; any other path is invalidPath.
 */
export function userPatch(ops: readonly PatchOperation[]): UserAttributes {
  const attrs: UserAttributes = {};
  const nameParts: Record<string, string> = {};
  for (const { op, path, value, field } of ops) {
    if (path === undefined) {
      if (op === "remove") throw invalidPath(`${field}: remove needs a path`);
      if (!isObject(value)) throw invalidValue(`${field}.value must be an object of attributes when there is no path`);
      Object.assign(attrs, userAttributes(value, `${field}.value.`));
      continue;
    }
    const p = userPath(path);
    const at = `${field}.value`;
    if (p === "groups" || p.startsWith("groups[") || p.startsWith("groups."))
      throw mutability(`${field}: a user's groups are read-only; change membership through /Groups`);
    if (p === "id" || p.startsWith("meta")) throw mutability(`${field}: '${path}' is read-only`);
    if (p === "password")
      throw invalidPath(`${field}: portcullis keeps no passwords (changePassword is not supported)`);
    if (ignored(p)) continue;
    if (op === "remove") {
      if (p === "externalid") attrs.externalId = null;
      else if (p === "displayname" || p === "name" || p.startsWith("name.")) attrs.displayName = null;
      else if (["username", "emails", "active"].includes(p) || p.startsWith("emails["))
        throw mutability(`${field}: '${path}' cannot be removed`);
      else throw invalidPath(`${field}: '${path}' is not an attribute portcullis keeps`);
      continue;
    }
    if (p === "active") attrs.active = parseActive(value, at);
    else if (p === "username") attrs.email = requiredString(value, at);
    else if (p === "externalid") attrs.externalId = optionalString(value, at) || null;
    else if (p === "displayname") attrs.displayName = optionalString(value, at) || null;
    else if (p === "name") attrs.displayName = nameToDisplay(value, at) ?? null;
    else if (p === "name.formatted" || p === "name.givenname" || p === "name.middlename" || p === "name.familyname") {
      nameParts[p.slice("name.".length)] = requiredString(value, at);
    } else if (p === "emails") {
      const email = parseEmails(value, at);
      if (email !== undefined) attrs.email = email;
    } else if (/^emails\[[^\]]*\]\.value$/.test(p)) attrs.email = requiredString(value, at);
    else throw invalidPath(`${field}: '${path}' is not an attribute portcullis keeps or changes`);
  }
  if (Object.keys(nameParts).length > 0 && attrs.displayName === undefined) {
    attrs.displayName =
      nameParts.formatted ??
      [nameParts.givenname, nameParts.middlename, nameParts.familyname].filter(Boolean).join(" ");
  }
  return attrs;
}

function requiredString(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "")
    throw invalidValue(`${field} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}
