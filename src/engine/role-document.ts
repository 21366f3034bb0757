// `kind: role` documents (docs/documents.md). References to policies and roles are
// checked against the current state through RoleRefs, including inheritance
// cycles that the new document would close.

import { didYouMean } from "./did-you-mean";
import { DocumentReader } from "./document-reader";
import { durationProblem, formatDuration, parseDuration } from "./duration";
import { OBJECT_NAME, readDescription, readObjectName, toYaml } from "./policy-document";
import { readKind } from "./resource-type-document";
import type { RoleDoc } from "./types";
import { refuseUnexpected } from "./validation-error";
import { readYaml } from "./yaml-reader";

/** What a role document may refer to. */
export interface RoleRefs {
  policyExists(name: string): boolean;
  /** The stored `inherits` of an existing role; undefined when there is no such role. */
  roleInherits(name: string): readonly string[] | undefined;
  policyNames(): string[];
  roleNames(): string[];
}

export const ROLE_KEYS = [
  "kind",
  "name",
  "description",
  "policies",
  "inherits",
  "options",
  "request",
  "reviewRequests",
  "superuser",
] as const;
export const OPTION_KEYS = ["maxSessionTtl", "requireSessionMfa"] as const;
export const REQUEST_KEYS = ["roles", "approvals", "denials"] as const;
export const REVIEW_KEYS = ["roles"] as const;
export const MAX_VOTES = 100;

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Names listed under `key`, each checked to exist. */
function readRefs(
  r: DocumentReader,
  value: unknown,
  path: string,
  exists: (n: string) => boolean,
  names: () => string[],
  what: string,
): string[] {
  const out: string[] = [];
  for (const item of r.stringList(value, path) ?? []) {
    if (!OBJECT_NAME.test(item.value)) r.issue(item.path, `invalid ${what} name '${item.value.slice(0, 80)}'`);
    else if (!exists(item.value))
      r.issue(item.path, `unknown ${what} '${item.value}'${didYouMean(item.value, names())}`);
    else out.push(item.value);
  }
  return out;
}

/** The chain from `start` back to `self`, following stored inherits (with self's replaced), or null. */
function cycleThrough(self: string, start: string, ownInherits: readonly string[], refs: RoleRefs): string[] | null {
  const parents = (name: string) => (same(name, self) ? ownInherits : (refs.roleInherits(name) ?? []));
  const seen = new Set<string>();
  const walk = (name: string, chain: string[]): string[] | null => {
    if (same(name, self)) return chain;
    if (seen.has(name.toLowerCase()) || chain.length > 1000) return null;
    seen.add(name.toLowerCase());
    for (const parent of parents(name)) {
      const found = walk(parent, [...chain, parent]);
      if (found) return found;
    }
    return null;
  };
  return walk(start, [start]);
}

function readRole(r: DocumentReader, value: unknown, refs: RoleRefs): RoleDoc | null {
  const map = r.mapping(value, "", ROLE_KEYS, "a mapping (a role document)");
  if (map === null) return null;
  readKind(r, map, "role", "");
  const name = readObjectName(r, map, "");
  const self = name ?? "";
  const roleExists = (n: string) => (name !== null && same(n, name)) || refs.roleInherits(n) !== undefined;
  const roleNames = () => refs.roleNames();
  const doc: RoleDoc = {
    name: self,
    description: readDescription(r, map, ""),
    policies: map.has("policies")
      ? readRefs(
          r,
          map.get("policies"),
          "policies",
          (n) => refs.policyExists(n),
          () => refs.policyNames(),
          "policy",
        )
      : [],
    inherits: [],
    options: { maxSessionTtlSeconds: null, requireSessionMfa: false },
    request: { roles: [], approvals: 1, denials: 1 },
    reviewRequests: { roles: [] },
    superuser: false,
  };

  if (map.has("inherits")) {
    const items = r.stringList(map.get("inherits"), "inherits") ?? [];
    const all = items.map((i) => i.value);
    for (const item of items) {
      if (!OBJECT_NAME.test(item.value)) r.issue(item.path, `invalid role name '${item.value.slice(0, 80)}'`);
      else if (name !== null && same(item.value, name)) r.issue(item.path, "a role cannot inherit itself");
      else if (!roleExists(item.value))
        r.issue(item.path, `unknown role '${item.value}'${didYouMean(item.value, roleNames())}`);
      else {
        const cycle = name === null ? null : cycleThrough(name, item.value, all, refs);
        if (cycle) r.issue(item.path, `inheritance cycle: ${[name, ...cycle].join(" -> ")}`);
        else doc.inherits.push(item.value);
      }
    }
  }

  if (map.has("options")) {
    const options = r.mapping(map.get("options"), "options", OPTION_KEYS);
    const ttl = options?.get("maxSessionTtl");
    if (ttl !== undefined && ttl !== null) {
      const text = r.string(ttl, "options.maxSessionTtl");
      const problem = text === null ? null : durationProblem(text);
      if (problem !== null) r.issue("options.maxSessionTtl", problem);
      else if (text !== null && parseDuration(text) === 0) r.issue("options.maxSessionTtl", "must be longer than 0s");
      else if (text !== null) doc.options.maxSessionTtlSeconds = parseDuration(text);
    }
    if (options?.has("requireSessionMfa")) {
      doc.options.requireSessionMfa = r.boolean(options.get("requireSessionMfa"), "options.requireSessionMfa") ?? false;
    }
  }

  if (map.has("request")) {
    const request = r.mapping(map.get("request"), "request", REQUEST_KEYS);
    if (request?.has("roles"))
      doc.request.roles = readRefs(r, request.get("roles"), "request.roles", roleExists, roleNames, "role");
    for (const key of ["approvals", "denials"] as const) {
      if (request?.has(key)) doc.request[key] = r.integer(request.get(key), `request.${key}`, 1, MAX_VOTES) ?? 1;
    }
  }

  if (map.has("reviewRequests")) {
    const review = r.mapping(map.get("reviewRequests"), "reviewRequests", REVIEW_KEYS);
    if (review?.has("roles"))
      doc.reviewRequests.roles = readRefs(
        r,
        review.get("roles"),
        "reviewRequests.roles",
        roleExists,
        roleNames,
        "role",
      );
  }

  if (map.has("superuser")) doc.superuser = r.boolean(map.get("superuser"), "superuser") ?? false;
  return name === null ? null : doc;
}

/** Parses and validates a role document; throws ValidationError listing every problem. */
export function parseRoleDocument(text: string, refs: RoleRefs): RoleDoc {
  return refuseUnexpected(() => {
    const value = readYaml(text);
    const r = new DocumentReader();
    const doc = readRole(r, value, refs);
    r.throwIfAny();
    return doc!;
  });
}

/** YAML for a role; parseRoleDocument(formatRoleDocument(d), refs) deep-equals d. */
export function formatRoleDocument(doc: RoleDoc): string {
  const options: Record<string, unknown> = {};
  if (doc.options.maxSessionTtlSeconds !== null)
    options.maxSessionTtl = formatDuration(doc.options.maxSessionTtlSeconds);
  options.requireSessionMfa = doc.options.requireSessionMfa;
  const out: Record<string, unknown> = { kind: "role", name: doc.name };
  if (doc.description !== null) out.description = doc.description;
  Object.assign(out, {
    policies: [...doc.policies],
    inherits: [...doc.inherits],
    options,
    request: { roles: [...doc.request.roles], approvals: doc.request.approvals, denials: doc.request.denials },
    reviewRequests: { roles: [...doc.reviewRequests.roles] },
    superuser: doc.superuser,
  });
  return toYaml(out);
}
