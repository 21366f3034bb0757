import { Field, ID, Int, ObjectType } from "type-graphql";

@ObjectType("Policy")
export class PolicyType {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => String, { nullable: true }) description: string | null;
  @Field(() => Int) version: number;
  @Field(() => Boolean) builtIn: boolean;
  @Field(() => String, {
    description: "The policy as a YAML document, in the format `createPolicy(document:)` accepts.",
  })
  document: string;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date) updatedAt: Date;
  // rules and roles: field resolvers (policy.resolver.ts)
}
