// The roles a token may use: each of its roles with everything they inherit,
// and whether allows reached that way need MFA.

import type { PolicyIndex } from "./policy-index";
import type { TokenDef } from "./types";

export interface TokenScope {
  /** Lower-cased role name → whether its allows need MFA on the token side. */
  members: Map<string, boolean>;
}

/**
 * Null when the token is not narrower than its owner: an empty role list, or a
 * superuser role among its roles (the intersection is then the owner's own).
 */
export function tokenScope(index: PolicyIndex, token: TokenDef | null): TokenScope | null {
  if (token === null || token.roles.length === 0) return null;
  const members = new Map<string, boolean>();
  let superuser = false;
  for (const entry of index.entriesOfToken(token)) {
    const role = index.compiled(entry.slot);
    superuser ||= role.superuser;
    for (const [key, mfa] of role.memberMfa) members.set(key, (members.get(key) ?? true) && mfa);
  }
  return superuser ? null : { members };
}
