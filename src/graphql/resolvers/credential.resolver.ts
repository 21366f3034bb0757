// `credential`: what the caller's own credential is right now (kind, expiry,
// MFA), for clients such as `portcullis whoami` that must not guess it from
// what they stored at login. About the caller only, so always allowed
// (guard-table.ts) and not audited, like `me`.
import { Ctx, Query, Resolver } from "type-graphql";
import type { RequestContext } from "../context";
import { CredentialKind, CurrentCredentialType } from "../types/credential.type";

@Resolver()
export class CredentialResolver {
  @Query(() => CurrentCredentialType, {
    description:
      "The credential this request was authenticated with: kind, id, expiry and whether it counts as MFA now.",
  })
  async credential(@Ctx() ctx: RequestContext): Promise<CurrentCredentialType> {
    const principal = ctx.principal!;
    const out = new CurrentCredentialType();
    out.mfa = principal.mfa;
    if (principal.credential.kind === "token") {
      const token = await ctx.services.storage.tokens.get(principal.credential.tokenId);
      Object.assign(out, {
        kind: CredentialKind.TOKEN,
        id: principal.credential.tokenId,
        expiresAt: token?.expiresAt ?? null,
        mfaVerifiedUntil: null,
        sessionSource: null,
        breakGlass: principal.credential.breakGlass,
      });
      return out;
    }
    const session = await ctx.services.storage.sessions.get(principal.credential.sessionId);
    Object.assign(out, {
      kind: CredentialKind.SESSION,
      id: principal.credential.sessionId,
      expiresAt: session?.expiresAt ?? null,
      mfaVerifiedUntil: session?.mfaVerifiedUntil ?? null,
      sessionSource: session?.source ?? null,
      breakGlass: false,
    });
    return out;
  }
}
