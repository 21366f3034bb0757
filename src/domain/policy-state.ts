// Builds the engine's input from storage. Stored documents were validated when
// written; if one no longer parses, start-up stops rather than decide without it
// (a skipped deny would widen access).
import { parsePolicyDocument, parseRoleDocument, ValidationError } from "../engine";
import type { GrantDef, PolicyDoc, PolicyState, RoleDoc, TokenDef, UserDef } from "../engine/types";
import type { GrantRecord, TokenRecord, UserRecord } from "./model";
import type { Repositories } from "./ports/storage.port";

export class StoredDocumentError extends Error {
  constructor(kind: string, name: string, err: unknown) {
    const detail =
      err instanceof ValidationError ? err.issues.map((i) => `${i.path}: ${i.message}`).join("; ") : String(err);
    super(`stored ${kind} '${name}' does not validate: ${detail}`);
    this.name = "StoredDocumentError";
  }
}

export const toGrantDef = (g: GrantRecord): GrantDef => ({
  id: g.id,
  role: g.role,
  subject: g.subjectType === "USER" ? { type: "USER", userId: g.userId! } : { type: "GROUP", group: g.group! },
  scope: g.scope,
  active: g.active,
  startsAt: g.startsAt,
  expiresAt: g.expiresAt,
});

export const toUserDef = (u: UserRecord): UserDef => ({ id: u.id, status: u.status, groups: u.groups });

export const toTokenDef = (t: TokenRecord): TokenDef => ({
  id: t.id,
  ownerId: t.ownerId,
  roles: t.roles,
  expiresAt: t.expiresAt,
  revokedAt: t.revokedAt,
  boundCidrs: t.boundCidrs,
});

export async function loadPolicyState(
  repos: Pick<Repositories, "resourceTypes" | "policies" | "roles" | "grants" | "users" | "tokens">,
): Promise<PolicyState> {
  const [typeRecords, policyRecords, roleRecords, grants, users, tokens] = await Promise.all([
    repos.resourceTypes.all(),
    repos.policies.all(),
    repos.roles.all(),
    repos.grants.all(),
    repos.users.all(),
    repos.tokens.allActive(),
  ]);
  const types = typeRecords.map(({ name, capabilities }) => ({ name, capabilities }));
  const typeMap = new Map(types.map((t) => [t.name, t]));
  const policies: PolicyDoc[] = policyRecords.map((p) => {
    try {
      return parsePolicyDocument(p.document, typeMap);
    } catch (err) {
      throw new StoredDocumentError("policy", p.name, err);
    }
  });
  const policyNames = new Set(policyRecords.map((p) => p.name.toLowerCase()));
  const inherits = new Map(roleRecords.map((r) => [r.name.toLowerCase(), r.inherits]));
  const refs = {
    policyExists: (name: string) => policyNames.has(name.toLowerCase()),
    roleInherits: (name: string) => inherits.get(name.toLowerCase()),
    policyNames: () => policyRecords.map((p) => p.name),
    roleNames: () => roleRecords.map((r) => r.name),
  };
  const roles: RoleDoc[] = roleRecords.map((r) => {
    try {
      return parseRoleDocument(r.document, refs);
    } catch (err) {
      throw new StoredDocumentError("role", r.name, err);
    }
  });
  return {
    types,
    policies,
    roles,
    grants: grants.map(toGrantDef),
    users: users.map(toUserDef),
    tokens: tokens.map(toTokenDef),
  };
}
