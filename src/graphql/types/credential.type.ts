import { Field, ID, ObjectType, registerEnumType } from "type-graphql";

export enum CredentialKind {
  TOKEN = "TOKEN",
  SESSION = "SESSION",
}
registerEnumType(CredentialKind, {
  name: "CredentialKind",
  description: "A bearer token (ptc_) or a login session (pts_).",
});

@ObjectType("CurrentCredential", {
  description: "The credential the caller authenticated this request with, as the server sees it now.",
})
export class CurrentCredentialType {
  @Field(() => CredentialKind) kind: CredentialKind;
  @Field(() => ID, { description: "The token's or the session's id (never its secret)." }) id: string;
  @Field(() => Date, {
    nullable: true,
    description: "When the credential stops working; null for a token without expiry.",
  })
  expiresAt: Date | null;
  @Field(() => Boolean, {
    description:
      "Whether this request counts as multi-factor: the session's login used MFA, or a TOTP step-up is still valid. Tokens: false.",
  })
  mfa: boolean;
  @Field(() => Date, {
    nullable: true,
    description: "Until when a TOTP step-up keeps this session multi-factor; null without one.",
  })
  mfaVerifiedUntil: Date | null;
  @Field(() => String, {
    nullable: true,
    description: "How the session was made (LOCAL, SAML, OIDC); null for a token.",
  })
  sessionSource: string | null;
  @Field(() => Boolean, { description: "Whether this is a break-glass token (every use audited)." })
  breakGlass: boolean;
}
