import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../context";
import { named } from "../loaders";
import { toRoleType, toTokenType, toUserType } from "../mappers";
import { RoleType } from "../types/role.type";
import { TokenType } from "../types/token.type";
import { UserType } from "../types/user.type";

// tokens and the fields of Token. The guard (guard-table.ts) has decided who
// may call the root field before it runs.
@Resolver(() => TokenType)
export class TokenResolver {
  @Query(() => [TokenType])
  async tokens(
    @Ctx() ctx: RequestContext,
    @Arg("userId", () => ID, { nullable: true }) userId?: string | null,
    @Arg("includeRevoked", () => Boolean, { nullable: true, defaultValue: false }) includeRevoked?: boolean | null,
  ): Promise<TokenType[]> {
    return (await ctx.services.tokens.list(ctx.principal!, userId ?? null, includeRevoked === true)).map(toTokenType);
  }

  @FieldResolver(() => UserType)
  async owner(@Root() token: TokenType, @Ctx() ctx: RequestContext): Promise<UserType> {
    const u = await ctx.loaders.user.load(token.ownerId);
    if (!u) throw new Error(`token ${token.id} has no owner`);
    return toUserType(u);
  }

  @FieldResolver(() => [RoleType])
  async roles(@Root() token: TokenType, @Ctx() ctx: RequestContext): Promise<RoleType[]> {
    return named(await ctx.loaders.roles(), token.roleNames).map(toRoleType);
  }
}
