import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { parsePolicyDocument } from "../../engine";
import type { RequestContext } from "../context";
import { toPolicyType, toRoleType } from "../mappers";
import { toRuleType } from "../rule-view";
import { PolicyType } from "../types/policy.type";
import { RoleType } from "../types/role.type";
import { RuleType } from "../types/rule.type";

@Resolver(() => PolicyType)
export class PolicyResolver {
  @Query(() => PolicyType, { nullable: true })
  async policy(@Ctx() ctx: RequestContext, @Arg("name", () => String) name: string): Promise<PolicyType | null> {
    const p = (await ctx.loaders.policies()).get(name.toLowerCase());
    return p ? toPolicyType(p) : null;
  }

  @Query(() => [PolicyType])
  async policies(@Ctx() ctx: RequestContext): Promise<PolicyType[]> {
    return [...(await ctx.loaders.policies()).values()].map(toPolicyType);
  }

  @FieldResolver(() => [RuleType])
  rules(@Root() policy: PolicyType, @Ctx() ctx: RequestContext): RuleType[] {
    const types = ctx.services.runtime.engine().typeMap();
    return parsePolicyDocument(policy.document, types).rules.map((rule) => toRuleType(rule, types));
  }

  @FieldResolver(() => [RoleType])
  async roles(@Root() policy: PolicyType, @Ctx() ctx: RequestContext): Promise<RoleType[]> {
    const key = policy.name.toLowerCase();
    return [...(await ctx.loaders.roles()).values()]
      .filter((r) => r.policies.some((p) => p.toLowerCase() === key))
      .map(toRoleType);
  }
}
