import { Field, ObjectType } from "type-graphql";

@ObjectType("SsoMapping")
export class SsoMappingType {
  @Field(() => String) provider: string;
  @Field(() => String, { description: "Group name glob; '*' matches every user of the provider." }) group: string;
  @Field(() => String) scope: string;
  /** Not exposed: for the role field resolver. */
  roleName: string;
}
