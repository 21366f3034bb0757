// applyBundle and the plan's replay. The guard table has applyBundle as a
// "resolver" entry: the bundle service decides and audits the capability of
// each object (guard-table.ts, bundle-service.ts). The replay reads the audit
// trail, so it needs audit:read, decided and audited like a root field.
import { Arg, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from "type-graphql";
import { auditedSystemCheck } from "../../domain/decisions/audited-system-check";
import { DomainError } from "../../domain/errors";
import { refusalCode } from "../../domain/decisions/refusal-code";
import type { RequestContext } from "../context";
import { toBundlePlanType, toReplayReportType } from "../bundle-mappers";
import { BundlePlanType, ReplayReportType } from "../types/bundle.type";

@Resolver(() => BundlePlanType)
export class BundleResolver {
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

  @FieldResolver(() => ReplayReportType, {
    description:
      "Every check and guard decision of the audit trail within the window, decided again under the bundle's state (needs audit:read).",
  })
  async replay(
    @Root() plan: BundlePlanType,
    @Ctx() ctx: RequestContext,
    @Arg("replayDays", () => Int, { defaultValue: 30 }) replayDays: number,
  ): Promise<ReplayReportType> {
    if (!Number.isInteger(replayDays) || replayDays < 1 || replayDays > 366) {
      throw new DomainError("BAD_USER_INPUT", `replayDays: ${replayDays} is not a number of days from 1 to 366`, {
        field: "replayDays",
      });
    }
    const principal = ctx.principal!;
    const decision = await auditedSystemCheck(ctx.services, principal, {
      operation: "BundlePlan.replay",
      capability: "audit:read",
      name: "",
      requestId: ctx.requestId,
    });
    if (!decision.allowed) {
      throw new DomainError(refusalCode(decision.reason), `BundlePlan.replay needs audit:read (${decision.reason})`, {
        reason: decision.reason,
        capability: "audit:read",
      });
    }
    return toReplayReportType(await ctx.services.replay.replay(plan.after, replayDays));
  }
}
