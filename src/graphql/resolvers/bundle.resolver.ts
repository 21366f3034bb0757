// The replay of a bundle's plan (BundlePlan.replay). It reads the audit trail,
// so it needs audit:read, decided and audited like a root field.
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { auditedSystemCheck } from "../../domain/decisions/audited-system-check";
import { DomainError } from "../../domain/errors";
import { refusalCode } from "../../domain/decisions/refusal-code";
import type { RequestContext } from "../context";
import { toReplayReportType } from "../bundle-mappers";
import { BundlePlanType, ReplayReportType } from "../types/bundle.type";

@Resolver(() => BundlePlanType)
export class BundleResolver {
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
