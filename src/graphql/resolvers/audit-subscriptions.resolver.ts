import { Arg, Root, Subscription, Resolver } from "type-graphql";
import type { AuditEventRecord } from "../../domain/audit/audit-event";
import { DomainError } from "../../domain/errors";
import { toAuditEventType, toAuditFilter } from "../audit-mappers";
import type { RequestContext } from "../context";
import { AuditFilterInput } from "../types/audit.input";
import { AuditEventType } from "../types/audit.type";

interface FeedArgs {
  filter?: AuditFilterInput | null;
  resumeAfter?: string | null;
}

/**
 * graphql-shield does not guard `subscribe`: the feed checks audit:read itself
 * when it starts (audited) and before each event (not audited).
 */
@Resolver()
export class AuditSubscriptionsResolver {
  @Subscription(() => AuditEventType, {
    description: "Live audit events matching the filter, e.g. { decision: DENY }.",
    subscribe: ({ args, context }) => openFeed(args as FeedArgs, context as RequestContext),
  })
  auditEvents(
    @Root() event: AuditEventRecord,
    @Arg("filter", () => AuditFilterInput, { nullable: true }) _filter?: AuditFilterInput | null,
    @Arg("resumeAfter", () => String, {
      nullable: true,
      description: "Replays the events after this sequence number (as a decimal string) before going live.",
    })
    _resumeAfter?: string | null,
  ): AuditEventType {
    return toAuditEventType(event);
  }
}

async function openFeed(args: FeedArgs, ctx: RequestContext): Promise<AsyncIterable<AuditEventRecord>> {
  const subscriber = ctx.subscriber;
  if (ctx.principal === null || !subscriber)
    throw new DomainError(
      "UNAUTHENTICATED",
      'subscribe over graphql-ws with connectionParams { authorization: "Bearer <token>" }',
    );
  return ctx.services.auditFeed.open({
    principal: ctx.principal,
    filter: toAuditFilter(args.filter),
    resumeAfter: args.resumeAfter ?? null,
    requestId: ctx.requestId,
    onEnd: (why) => subscriber.close(why),
  });
}
