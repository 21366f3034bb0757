import type { RoleDoc } from "../../src/engine/types";

/** A role document with the defaults a YAML role document gets (docs/documents.md). */
export function roleDoc(
  name: string,
  fields: Partial<Omit<RoleDoc, "name" | "options">> & { requireSessionMfa?: boolean } = {},
): RoleDoc {
  return {
    name,
    description: null,
    policies: fields.policies ?? [],
    inherits: fields.inherits ?? [],
    options: { maxSessionTtlSeconds: null, requireSessionMfa: fields.requireSessionMfa ?? false },
    request: fields.request ?? { roles: [], approvals: 1, denials: 1 },
    reviewRequests: fields.reviewRequests ?? { roles: [] },
    superuser: fields.superuser ?? false,
  };
}
