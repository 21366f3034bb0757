// requestAccess, reviewAccessRequest, cancelAccessRequest. The guard lets
// `requestAccess` and `cancelAccessRequest` through to the service, which
// decides per request and audits each decision itself; `reviewAccessRequest`
// also needs access_request:review (guard-table.ts).
import { Arg, Ctx, ID, Int, Mutation, Resolver } from "type-graphql";
import type { RequestContext } from "../context";
import { AccessRequestType } from "../types/access-request.type";
import { view } from "./access-request.resolver";

@Resolver()
export class AccessRequestMutationsResolver {
  @Mutation(() => AccessRequestType)
  async requestAccess(
    @Ctx() ctx: RequestContext,
    @Arg("roles", () => [String]) roles: string[],
    @Arg("reason", () => String) reason: string,
    @Arg("ttlSeconds", () => Int, { nullable: true }) ttlSeconds?: number | null,
    @Arg("scope", () => String, { nullable: true, defaultValue: "" }) scope?: string | null,
  ): Promise<AccessRequestType> {
    return view(
      ctx,
      await ctx.services.accessRequests.request(ctx.principal!, { roles, reason, ttlSeconds, scope }, ctx.requestId),
    );
  }

  @Mutation(() => AccessRequestType)
  async reviewAccessRequest(
    @Ctx() ctx: RequestContext,
    @Arg("id", () => ID) id: string,
    @Arg("approve", () => Boolean) approve: boolean,
    @Arg("comment", () => String, { nullable: true }) comment?: string | null,
  ): Promise<AccessRequestType> {
    return view(ctx, await ctx.services.accessRequests.review(ctx.principal!, id, approve, comment, ctx.requestId));
  }

  @Mutation(() => AccessRequestType, { description: "The requester cancels a PENDING request." })
  async cancelAccessRequest(@Ctx() ctx: RequestContext, @Arg("id", () => ID) id: string): Promise<AccessRequestType> {
    return view(ctx, await ctx.services.accessRequests.cancel(ctx.principal!, id, ctx.requestId));
  }
}
