import { Field, ObjectType } from "type-graphql";
import { Effect, Level } from "./enums";

@ObjectType("LabelSelector", { simpleResolvers: true })
export class LabelSelectorType {
  @Field(() => String) key: string;
  @Field(() => [String]) values: string[];
}

@ObjectType("Rule")
export class RuleType {
  @Field(() => Effect) effect: Effect;
  @Field(() => String) resourceType: string;
  @Field(() => String) namespace: string;
  @Field(() => String) name: string;
  @Field(() => [LabelSelectorType]) labels: LabelSelectorType[];
  @Field(() => [String], { description: "Capabilities after expanding `level` against the resource type registry." })
  capabilities: string[];
  @Field(() => Level, { nullable: true }) level: Level | null;
  @Field(() => Boolean) requireMfa: boolean;
  @Field(() => [String]) sourceCidrs: string[];
}
