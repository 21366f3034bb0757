import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../context";
import { toRoleType, toUserType } from "../mappers";
import { GrantType } from "../types/grant.type";
import { RoleType } from "../types/role.type";
import { UserType } from "../types/user.type";

@Resolver(() => GrantType)
export class GrantResolver {
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
