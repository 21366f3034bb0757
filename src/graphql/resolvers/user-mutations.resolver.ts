// createUser, lockUser, unlockUser, revokeSessions, deprovisionUser, reactivateUser. The guard
// has already checked the capability (guard-table.ts); the user service
// validates, checks escalation and writes.
import { Arg, Ctx, ID, Int, Mutation, Resolver } from "type-graphql";
import type { UserRecord } from "../../domain/model";
import type { RequestContext } from "../context";
import { toUserType } from "../mappers";
import { CreateUserInput } from "../types/user.input";
import { UserType } from "../types/user.type";

/** The loader may hold the user as it was before the change (the guard read it for its name). */
function fresh(ctx: RequestContext, user: UserRecord): UserType {
  ctx.loaders.user.clear(user.id).prime(user.id, user);
  ctx.loaders.grantsByUser.clear(user.id);
  ctx.loaders.tokensByOwner.clear(user.id);
  return toUserType(user);
}

@Resolver()
export class UserMutationsResolver {
  @Mutation(() => UserType)
  async createUser(
    @Ctx() ctx: RequestContext,
    @Arg("input", () => CreateUserInput) input: CreateUserInput,
  ): Promise<UserType> {
    return fresh(ctx, await ctx.services.users.createUser(ctx.principal!, input, ctx.requestId));
  }

  @Mutation(() => UserType)
  async lockUser(
    @Ctx() ctx: RequestContext,
    @Arg("id", () => ID) id: string,
    @Arg("reason", () => String, { nullable: true }) reason?: string | null,
  ): Promise<UserType> {
    return fresh(ctx, await ctx.services.users.lockUser(ctx.principal!, id, reason, ctx.requestId));
  }

  @Mutation(() => UserType)
  async unlockUser(@Ctx() ctx: RequestContext, @Arg("id", () => ID) id: string): Promise<UserType> {
    return fresh(ctx, await ctx.services.users.unlockUser(ctx.principal!, id, ctx.requestId));
  }

  @Mutation(() => UserType, {
    description:
      "Makes a DEPROVISIONED user ACTIVE again, without grants or credentials: an administrator's decision, which SCIM cannot make.",
  })
  async reactivateUser(@Ctx() ctx: RequestContext, @Arg("id", () => ID) id: string): Promise<UserType> {
    return fresh(ctx, await ctx.services.users.reactivateUser(ctx.principal!, id, ctx.requestId));
  }

  @Mutation(() => Int, { description: "Ends every session of the user; returns how many were ended." })
  revokeSessions(@Ctx() ctx: RequestContext, @Arg("userId", () => ID) userId: string): Promise<number> {
    return ctx.services.users.revokeSessions(ctx.principal!, userId, ctx.requestId);
  }

  @Mutation(() => UserType, { description: "Locks the user, revokes every token, session and grant." })
  async deprovisionUser(@Ctx() ctx: RequestContext, @Arg("id", () => ID) id: string): Promise<UserType> {
    return fresh(ctx, await ctx.services.users.deprovisionUser(ctx.principal!, id, ctx.requestId));
  }
}
