import { Field, ObjectType } from "type-graphql";
import { Level } from "./enums";

@ObjectType("CapabilityLevel")
export class CapabilityLevelType {
  @Field(() => String) capability: string;
  @Field(() => Level) level: Level;
}

@ObjectType("ResourceType")
export class ResourceTypeType {
  @Field(() => String) name: string;
  @Field(() => [CapabilityLevelType], { description: "Each capability with the lowest level that includes it." })
  capabilities: CapabilityLevelType[];
}
