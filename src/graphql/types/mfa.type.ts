import { Field, ObjectType } from "type-graphql";

@ObjectType("TotpEnrollment")
export class TotpEnrollmentType {
  @Field(() => String, { description: "otpauth://totp/… for an authenticator app (shown once: it carries the seed)." })
  otpauthUri: string;
}

@ObjectType("MfaVerification")
export class MfaVerificationType {
  @Field(() => Date, {
    nullable: true,
    description: "Until when this session counts as MFA; null when the code only confirmed a new enrolment.",
  })
  verifiedUntil: Date | null;
  @Field(() => Boolean, { description: "Whether this code confirmed a new enrolment (mfaEnrolled is now true)." })
  confirmed: boolean;
}
