// createToken, rotateToken, revokeToken, revokeUserTokens. The guard
// (guard-table.ts) has decided who may call each before it runs; validation,
// escalation checks and the write are the token service's.
import { Arg, Ctx, ID, Int, Mutation, Resolver } from "type-graphql";
import type { IssuedToken } from "../../domain/tokens/token-service";
import type { RequestContext } from "../context";
import { toTokenType } from "../mappers";
import { IssuedTokenType } from "../types/issued-token.type";
import { CreateTokenInput } from "../types/token.input";
import { TokenType } from "../types/token.type";

function toIssuedTokenType(issued: IssuedToken): IssuedTokenType {
  return Object.assign(new IssuedTokenType(), { token: toTokenType(issued.token), secret: issued.secret });
}

@Resolver()
export class TokenMutationsResolver {
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
}
