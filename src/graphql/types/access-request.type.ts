import { Field, ID, Int, ObjectType } from "type-graphql";
import { AccessRequestStatus } from "./enums";

@ObjectType("AccessReview")
export class AccessReviewType {
  @Field(() => Boolean) approve: boolean;
  @Field(() => String, { nullable: true }) comment: string | null;
  @Field(() => Date) createdAt: Date;
  /** Not exposed: for the field resolver. */
  reviewerId: string;
  // reviewer: field resolver (access-request.resolver.ts)
}

@ObjectType("AccessRequest")
export class AccessRequestType {
  @Field(() => ID) id: string;
  @Field(() => String) reason: string;
  @Field(() => String, { description: "Namespace subtree the requested grants apply to; empty means everywhere." })
  scope: string;
  @Field(() => AccessRequestStatus, { description: "A PENDING request past its deadline reads EXPIRED." })
  status: AccessRequestStatus;
  @Field(() => Int, { description: "How long the access lasts once approved." }) ttlSeconds: number;
  @Field(() => [AccessReviewType], { description: "Oldest first." }) reviews: AccessReviewType[];
  @Field(() => Date) createdAt: Date;
  @Field(() => Date, {
    nullable: true,
    description: "While PENDING: when the request expires undecided. APPROVED: when the access it granted ends.",
  })
  expiresAt: Date | null;
  @Field(() => Date, { nullable: true, description: "When it was approved, denied or cancelled." })
  decidedAt: Date | null;
  @Field(() => Int, { description: "Approvals that decide the request." }) approvalsRequired: number;
  @Field(() => Int, { description: "Denials that decide the request." }) denialsRequired: number;
  /** Not exposed: for the field resolvers. */
  requesterId: string;
  roleNames: string[];
  // requester, roles, grants: field resolvers (access-request.resolver.ts)
}
