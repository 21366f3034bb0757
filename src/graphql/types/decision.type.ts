import { Field, ID, Int, ObjectType } from "type-graphql";
import { DecisionReason, Effect } from "./enums";
import { LabelSelectorType } from "./rule.type";

// simpleResolvers: graphql-js reads these fields off the object (no per-field wrapper); they have no
// field resolvers, middleware or field guard, and canMany and effectivePermissions return many of them.
@ObjectType("RuleRef", { simpleResolvers: true })
export class RuleRefType {
  @Field(() => String) policy: string;
  @Field(() => Int) ruleIndex: number;
  @Field(() => String, { nullable: true }) role: string | null;
  @Field(() => ID, { nullable: true }) grantId: string | null;
}

@ObjectType("CheckResult", { simpleResolvers: true })
export class CheckResultType {
  @Field(() => Boolean) allowed: boolean;
  @Field(() => DecisionReason) reason: DecisionReason;
  @Field(() => RuleRefType, {
    nullable: true,
    description: "The rule that decided: the deny that blocked, or the allow that admitted.",
  })
  decidedBy: RuleRefType | null;
  @Field(() => [String], { description: "Human-readable steps of the evaluation, most important first." })
  explanation: string[];
}

@ObjectType("Permission", { simpleResolvers: true })
export class PermissionType {
  @Field(() => Effect) effect: Effect;
  @Field(() => String) resourceType: string;
  @Field(() => String) namespace: string;
  @Field(() => String) name: string;
  @Field(() => [LabelSelectorType]) labels: LabelSelectorType[];
  @Field(() => [String]) capabilities: string[];
  @Field(() => Boolean) requireMfa: boolean;
  @Field(() => [String], { description: "Networks the permission is limited to; empty means anywhere." })
  sourceCidrs: string[];
  @Field(() => RuleRefType) via: RuleRefType;
  @Field(() => String, {
    description: "The namespace subtree of the grant that gives this permission; empty means everywhere.",
  })
  scope: string;
  @Field(() => Date, { nullable: true }) expiresAt: Date | null;
}
