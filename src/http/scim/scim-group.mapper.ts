// The SCIM core Group resource (RFC 7643 §4.2) over portcullis' groups, which
// are names carried by users (docs/concepts.md), not rows of their own.
//
// A group's id is its name in base64url (UTF-8, no padding). That makes the id
// stable without storage (every instance derives the same id, nothing to keep in
// step), reversible (a group that has lost its last member can still be
// addressed, so an IdP that creates a group empty and then adds members works),
// URL-safe in a path segment, and exact (group names are case-sensitive). It is
// also why displayName is immutable: grants and SSO mappings refer to the name,
// so renaming a group would silently change who holds what.
import type { UserRecord } from "../../domain/model";
import type { MembershipStep } from "../../domain/users/directory-service";
import { parseEqFilter } from "./scim-filter";
import { invalidPath, invalidValue, mutability, ScimError } from "./scim-error";
import type { PatchOperation } from "./scim-patch";
import { isObject } from "./scim-user.mapper";

export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";

export function groupId(name: string): string {
  return Buffer.from(name, "utf8").toString("base64url");
}

/** The name behind a group id; null when the id is not one this server gives out. */
export function groupName(id: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const name = Buffer.from(id, "base64url").toString("utf8");
  return groupId(name) === id ? name : null;
}

export function toScimGroup(
  name: string,
  members: readonly UserRecord[],
  base: string,
  withMembers = true,
): Record<string, unknown> {
  const id = groupId(name);
  return {
    schemas: [GROUP_SCHEMA],
    id,
    displayName: name,
    ...(withMembers
      ? {
          members: members.map((u) => ({ value: u.id, display: u.email, $ref: `${base}/Users/${u.id}`, type: "User" })),
        }
      : {}),
    meta: { resourceType: "Group", location: `${base}/Groups/${id}` },
  };
}

/** User ids from a `members` value: a list of `{ value }` (RFC 7643 §4.2). */
export function memberIds(value: unknown, field: string, strict = false): MembershipStep["members"] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidValue(`${field} must be a list of {"value": "<user id>"}`);
  return value.map((m, i) => {
    if (!isObject(m) || typeof m.value !== "string" || m.value === "")
      throw invalidValue(`${field}[${i}].value must be a user id`);
    if (m.type !== undefined && (typeof m.type !== "string" || m.type.toLowerCase() !== "user"))
      throw invalidValue(`${field}[${i}].type: only users can be members (groups do not nest)`);
    return { id: m.value, field: `${field}[${i}].value`, strict };
  });
}

/** Refuses a displayName other than the group's own (see the id above). */
export function assertSameName(value: unknown, name: string, field: string): void {
  if (value === undefined) return;
  if (value !== name)
    throw mutability(
      `${field}: a group's displayName is its identity (grants and SSO mappings refer to it) and cannot change from '${name}'`,
    );
}

/**
 * The membership steps of a Group PATCH, in order: add / replace / remove on
 * `members`, `members[value eq "<id>"]` to remove one member (noTarget when it
 * is not a member), and add / replace without a path carrying `members`.
 */
export function groupPatchSteps(ops: readonly PatchOperation[], name: string): MembershipStep[] {
  const steps: MembershipStep[] = [];
  for (const { op, path, value, field } of ops) {
    if (path === undefined) {
      if (op === "remove") throw invalidPath(`${field}: remove needs a path`);
      if (!isObject(value)) throw invalidValue(`${field}.value must be an object of attributes when there is no path`);
      const body = value;
      for (const key of Object.keys(body)) {
        const k = key.toLowerCase();
        if (k === "displayname") assertSameName(body[key], name, `${field}.value.displayName`);
        else if (k === "members") steps.push({ op, members: memberIds(body[key], `${field}.value.members`) });
        else if (k !== "schemas" && k !== "id" && k !== "externalid" && k !== "meta")
          throw invalidPath(`${field}: '${key}' is not a Group attribute portcullis keeps`);
      }
      continue;
    }
    const lower = path.toLowerCase().replace(/^urn:ietf:params:scim:schemas:core:2\.0:group:/, "");
    if (lower === "members") {
      // Remove with a value lists whom to remove; without one, everyone (RFC 7644 §3.5.2.2).
      steps.push(
        op === "remove" && (value === undefined || value === null)
          ? { op: "replace", members: [] }
          : { op, members: memberIds(value, `${field}.value`) },
      );
    } else if (lower.startsWith("members[")) {
      steps.push(memberFilterStep(op, path, field));
    } else if (lower === "displayname") {
      if (op === "remove") throw mutability(`${field}: a group's displayName cannot be removed`);
      assertSameName(value, name, `${field}.value`);
    } else throw invalidPath(`${field}: '${path}' is not a Group attribute portcullis changes`);
  }
  return steps;
}

function memberFilterStep(op: PatchOperation["op"], path: string, field: string): MembershipStep {
  const match = /^members\[(.*)\]$/is.exec(path);
  if (!match) throw invalidPath(`${field}: '${path}' is not of the form members[value eq "<user id>"]`);
  let id: string;
  try {
    id = parseEqFilter(match[1], ["value"]).value;
  } catch (err) {
    if (err instanceof ScimError) throw invalidPath(`${field}.path: ${err.message}`);
    throw err;
  }
  if (op !== "remove")
    throw invalidPath(`${field}: ${op} with a member filter is not supported; add members with path "members"`);
  return { op: "remove", members: [{ id, field: `${field}.path`, strict: true }] };
}
