import { Field, ID, InputType } from "type-graphql";

@InputType("LabelInput")
export class LabelInput {
  @Field(() => String) key: string;
  @Field(() => String) value: string;
}

@InputType("ResourceInput")
export class ResourceInput {
  @Field(() => String) type: string;
  @Field(() => String, { nullable: true, defaultValue: "" }) namespace: string | null;
  @Field(() => String, { nullable: true, defaultValue: "" }) name: string | null;
  @Field(() => [LabelInput], { nullable: true, defaultValue: [] }) labels: LabelInput[] | null;
}

@InputType("SubjectInput", { description: "Whom to evaluate. Leave out to evaluate the caller." })
export class SubjectInput {
  @Field(() => ID, { nullable: true }) userId?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => ID, { nullable: true }) tokenId?: string | null;
}

@InputType("CheckContextInput", { description: "Facts about the request being decided, for conditions." })
export class CheckContextInput {
  @Field(() => String, { nullable: true }) sourceIp?: string | null;
  @Field(() => Boolean, { nullable: true }) mfa?: boolean | null;
}

@InputType("CheckInput")
export class CheckInput {
  @Field(() => String) action: string;
  @Field(() => ResourceInput) resource: ResourceInput;
}
