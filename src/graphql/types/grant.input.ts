import { Field, ID, InputType } from "type-graphql";

@InputType("GrantInput")
export class GrantInput {
  @Field(() => ID, { nullable: true }) userId?: string | null;
  @Field(() => String, { nullable: true }) group?: string | null;
  @Field(() => String) role: string;
  @Field(() => String, { nullable: true, defaultValue: "" }) scope?: string | null;
  @Field(() => Date, { nullable: true }) startsAt?: Date | null;
  @Field(() => Date, { nullable: true }) expiresAt?: Date | null;
  @Field(() => String, { nullable: true }) reason?: string | null;
}
