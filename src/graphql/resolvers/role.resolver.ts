import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../context";
import { named } from "../loaders";
import { toPolicyType, toRoleType } from "../mappers";
import { PolicyType } from "../types/policy.type";
import { RoleType } from "../types/role.type";

async function rolesNamed(ctx: RequestContext, names: string[]): Promise<RoleType[]> {
  return named(await ctx.loaders.roles(), names).map(toRoleType);
}

@Resolver(() => RoleType)
export class RoleResolver {
  @Query(() => RoleType, { nullable: true })
  async role(@Ctx() ctx: RequestContext, @Arg("name", () => String) name: string): Promise<RoleType | null> {
    const r = (await ctx.loaders.roles()).get(name.toLowerCase());
    return r ? toRoleType(r) : null;
  }

  @Query(() => [RoleType])
  async roles(@Ctx() ctx: RequestContext): Promise<RoleType[]> {
    return [...(await ctx.loaders.roles()).values()].map(toRoleType);
  }

  @FieldResolver(() => [PolicyType])
  async policies(@Root() role: RoleType, @Ctx() ctx: RequestContext): Promise<PolicyType[]> {
    return named(await ctx.loaders.policies(), role.policyNames).map(toPolicyType);
  }

  @FieldResolver(() => [RoleType])
  inherits(@Root() role: RoleType, @Ctx() ctx: RequestContext): Promise<RoleType[]> {
    return rolesNamed(ctx, role.inheritNames);
  }

  @FieldResolver(() => [RoleType], {
    description: "Roles that holders of this role may ask for through an access request.",
  })
  requestableRoles(@Root() role: RoleType, @Ctx() ctx: RequestContext): Promise<RoleType[]> {
    return rolesNamed(ctx, role.requestableNames);
  }

  @FieldResolver(() => [RoleType], { description: "Roles whose access requests holders of this role may review." })
  reviewableRoles(@Root() role: RoleType, @Ctx() ctx: RequestContext): Promise<RoleType[]> {
    return rolesNamed(ctx, role.reviewableNames);
  }
}
