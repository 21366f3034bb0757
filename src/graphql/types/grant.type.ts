import { Field, ID, ObjectType } from "type-graphql";
import { GrantSource, SubjectType } from "./enums";

@ObjectType("Grant")
export class GrantType {
  @Field(() => ID) id: string;
  @Field(() => SubjectType) subjectType: SubjectType;
  @Field(() => String, { nullable: true }) group: string | null;
  @Field(() => String, { description: "Namespace subtree the grant applies to; empty means everywhere." })
  scope: string;
  @Field(() => Boolean) active: boolean;
  @Field(() => Date, { nullable: true }) startsAt: Date | null;
  @Field(() => Date, { nullable: true }) expiresAt: Date | null;
  @Field(() => String, { nullable: true }) reason: string | null;
  @Field(() => GrantSource) source: GrantSource;
  @Field(() => Date) createdAt: Date;
  /** Not exposed: for the field resolvers. */
  userId: string | null;
  roleName: string;
  createdById: string | null;
  // user, role, createdBy: field resolvers (grant.resolver.ts)
}
