// accessRequests, requestAccess, reviewAccessRequest, cancelAccessRequest. The
// guard lets `accessRequests`, `requestAccess` and `cancelAccessRequest` through
// to the service, which decides per request and audits each decision itself;
// `reviewAccessRequest` also needs access_request:review (guard-table.ts).
// Only requests the caller may see are returned: their own, those they may
// review (with access_request:list), and the one they just reviewed.
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import type { AccessRequestRecord } from "../../domain/access-requests/access-request.model";
import type { RequestContext } from "../context";
import { named } from "../loaders";
import { toAccessRequestType, toGrantType, toRoleType, toUserType } from "../mappers";
import { AccessRequestType, AccessReviewType } from "../types/access-request.type";
import { AccessRequestStatus } from "../types/enums";
import { GrantType } from "../types/grant.type";
import { RoleType } from "../types/role.type";
import { UserType } from "../types/user.type";

const view = (ctx: RequestContext, r: AccessRequestRecord) =>
  toAccessRequestType(r, ctx.services.accessRequests.statusOf(r));

@Resolver(() => AccessRequestType)
export class AccessRequestResolver {
  @Query(() => [AccessRequestType])
  async accessRequests(
    @Ctx() ctx: RequestContext,
    @Arg("status", () => AccessRequestStatus, { nullable: true }) status?: AccessRequestStatus | null,
  ): Promise<AccessRequestType[]> {
    return (await ctx.services.accessRequests.list(ctx.principal!, status ?? null, ctx.requestId)).map((r) =>
      view(ctx, r),
    );
  }

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

  @FieldResolver(() => UserType)
  async requester(@Root() request: AccessRequestType, @Ctx() ctx: RequestContext): Promise<UserType> {
    const u = await ctx.loaders.user.load(request.requesterId);
    if (!u) throw new Error(`access request ${request.id} refers to a missing user`);
    return toUserType(u);
  }

  @FieldResolver(() => [RoleType])
  async roles(@Root() request: AccessRequestType, @Ctx() ctx: RequestContext): Promise<RoleType[]> {
    return named(await ctx.loaders.roles(), request.roleNames).map(toRoleType);
  }

  @FieldResolver(() => [GrantType], {
    description: "The grants its approval created, in any state (they stop counting at their expiresAt).",
  })
  async grants(@Root() request: AccessRequestType, @Ctx() ctx: RequestContext): Promise<GrantType[]> {
    return (await ctx.loaders.grantsByAccessRequest.load(request.id)).map(toGrantType);
  }
}

@Resolver(() => AccessReviewType)
export class AccessReviewResolver {
  @FieldResolver(() => UserType)
  async reviewer(@Root() review: AccessReviewType, @Ctx() ctx: RequestContext): Promise<UserType> {
    const u = await ctx.loaders.user.load(review.reviewerId);
    if (!u) throw new Error("an access review refers to a missing user");
    return toUserType(u);
  }
}
