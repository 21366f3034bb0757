import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import { badInput } from "../../domain/errors";
import type { RequestContext } from "../context";
import { toGrantType, toTokenType, toUserType } from "../mappers";
import { GrantType } from "../types/grant.type";
import { TokenType } from "../types/token.type";
import { UserType } from "../types/user.type";

export const MAX_PAGE = 500;

@Resolver(() => UserType)
export class UserResolver {
  @Query(() => UserType)
  me(@Ctx() ctx: RequestContext): UserType {
    return toUserType(ctx.principal!.user);
  }

  @Query(() => UserType, { nullable: true })
  async user(
    @Ctx() ctx: RequestContext,
    @Arg("id", () => ID, { nullable: true }) id?: string | null,
    @Arg("email", () => String, { nullable: true }) email?: string | null,
  ): Promise<UserType | null> {
    if ((id == null) === (email == null)) throw badInput("id", "give exactly one of id and email");
    const record = id != null ? await ctx.loaders.user.load(id) : await ctx.services.storage.users.getByEmail(email!);
    return record ? toUserType(record) : null;
  }

  @Query(() => [UserType], { description: "Paged by id: pass the last id of the previous page as `after`." })
  async users(
    @Ctx() ctx: RequestContext,
    @Arg("first", () => Int, { nullable: true, defaultValue: 100 }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
  ): Promise<UserType[]> {
    const size = first ?? 100;
    if (size < 1 || size > MAX_PAGE) throw badInput("first", `${size} is out of range (1-${MAX_PAGE})`);
    const records = await ctx.services.storage.users.list(size, after ?? undefined);
    for (const r of records) ctx.loaders.user.prime(r.id, r);
    return records.map(toUserType);
  }

  @FieldResolver(() => [GrantType])
  async grants(@Root() user: UserType, @Ctx() ctx: RequestContext): Promise<GrantType[]> {
    return (await ctx.loaders.grantsByUser.load(user.id)).map(toGrantType);
  }

  @FieldResolver(() => [TokenType])
  async tokens(@Root() user: UserType, @Ctx() ctx: RequestContext): Promise<TokenType[]> {
    return (await ctx.loaders.tokensByOwner.load(user.id)).map(toTokenType);
  }
}
