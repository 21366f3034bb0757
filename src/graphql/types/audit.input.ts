import { Field, ID, InputType } from "type-graphql";
import { Effect } from "./enums";

@InputType("AuditFilter")
export class AuditFilterInput {
  @Field(() => ID, { nullable: true }) actorId?: string | null;
  @Field(() => String, { nullable: true }) actorEmail?: string | null;
  @Field(() => String, { nullable: true }) role?: string | null;
  @Field(() => Effect, { nullable: true }) decision?: Effect | null;
  @Field(() => String, { nullable: true }) operation?: string | null;
  @Field(() => String, { nullable: true }) resourceType?: string | null;
  @Field(() => String, { nullable: true }) resourceName?: string | null;
  @Field(() => Date, { nullable: true }) since?: Date | null;
  @Field(() => Date, { nullable: true }) until?: Date | null;
}
