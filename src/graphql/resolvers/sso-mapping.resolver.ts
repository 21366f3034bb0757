// ssoMappings and the fields of SsoMapping. The guard has already checked
// sso:read (guard-table.ts).
import { Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../context";
import { toRoleType, toSsoMappingType } from "../mappers";
import { RoleType } from "../types/role.type";
import { SsoMappingType } from "../types/sso-mapping.type";

@Resolver(() => SsoMappingType)
export class SsoMappingResolver {
  @Query(() => [SsoMappingType])
  async ssoMappings(@Ctx() ctx: RequestContext): Promise<SsoMappingType[]> {
    return (await ctx.services.ssoMappings.list()).map(toSsoMappingType);
  }

  @FieldResolver(() => RoleType)
  async role(@Root() mapping: SsoMappingType, @Ctx() ctx: RequestContext): Promise<RoleType> {
    const r = (await ctx.loaders.roles()).get(mapping.roleName.toLowerCase());
    if (!r) throw new Error(`SSO mapping refers to a missing role '${mapping.roleName}'`);
    return toRoleType(r);
  }
}
