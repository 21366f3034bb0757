import { Field, ID, InputType, Int } from "type-graphql";

@InputType("CreateTokenInput")
export class CreateTokenInput {
  @Field(() => String) name: string;
  @Field(() => ID, { nullable: true, description: "Defaults to the caller." }) userId?: string | null;
  @Field(() => [String], {
    nullable: true,
    defaultValue: [],
    description: "A subset of the owner's roles; empty means all of the owner's roles.",
  })
  roles: string[] | null;
  @Field(() => Int, { nullable: true }) ttlSeconds?: number | null;
  @Field(() => [String], { nullable: true, defaultValue: [] }) boundCidrs: string[] | null;
  @Field(() => Boolean, { nullable: true, defaultValue: false }) breakGlass: boolean | null;
}
