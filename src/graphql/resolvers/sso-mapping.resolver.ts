// ssoMappings and setSsoMappings. The guard has already checked sso:read or
// sso:update (guard-table.ts); the mapping service validates, checks escalation,
// writes and recomputes the affected users' SSO grants.
import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../context";
import { toRoleType, toSsoMappingType } from "../mappers";
import { RoleType } from "../types/role.type";
import { SsoMappingInput } from "../types/sso-mapping.input";
import { SsoMappingType } from "../types/sso-mapping.type";

@Resolver(() => SsoMappingType)
export class SsoMappingResolver {
  @Query(() => [SsoMappingType])
  async ssoMappings(@Ctx() ctx: RequestContext): Promise<SsoMappingType[]> {
    return (await ctx.services.ssoMappings.list()).map(toSsoMappingType);
  }

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

  @FieldResolver(() => RoleType)
  async role(@Root() mapping: SsoMappingType, @Ctx() ctx: RequestContext): Promise<RoleType> {
    const r = (await ctx.loaders.roles()).get(mapping.roleName.toLowerCase());
    if (!r) throw new Error(`SSO mapping refers to a missing role '${mapping.roleName}'`);
    return toRoleType(r);
  }
}
