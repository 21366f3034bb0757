// revokeSession: ends one login session. The guard (guard-table.ts) has decided
// who may call it; the write is the user service's, as for revokeSessions.
import { Arg, Ctx, ID, Mutation, Resolver } from "type-graphql";
import type { RequestContext } from "../context";
import { toSessionType } from "../mappers";
import { SessionType } from "../types/session.type";

@Resolver()
export class SessionMutationsResolver {
  @Mutation(() => SessionType, {
    description:
      "Ends one login session at once, on every instance and on open subscriptions; returns it. A session that has already ended is returned unchanged.",
  })
  async revokeSession(@Ctx() ctx: RequestContext, @Arg("id", () => ID) id: string): Promise<SessionType> {
    const principal = ctx.principal!;
    const session = await ctx.services.users.revokeSession(principal, id, ctx.requestId);
    return toSessionType(session, principal, new Date());
  }
}
