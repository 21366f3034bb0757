import { Field, ObjectType } from "type-graphql";
import { TokenType } from "./token.type";

@ObjectType("IssuedToken", {
  description: "Returned once, when a token is created or rotated. The secret is never shown again.",
})
export class IssuedTokenType {
  @Field(() => TokenType) token: TokenType;
  @Field(() => String) secret: string;
}
