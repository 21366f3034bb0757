import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import type { RequestContext } from "../context";
import { toPolicyType } from "../mappers";
import { PolicyType } from "../types/policy.type";

/** Policy writes; the guard has checked policy:create/update/delete, the service does the rest. */
@Resolver()
export class PolicyMutationsResolver {
  @Mutation(() => PolicyType, {
    description: "A policy from a YAML document (`kind: policy`; format in docs/documents.md).",
  })
  async createPolicy(@Ctx() ctx: RequestContext, @Arg("document", () => String) document: string): Promise<PolicyType> {
    return toPolicyType(await ctx.services.policies.create(ctx.principal!, document, ctx.requestId));
  }

  @Mutation(() => PolicyType)
  async updatePolicy(
    @Ctx() ctx: RequestContext,
    @Arg("name", () => String) name: string,
    @Arg("document", () => String) document: string,
  ): Promise<PolicyType> {
    return toPolicyType(await ctx.services.policies.update(ctx.principal!, name, document, ctx.requestId));
  }

  @Mutation(() => Boolean)
  deletePolicy(@Ctx() ctx: RequestContext, @Arg("name", () => String) name: string): Promise<boolean> {
    return ctx.services.policies.delete(ctx.principal!, name, ctx.requestId);
  }
}
