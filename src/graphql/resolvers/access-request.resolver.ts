// accessRequests and the fields of AccessRequest and AccessReview. The guard
// lets `accessRequests` through to the service, which decides per request and
// audits each decision itself (guard-table.ts). Only requests the caller may
// see are returned: their own and those they may review (with
// access_request:list).
import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import type { AccessRequestRecord } from "../../domain/access-requests/access-request.model";
import type { RequestContext } from "../context";
import { named } from "../loaders";
import { toAccessRequestType, toGrantType, toRoleType, toUserType } from "../mappers";
import { AccessRequestType, AccessReviewType } from "../types/access-request.type";
import { AccessRequestStatus } from "../types/enums";
import { GrantType } from "../types/grant.type";
import { RoleType } from "../types/role.type";
import { UserType } from "../types/user.type";

/** An access request as the API shows it, with its status as of now. */
export const view = (ctx: RequestContext, r: AccessRequestRecord) =>
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
