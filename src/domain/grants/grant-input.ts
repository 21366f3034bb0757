// Validation of grant arguments (docs/concepts.md): scopes are namespace paths,
// time bounds must leave a future window, roles must exist. Every problem is
// BAD_USER_INPUT naming its field, raised before anything is written.
import { namespaceProblem } from "../../engine";
import { badInput } from "../errors";
import type { RoleRecord } from "../model";
import type { RoleRepository } from "../ports/storage.port";
import { distinctRoleNames } from "../users/user-input";

/**
 * Checks that `scope` is a namespace path ("" = everywhere): no globs, no empty,
 * "." or ".." segments, no whitespace, invisible or control characters. Every
 * scope accepted anywhere (grants, SSO mappings, access requests) passes here.
 */
export function checkScope(scope: string, field: string): string {
  const problem = namespaceProblem(scope);
  if (problem !== null) throw badInput(field, `'${scope.slice(0, 80)}' ${problem}`);
  return scope;
}

/** A grant counts only before `expiresAt`: refuse a window that is already over or empty. */
export function checkTimeBounds(startsAt: Date | null, expiresAt: Date | null, now: Date, field: string): void {
  if (expiresAt === null) return;
  if (expiresAt.getTime() <= now.getTime()) throw badInput(field, `${expiresAt.toISOString()} is already past`);
  if (startsAt !== null && expiresAt.getTime() <= startsAt.getTime()) {
    throw badInput(field, `must be after startsAt (${startsAt.toISOString()})`);
  }
}

/** The stored role named `name`; BAD_USER_INPUT at `field` when there is none. */
export async function loadRole(roles: RoleRepository, name: string, field: string): Promise<RoleRecord> {
  const record = name === "" ? null : await roles.get(name);
  if (record === null) throw badInput(field, `unknown role '${name}'`);
  return record;
}

/** The stored roles named, duplicates (ignoring case) collapsed; BAD_USER_INPUT at `field[i]` for the first unknown one. */
export async function loadRoles(roles: RoleRepository, names: readonly string[], field: string): Promise<RoleRecord[]> {
  const out: RoleRecord[] = [];
  for (const { name, index } of distinctRoleNames(names)) {
    out.push(await loadRole(roles, name, `${field}[${index}]`));
  }
  return out;
}
