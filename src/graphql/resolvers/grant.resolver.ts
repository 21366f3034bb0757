// grants and the fields of Grant. The guard has already checked the
// capability of the root field (guard-table.ts).
import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../context";
import { toGrantType, toRoleType, toUserType } from "../mappers";
import { GrantType } from "../types/grant.type";
import { RoleType } from "../types/role.type";
import { UserType } from "../types/user.type";

@Resolver(() => GrantType)
export class GrantResolver {
  @Query(() => [GrantType])
  async grants(
    @Ctx() ctx: RequestContext,
    @Arg("userId", () => ID, { nullable: true }) userId?: string | null,
    @Arg("role", () => String, { nullable: true }) role?: string | null,
    @Arg("includeInactive", () => Boolean, { nullable: true, defaultValue: false }) includeInactive?: boolean | null,
  ): Promise<GrantType[]> {
    return (await ctx.services.grants.list({ userId, role, includeInactive })).map(toGrantType);
  }

  @FieldResolver(() => UserType, { nullable: true })
  async user(@Root() grant: GrantType, @Ctx() ctx: RequestContext): Promise<UserType | null> {
    const u = grant.userId ? await ctx.loaders.user.load(grant.userId) : null;
    return u ? toUserType(u) : null;
  }

  @FieldResolver(() => RoleType)
  async role(@Root() grant: GrantType, @Ctx() ctx: RequestContext): Promise<RoleType> {
    const r = (await ctx.loaders.roles()).get(grant.roleName.toLowerCase());
    if (!r) throw new Error(`grant ${grant.id} refers to a missing role`);
    return toRoleType(r);
  }

  @FieldResolver(() => UserType, { nullable: true })
  async createdBy(@Root() grant: GrantType, @Ctx() ctx: RequestContext): Promise<UserType | null> {
    const u = grant.createdById ? await ctx.loaders.user.load(grant.createdById) : null;
    return u ? toUserType(u) : null;
  }
}
