import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../context";
import { toRoleType, toUserType } from "../mappers";
import { RoleType } from "../types/role.type";
import { TokenType } from "../types/token.type";
import { UserType } from "../types/user.type";

@Resolver(() => TokenType)
export class TokenResolver {
  @FieldResolver(() => UserType)
  async owner(@Root() token: TokenType, @Ctx() ctx: RequestContext): Promise<UserType> {
    const u = await ctx.loaders.user.load(token.ownerId);
    if (!u) throw new Error(`token ${token.id} has no owner`);
    return toUserType(u);
  }

  @FieldResolver(() => [RoleType])
  async roles(@Root() token: TokenType, @Ctx() ctx: RequestContext): Promise<RoleType[]> {
    const roles = await ctx.loaders.roles();
    return token.roleNames.flatMap((n) => {
      const r = roles.get(n.toLowerCase());
      return r ? [toRoleType(r)] : [];
    });
  }
}
