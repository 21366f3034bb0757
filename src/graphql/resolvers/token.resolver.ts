import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { IssuedToken } from "../../domain/tokens/token-service";
import type { RequestContext } from "../context";
import { named } from "../loaders";
import { toRoleType, toTokenType, toUserType } from "../mappers";
import { IssuedTokenType } from "../types/issued-token.type";
import { RoleType } from "../types/role.type";
import { CreateTokenInput } from "../types/token.input";
import { TokenType } from "../types/token.type";
import { UserType } from "../types/user.type";

function toIssuedTokenType(issued: IssuedToken): IssuedTokenType {
  return Object.assign(new IssuedTokenType(), { token: toTokenType(issued.token), secret: issued.secret });
}

// The guard (guard-table.ts) has decided who may call each root field before it
// runs; validation, escalation checks and the write are the service's.
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

  @Mutation(() => IssuedTokenType)
  async createToken(
    @Ctx() ctx: RequestContext,
    @Arg("input", () => CreateTokenInput) input: CreateTokenInput,
  ): Promise<IssuedTokenType> {
    return toIssuedTokenType(await ctx.services.tokens.create(ctx.principal!, input, ctx.requestId));
  }

  @Mutation(() => IssuedTokenType)
  async rotateToken(@Ctx() ctx: RequestContext, @Arg("id", () => ID) id: string): Promise<IssuedTokenType> {
    return toIssuedTokenType(await ctx.services.tokens.rotate(ctx.principal!, id, ctx.requestId));
  }

  @Mutation(() => TokenType)
  async revokeToken(@Ctx() ctx: RequestContext, @Arg("id", () => ID) id: string): Promise<TokenType> {
    return toTokenType(await ctx.services.tokens.revoke(ctx.principal!, id, ctx.requestId));
  }

  @Mutation(() => Int, { description: "Revokes every token the user owns; returns how many." })
  async revokeUserTokens(@Ctx() ctx: RequestContext, @Arg("userId", () => ID) userId: string): Promise<number> {
    return ctx.services.tokens.revokeUserTokens(ctx.principal!, userId, ctx.requestId);
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
