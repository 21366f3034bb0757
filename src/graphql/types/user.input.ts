import { Field, InputType } from "type-graphql";
import { UserKind } from "./enums";

@InputType("CreateUserInput")
export class CreateUserInput {
  @Field(() => String) email: string;
  @Field(() => String, { nullable: true }) displayName?: string | null;
  @Field(() => UserKind, { nullable: true, defaultValue: UserKind.HUMAN }) kind?: UserKind | null;
  @Field(() => [String], { nullable: true, defaultValue: [] }) roles?: string[] | null;
  @Field(() => [String], {
    nullable: true,
    defaultValue: [],
    description: "Group names for a LOCAL user; SSO users get theirs from the identity provider at each login.",
  })
  groups?: string[] | null;
}
