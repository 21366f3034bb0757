// enrollTotp and verifyTotp: about the caller's own session, so every
// authenticated caller may call them (guard-table.ts); the TOTP service refuses
// tokens and audits every verification.
import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import type { RequestContext } from "../context";
import { MfaVerificationType, TotpEnrollmentType } from "../types/mfa.type";

@Resolver()
export class MfaMutationsResolver {
  @Mutation(() => TotpEnrollmentType, {
    description:
      "Sets up a new TOTP authenticator for the caller's account; replacing a confirmed one needs a session with MFA.",
  })
  async enrollTotp(@Ctx() ctx: RequestContext): Promise<TotpEnrollmentType> {
    return Object.assign(new TotpEnrollmentType(), await ctx.services.totp.enroll(ctx.principal!, ctx.requestId));
  }

  @Mutation(() => MfaVerificationType, {
    description:
      "Checks a TOTP code: the first confirms enrolment, later ones mark the caller's session MFA-verified for a while.",
  })
  async verifyTotp(@Ctx() ctx: RequestContext, @Arg("code", () => String) code: string): Promise<MfaVerificationType> {
    return Object.assign(
      new MfaVerificationType(),
      await ctx.services.totp.verify(ctx.principal!, code, ctx.requestId),
    );
  }
}
