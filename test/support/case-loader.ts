// Loads the YAML decision cases in test/cases: each file describes one state
// (policies and roles as documents, grants, users, tokens) and a list of checks
// with the expected outcome. Policies and roles go through the real document
// parsers, so a case file is also a test of what the parsers accept.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import {
  parsePolicyDocument,
  parseResourceTypeDocuments,
  parseRoleDocument,
  type DecisionContext,
  type DecisionReason,
  type GrantDef,
  type PolicyDoc,
  type PolicyState,
  type Principal,
  type Resource,
  type ResourceTypeDef,
  type RoleDoc,
  type RoleRefs,
  type RuleRef,
  type TokenDef,
  type UserDef,
} from "../../src/engine";

export const CASES_DIR = join(__dirname, "..", "..", "..", "test", "cases");

export interface DecisionCase {
  name: string;
  principal: Principal;
  action: string;
  resource: Resource;
  context: DecisionContext;
  now: Date;
  expect: {
    allowed: boolean;
    reason: DecisionReason;
    decidedBy?: Partial<RuleRef> | null;
    explanationIncludes?: string[];
  };
}

export interface CaseFile {
  file: string;
  description: string;
  state: PolicyState;
  cases: DecisionCase[];
}

/** A scalar as YAML may give it: an id such as `7` comes back as a number. */
type Scalar = string | number;
/** A time as YAML may give it: a string, epoch milliseconds, or a timestamp YAML read as a Date. */
type RawTime = string | number | Date | null | undefined;

/** The shape of a case file as written (see test/cases); the document parsers check policies and roles. */
interface RawNamed {
  name: Scalar;
  inherits?: string[];
  [key: string]: unknown;
}
interface RawGrant {
  id: Scalar;
  role: Scalar;
  user?: Scalar;
  group?: Scalar;
  scope?: string;
  active?: boolean;
  startsAt?: RawTime;
  expiresAt?: RawTime;
}
interface RawUser {
  id: Scalar;
  status?: UserDef["status"];
  groups?: string[];
}
interface RawToken {
  id: Scalar;
  owner: Scalar;
  roles?: string[];
  expiresAt?: RawTime;
  revokedAt?: RawTime;
  boundCidrs?: TokenDef["boundCidrs"];
}
interface RawPrincipal {
  user?: Scalar;
  token?: Scalar;
}
interface RawCase {
  name: Scalar;
  principal: RawPrincipal;
  check: {
    action: Scalar;
    resource: { type: Scalar; namespace?: string; name?: string; labels?: Record<string, string> };
    context?: { mfa?: boolean; sourceIp?: string | null };
  };
  now?: RawTime;
  expect: DecisionCase["expect"];
}
interface RawCaseFile {
  description?: Scalar;
  now?: RawTime;
  types?: ResourceTypeDef[];
  policies?: RawNamed[];
  roles?: RawNamed[];
  grants?: RawGrant[];
  users?: RawUser[];
  tokens?: RawToken[];
  cases?: RawCase[];
}

const date = (v: unknown): Date | null =>
  typeof v === "string" || typeof v === "number" ? new Date(v) : v instanceof Date ? v : null;

/** The seeded resource types (as in docs/documents.md), used unless a file lists its own. */
export const DEFAULT_TYPES: ResourceTypeDef[] = parseResourceTypeDocuments(
  readFileSync(join(CASES_DIR, "types", "default-types.yaml"), "utf8"),
);

function roleRefs(policies: PolicyDoc[], rawRoles: RawNamed[]): RoleRefs {
  const inherits = new Map(rawRoles.map((r) => [String(r.name), r.inherits ?? []]));
  return {
    policyExists: (n) => policies.some((p) => p.name === n),
    roleInherits: (n) => inherits.get(n),
    policyNames: () => policies.map((p) => p.name),
    roleNames: () => [...inherits.keys()],
  };
}

function grant(raw: RawGrant): GrantDef {
  return {
    id: String(raw.id),
    role: String(raw.role),
    subject:
      raw.group !== undefined
        ? { type: "GROUP", group: String(raw.group) }
        : { type: "USER", userId: String(raw.user) },
    scope: raw.scope ?? "",
    active: raw.active ?? true,
    startsAt: date(raw.startsAt),
    expiresAt: date(raw.expiresAt),
  };
}

const user = (raw: RawUser): UserDef => ({
  id: String(raw.id),
  status: raw.status ?? "ACTIVE",
  groups: raw.groups ?? [],
});

const token = (raw: RawToken): TokenDef => ({
  id: String(raw.id),
  ownerId: String(raw.owner),
  roles: raw.roles ?? [],
  expiresAt: date(raw.expiresAt),
  revokedAt: date(raw.revokedAt),
  ...(raw.boundCidrs !== undefined ? { boundCidrs: raw.boundCidrs } : {}),
});

function principal(raw: RawPrincipal): Principal {
  return raw.token !== undefined
    ? { kind: "token", tokenId: String(raw.token) }
    : { kind: "user", userId: String(raw.user) };
}

export function loadCaseFile(file: string): CaseFile {
  const raw = parse(readFileSync(join(CASES_DIR, file), "utf8")) as RawCaseFile;
  const types = [...DEFAULT_TYPES, ...(raw.types ?? [])];
  const typeMap = new Map(types.map((t) => [t.name, t]));
  const policies = (raw.policies ?? []).map((p) => parsePolicyDocument(stringify({ kind: "policy", ...p }), typeMap));
  const rawRoles = raw.roles ?? [];
  const refs = roleRefs(policies, rawRoles);
  const roles: RoleDoc[] = rawRoles.map((r) => parseRoleDocument(stringify({ kind: "role", ...r }), refs));
  const state: PolicyState = {
    types,
    policies,
    roles,
    grants: (raw.grants ?? []).map(grant),
    users: (raw.users ?? []).map(user),
    tokens: (raw.tokens ?? []).map(token),
  };
  const now = date(raw.now) ?? new Date("2025-06-01T12:00:00Z");
  const cases = (raw.cases ?? []).map((c): DecisionCase => ({
    name: String(c.name),
    principal: principal(c.principal),
    action: String(c.check.action),
    resource: {
      type: String(c.check.resource.type),
      namespace: c.check.resource.namespace ?? "",
      name: c.check.resource.name ?? "",
      labels: c.check.resource.labels ?? {},
    },
    context: { mfa: c.check.context?.mfa ?? false, sourceIp: c.check.context?.sourceIp ?? null },
    now: date(c.now) ?? now,
    expect: c.expect,
  }));
  return { file, description: String(raw.description ?? file), state, cases };
}

export function loadCaseFiles(): CaseFile[] {
  return readdirSync(CASES_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map(loadCaseFile);
}
