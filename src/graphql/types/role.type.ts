import { Field, ID, Int, ObjectType } from "type-graphql";

@ObjectType("Role")
export class RoleType {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => String, { nullable: true }) description: string | null;
  @Field(() => Boolean) builtIn: boolean;
  @Field(() => Boolean) superuser: boolean;
  @Field(() => Int, { nullable: true }) maxSessionTtlSeconds: number | null;
  @Field(() => Boolean) requireSessionMfa: boolean;
  @Field(() => Int) approvalsRequired: number;
  @Field(() => Int) denialsRequired: number;
  @Field(() => String) document: string;
  /** Not exposed: for the field resolvers. */
  policyNames: string[];
  inheritNames: string[];
  requestableNames: string[];
  reviewableNames: string[];
  // policies, inherits, requestableRoles, reviewableRoles: field resolvers (role.resolver.ts)
}
