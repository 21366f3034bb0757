// applyBundle. The guard table has it as a "resolver" entry: the bundle
// service decides and audits the capability of each object (guard-table.ts,
// bundle-service.ts).
import { Arg, Ctx, Int, Mutation, Resolver } from "type-graphql";
import type { RequestContext } from "../context";
import { toBundlePlanType } from "../bundle-mappers";
import { BundlePlanType } from "../types/bundle.type";

@Resolver()
export class BundleMutationsResolver {
  @Mutation(() => BundlePlanType, {
    description: "Applies a multi-document YAML bundle of policies, roles and SSO mappings; dryRun only plans.",
  })
  async applyBundle(
    @Ctx() ctx: RequestContext,
    @Arg("document", () => String) document: string,
    @Arg("dryRun", () => Boolean, {
      defaultValue: true,
      nullable: true,
      description: "true (the default): plan only; false: apply, all or nothing.",
    })
    dryRun: boolean | null,
    @Arg("expectedVersion", () => Int, {
      nullable: true,
      description: "Refused with CONFLICT unless the policy state is still at this version (the plan's `version`).",
    })
    expectedVersion?: number | null,
    @Arg("prune", () => [String], {
      nullable: true,
      description: "Kinds to prune (policy, role) besides those the bundle declares.",
    })
    prune?: string[] | null,
  ): Promise<BundlePlanType> {
    const plan = await ctx.services.bundles.apply(
      ctx.principal!,
      { document, dryRun: dryRun !== false, expectedVersion: expectedVersion ?? null, prune: prune ?? [] },
      ctx.requestId,
    );
    return toBundlePlanType(plan);
  }
}
