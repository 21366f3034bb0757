import { Field, ID, ObjectType } from "type-graphql";

@ObjectType("Token")
export class TokenType {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
  @Field(() => String, { description: "Prefix and last characters of the secret, never the secret." }) hint: string;
  @Field(() => [String]) boundCidrs: string[];
  @Field(() => Boolean) breakGlass: boolean;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date, { nullable: true }) expiresAt: Date | null;
  @Field(() => Date, { nullable: true }) lastUsedAt: Date | null;
  @Field(() => String, { nullable: true }) lastUsedIp: string | null;
  @Field(() => Date, { nullable: true }) revokedAt: Date | null;
  /** Not exposed: for the field resolvers. */
  ownerId: string;
  roleNames: string[];
  // owner, roles: field resolvers (token.resolver.ts)
}
