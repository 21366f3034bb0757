import { Arg, Ctx, Query, Resolver } from "type-graphql";
import { toContext, toResource } from "../../domain/decisions/decision-input";
import { badInput } from "../../domain/errors";
import type { RequestContext } from "../context";
import { toCheckResult, toPermissionType } from "../decision-mappers";
import { toUserType } from "../mappers";
import { CheckContextInput, CheckInput, ResourceInput, SubjectInput } from "../types/decision.input";
import { CheckResultType, PermissionType } from "../types/decision.type";
import { UserType } from "../types/user.type";

export const MAX_CHECKS = 1000;

@Resolver()
export class DecisionResolver {
  @Query(() => CheckResultType)
  async can(
    @Ctx() ctx: RequestContext,
    @Arg("action", () => String) action: string,
    @Arg("resource", () => ResourceInput) resource: ResourceInput,
    @Arg("subject", () => SubjectInput, { nullable: true }) subject?: SubjectInput | null,
    @Arg("context", () => CheckContextInput, { nullable: true }) context?: CheckContextInput | null,
  ): Promise<CheckResultType> {
    const service = ctx.services.decisions;
    const caller = ctx.principal!;
    const checks = [{ action, resource: toResource(resource, "resource") }];
    const who = await service.subject(caller, subject);
    const facts = service.contextFor(caller, who, context ? toContext(context) : null);
    const [decision] = await service.check(caller, who, checks, facts, ctx.requestId);
    return toCheckResult(decision);
  }

  @Query(() => [CheckResultType])
  async canMany(
    @Ctx() ctx: RequestContext,
    @Arg("checks", () => [CheckInput]) checks: CheckInput[],
    @Arg("subject", () => SubjectInput, { nullable: true }) subject?: SubjectInput | null,
    @Arg("context", () => CheckContextInput, { nullable: true }) context?: CheckContextInput | null,
  ): Promise<CheckResultType[]> {
    if (checks.length > MAX_CHECKS)
      throw badInput("checks", `${checks.length} checks in one call; at most ${MAX_CHECKS}`);
    const service = ctx.services.decisions;
    const caller = ctx.principal!;
    const parsed = checks.map((c, i) => ({
      action: c.action,
      resource: toResource(c.resource, `checks[${i}].resource`),
    }));
    const who = await service.subject(caller, subject);
    const facts = service.contextFor(caller, who, context ? toContext(context) : null);
    return (await service.check(caller, who, parsed, facts, ctx.requestId)).map(toCheckResult);
  }

  @Query(() => [PermissionType])
  async effectivePermissions(
    @Ctx() ctx: RequestContext,
    @Arg("subject", () => SubjectInput, { nullable: true }) subject?: SubjectInput | null,
    @Arg("resourceType", () => String, { nullable: true }) resourceType?: string | null,
    @Arg("namespace", () => String, { nullable: true }) namespace?: string | null,
  ): Promise<PermissionType[]> {
    const service = ctx.services.decisions;
    const who = await service.subject(ctx.principal!, subject);
    return service
      .effectivePermissions(who, { resourceType: resourceType ?? null, namespace: namespace ?? null })
      .map(toPermissionType);
  }

  @Query(() => [UserType])
  async whoCan(
    @Ctx() ctx: RequestContext,
    @Arg("action", () => String) action: string,
    @Arg("resource", () => ResourceInput) resource: ResourceInput,
    @Arg("context", () => CheckContextInput, { nullable: true }) context?: CheckContextInput | null,
  ): Promise<UserType[]> {
    const ids = ctx.services.decisions.whoCan(action, toResource(resource, "resource"), toContext(context));
    const users = await ctx.loaders.user.loadMany(ids);
    return users.flatMap((u) => (u && !(u instanceof Error) ? [toUserType(u)] : []));
  }
}
