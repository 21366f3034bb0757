// setSsoMappings. The guard has already checked sso:update (guard-table.ts);
// the mapping service validates, checks escalation, writes and recomputes the
// affected users' SSO grants.
import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import type { RequestContext } from "../context";
import { toSsoMappingType } from "../mappers";
import { SsoMappingInput } from "../types/sso-mapping.input";
import { SsoMappingType } from "../types/sso-mapping.type";

@Resolver()
export class SsoMappingMutationsResolver {
  @Mutation(() => [SsoMappingType], {
    description:
      "Replaces the SSO mappings of `provider` (every entry must name it), or every provider's when `provider` is left out. Returns the list replaced.",
  })
  async setSsoMappings(
    @Ctx() ctx: RequestContext,
    @Arg("mappings", () => [SsoMappingInput]) mappings: SsoMappingInput[],
    @Arg("provider", () => String, { nullable: true }) provider?: string | null,
  ): Promise<SsoMappingType[]> {
    return (await ctx.services.ssoMappings.set(ctx.principal!, mappings, provider ?? null, ctx.requestId)).map(
      toSsoMappingType,
    );
  }
}
