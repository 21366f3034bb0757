// grantRole, revokeGrant, setUserRoles. The guard has already checked
// the capability (guard-table.ts); the grant service validates, checks
// escalation and writes.
import { Arg, Ctx, ID, Mutation, Resolver } from "type-graphql";
import type { RequestContext } from "../context";
import { toGrantType } from "../mappers";
import { GrantInput } from "../types/grant.input";
import { GrantType } from "../types/grant.type";

@Resolver()
export class GrantMutationsResolver {
  @Mutation(() => GrantType)
  async grantRole(@Ctx() ctx: RequestContext, @Arg("input", () => GrantInput) input: GrantInput): Promise<GrantType> {
    return toGrantType(await ctx.services.grants.grantRole(ctx.principal!, input, ctx.requestId));
  }

  @Mutation(() => Boolean)
  revokeGrant(@Ctx() ctx: RequestContext, @Arg("id", () => ID) id: string): Promise<boolean> {
    return ctx.services.grants.revokeGrant(ctx.principal!, id, ctx.requestId);
  }

  @Mutation(() => [GrantType], { description: "Replaces the user's manual grants with one unscoped grant per role." })
  async setUserRoles(
    @Ctx() ctx: RequestContext,
    @Arg("userId", () => ID) userId: string,
    @Arg("roles", () => [String]) roles: string[],
  ): Promise<GrantType[]> {
    return (await ctx.services.grants.setUserRoles(ctx.principal!, userId, roles, ctx.requestId)).map(toGrantType);
  }
}
