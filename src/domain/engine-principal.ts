import type { DecisionContext, Principal as EnginePrincipal } from "../engine/types";
import type { Principal } from "./principal";

/** The engine's view of a caller: a token decides as the token, a session as its user. */
export function enginePrincipal(principal: Principal): EnginePrincipal {
  return principal.credential.kind === "token"
    ? { kind: "token", tokenId: principal.credential.tokenId }
    : { kind: "user", userId: principal.user.id };
}

/** The facts of the caller's own request (docs/decisions.md): session MFA and the connection's address. */
export function callerContext(principal: Principal): DecisionContext {
  return { mfa: principal.mfa, sourceIp: principal.sourceIp };
}
