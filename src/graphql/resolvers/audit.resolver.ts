import { Arg, Ctx, Int, Query, Resolver } from "type-graphql";
import { toAuditChainReportType, toAuditEventPageType, toAuditFilter } from "../audit-mappers";
import type { RequestContext } from "../context";
import { AuditFilterInput } from "../types/audit.input";
import { AuditChainReportType, AuditEventPageType } from "../types/audit.type";

/** The guard has checked audit:read (and audited that decision) before these run. */
@Resolver()
export class AuditResolver {
  @Query(() => AuditEventPageType)
  async auditEvents(
    @Ctx() ctx: RequestContext,
    @Arg("filter", () => AuditFilterInput, { nullable: true }) filter?: AuditFilterInput | null,
    @Arg("first", () => Int, { nullable: true, defaultValue: 100 }) first: number = 100,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
  ): Promise<AuditEventPageType> {
    // An explicit `first: null` takes the default, as leaving it out does.
    const page = await ctx.services.auditTrail.search(toAuditFilter(filter), first ?? 100, after ?? null);
    return toAuditEventPageType(page);
  }

  @Query(() => AuditChainReportType, {
    description:
      "Checks the audit trail's numbering, hash chain and role index from the last verified checkpoint (the whole chain with `full: true`). At most once per request.",
  })
  async verifyAuditChain(
    @Ctx() ctx: RequestContext,
    @Arg("full", () => Boolean, {
      defaultValue: false,
      description: "Verify from the first event instead of from the last verified checkpoint.",
    })
    full: boolean,
  ): Promise<AuditChainReportType> {
    return toAuditChainReportType(await ctx.services.auditTrail.verify(full));
  }
}
