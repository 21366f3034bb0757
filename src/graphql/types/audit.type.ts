import { GraphQLJSON } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";
import { DecisionReason, Effect } from "./enums";

@ObjectType("AuditEvent")
export class AuditEventType {
  @Field(() => ID) id: string;
  @Field(() => Int) sequence: number;
  @Field(() => Date) time: Date;
  @Field(() => ID, { nullable: true }) actorId: string | null;
  @Field(() => String, { nullable: true }) actorEmail: string | null;
  @Field(() => [String]) actorRoles: string[];
  @Field(() => ID, { nullable: true }) tokenId: string | null;
  @Field(() => String, { nullable: true }) sourceIp: string | null;
  @Field(() => String) operation: string;
  @Field(() => String, { nullable: true }) action: string | null;
  @Field(() => String, { nullable: true }) resourceType: string | null;
  @Field(() => String, { nullable: true }) resourceNamespace: string | null;
  @Field(() => String, { nullable: true }) resourceName: string | null;
  @Field(() => ID, { nullable: true, description: "For checks asked about someone else: whom the decision was about." })
  subjectId: string | null;
  @Field(() => Effect) decision: Effect;
  @Field(() => DecisionReason) reason: DecisionReason;
  @Field(() => String, { nullable: true }) requestId: string | null;
  @Field(() => GraphQLJSON, { nullable: true }) metadata: Record<string, unknown> | null;
  @Field(() => String) prevHash: string;
  @Field(() => String) hash: string;
}

@ObjectType("AuditEventPage")
export class AuditEventPageType {
  @Field(() => [AuditEventType]) nodes: AuditEventType[];
  @Field(() => String, { nullable: true }) nextCursor: string | null;
}

@ObjectType("AuditChainReport")
export class AuditChainReportType {
  @Field(() => Boolean) ok: boolean;
  @Field(() => Int) checked: number;
  @Field(() => Int, { nullable: true }) firstBrokenSequence: number | null;
}
