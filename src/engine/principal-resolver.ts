// Steps 1-2 of a decision (docs/decisions.md): from a Principal to the user whose
// grants decide, or the reason there is none.

import { CidrSet, parseIp } from "./cidr-matcher";
import type { UserRecord } from "./grant-entry";
import type { PolicyIndex } from "./policy-index";
import type { DecisionReason, Principal, TokenDef, UserDef } from "./types";

export interface Resolved {
  ok: true;
  user: UserDef;
  record: UserRecord;
  token: TokenDef | null;
}

export type Resolution = Resolved | { ok: false; reason: DecisionReason; message: string };

const refuse = (reason: DecisionReason, message: string): Resolution => ({ ok: false, reason, message });

/**
 * `sourceIp` is checked against a token's bound networks when given; pass
 * undefined where there is no request (escalation checks, listings).
 */
export function resolvePrincipal(
  index: PolicyIndex,
  principal: Principal,
  now: number,
  sourceIp?: string | null,
): Resolution {
  let token: TokenDef | null = null;
  let userId: string;
  if (principal?.kind === "token") {
    token = index.tokens.get(principal.tokenId) ?? null;
    if (token === null) return refuse("UNAUTHENTICATED", `token ${principal.tokenId} is unknown`);
    if (token.revokedAt !== null && token.revokedAt !== undefined)
      return refuse("UNAUTHENTICATED", `token ${token.id} was revoked`);
    const expires =
      token.expiresAt === null || token.expiresAt === undefined ? Infinity : new Date(token.expiresAt).getTime();
    if (!(now < expires)) return refuse("UNAUTHENTICATED", `token ${token.id} has expired`);
    const bound = token.boundCidrs ?? [];
    if (sourceIp !== undefined && bound.length > 0) {
      if (!CidrSet.compile(bound).containsAddress(sourceIp === null ? null : parseIp(sourceIp))) {
        return refuse("UNAUTHENTICATED", `token ${token.id} may only be used from ${bound.join(", ")}`);
      }
    }
    userId = token.ownerId;
  } else if (principal?.kind === "user") {
    userId = principal.userId;
  } else {
    return refuse("UNAUTHENTICATED", "no principal");
  }
  const record = index.user(userId);
  if (record === undefined) {
    return token === null
      ? refuse("NO_MATCHING_RULE", `user ${userId} is unknown; denied by default`)
      : refuse("UNAUTHENTICATED", `token ${token.id} belongs to unknown user ${userId}`);
  }
  if (record.status !== "ACTIVE") return refuse("USER_LOCKED", `user ${userId} is ${record.status}`);
  const user = record.def!;
  return { ok: true, user, record, token };
}
