import { Field, InputType } from "type-graphql";

@InputType("SsoMappingInput")
export class SsoMappingInput {
  @Field(() => String) provider: string;
  @Field(() => String) group: string;
  @Field(() => String) role: string;
  @Field(() => String, { nullable: true, defaultValue: "" }) scope?: string | null;
}
