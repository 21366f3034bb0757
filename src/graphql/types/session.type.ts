import { Field, ID, ObjectType, registerEnumType } from "type-graphql";

export enum SessionSource {
  LOCAL = "LOCAL",
  SAML = "SAML",
  OIDC = "OIDC",
  LDAP = "LDAP",
}
registerEnumType(SessionSource, { name: "SessionSource", description: "How a login session was made." });

@ObjectType("Session", {
  description: "A login session (pts_): what an SSO or LDAP login issued. Never its secret, which is not stored.",
})
export class SessionType {
  @Field(() => ID) id: string;
  @Field(() => SessionSource) source: SessionSource;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date, { description: "When the session stops working unless ended before." }) expiresAt: Date;
  @Field(() => Date, {
    nullable: true,
    description:
      "When the session was last used, to the minute (written at most once a minute, in the background); null before then.",
  })
  lastUsedAt: Date | null;
  @Field(() => Date, {
    nullable: true,
    description: "When the session was ended (logout, revokeSession, revokeSessions, a lock); null while it is not.",
  })
  revokedAt: Date | null;
  @Field(() => Boolean, {
    description:
      "Whether the session counts as multi-factor now: its login used MFA, or a TOTP step-up is still valid.",
  })
  mfa: boolean;
  @Field(() => Date, {
    nullable: true,
    description: "Until when a TOTP step-up keeps this session multi-factor; null without one.",
  })
  mfaVerifiedUntil: Date | null;
  @Field(() => String, { nullable: true, description: "The address the login came from, when it was known." })
  sourceIp: string | null;
  @Field(() => Boolean, { description: "Whether this is the session the request was authenticated with." })
  current: boolean;
}
