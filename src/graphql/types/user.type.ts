import { Field, ID, ObjectType } from "type-graphql";
import { IdentitySource, UserKind, UserStatus } from "./enums";

@ObjectType("User")
export class UserType {
  @Field(() => ID) id: string;
  @Field(() => String) email: string;
  @Field(() => String, { nullable: true }) displayName: string | null;
  @Field(() => UserKind) kind: UserKind;
  @Field(() => UserStatus) status: UserStatus;
  @Field(() => IdentitySource) source: IdentitySource;
  @Field(() => [String]) groups: string[];
  @Field(() => Boolean) mfaEnrolled: boolean;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date, { nullable: true }) lastSeenAt: Date | null;
  // grants and tokens: field resolvers (user.resolver.ts)
}
