// A role with everything it inherits, each reached role tagged with whether its
// allows need MFA (docs/documents.md: requireSessionMfa applies to every allow a role
// contributes, inherited ones included).

import type { RoleDoc } from "./types";

export interface ClosureMember {
  doc: RoleDoc;
  /** Whether allows contributed through this member need MFA. */
  mfa: boolean;
}

/** Role names are unique regardless of case, as storage keeps them. */
export const roleKey = (name: string): string => name.toLowerCase();

/**
 * Depth-first, the role itself first. A role reachable along several paths keeps
 * the weakest requirement: if any path reaches it without an MFA role on the way,
 * its allows do not need MFA (that path alone would grant them). Missing roles and
 * cycles in stored data are tolerated.
 */
export function roleClosure(root: RoleDoc, lookup: (name: string) => RoleDoc | undefined): ClosureMember[] {
  const members: ClosureMember[] = [];
  const index = new Map<string, number>();
  const visit = (doc: RoleDoc, inheritedMfa: boolean): void => {
    const mfa = inheritedMfa || doc.options.requireSessionMfa;
    const key = roleKey(doc.name);
    const at = index.get(key);
    if (at !== undefined) {
      if (!members[at].mfa || mfa) return;
      members[at].mfa = false;
    } else {
      index.set(key, members.length);
      members.push({ doc, mfa });
    }
    for (const parent of doc.inherits) {
      if (roleKey(parent) === roleKey(root.name)) continue;
      const parentDoc = lookup(parent);
      if (parentDoc !== undefined) visit(parentDoc, mfa);
    }
  };
  visit(root, false);
  return members;
}
