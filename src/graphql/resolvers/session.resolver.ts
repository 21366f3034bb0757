// sessions: a user's login sessions, as `tokens` lists their tokens. The guard
// (guard-table.ts) has decided who may call it before it runs.
import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import type { RequestContext } from "../context";
import { toSessionType } from "../mappers";
import { SessionType } from "../types/session.type";

@Resolver(() => SessionType)
export class SessionResolver {
  @Query(() => [SessionType], {
    description:
      "Login sessions of a user (the caller's own unless userId names another), oldest first. Ended ones (revoked or expired) only with includeEnded.",
  })
  async sessions(
    @Ctx() ctx: RequestContext,
    @Arg("userId", () => ID, { nullable: true }) userId?: string | null,
    @Arg("includeEnded", () => Boolean, { nullable: true, defaultValue: false }) includeEnded?: boolean | null,
  ): Promise<SessionType[]> {
    const principal = ctx.principal!;
    const sessions = await ctx.services.sessions.list(principal, userId ?? null, includeEnded === true);
    return sessions.map((s) => toSessionType(s, principal, new Date()));
  }
}
