import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { id, jsonText, timestamp } from "./columns";

// Serves SSO logins (external id, then provider) and SCIM's externalId lookups (external id alone).
@Entity("users")
@Index("IDX_users_external_id_provider", ["externalId", "externalProvider"])
export class UserEntity {
  @PrimaryColumn(id()) id: string;

  /** Stored lower-cased: emails are unique ignoring case. */
  @Index("UQ_users_email", { unique: true })
  @Column({ type: "varchar", length: 320 })
  email: string;

  @Column({ type: "varchar", length: 255, nullable: true }) displayName: string | null;
  @Column({ type: "varchar", length: 16 }) kind: string;
  @Column({ type: "varchar", length: 16 }) status: string;
  @Column({ type: "varchar", length: 16 }) source: string;

  /** The identity provider's id for the user (SAML NameID, OIDC sub, SCIM externalId). */
  @Column({ type: "varchar", length: 255, nullable: true })
  externalId: string | null;

  /** The SSO provider `externalId` belongs to; null for rows from before it was recorded. */
  @Column({ type: "varchar", length: 64, nullable: true })
  externalProvider: string | null;

  @Column(jsonText()) groups: string[];
  @Column({ type: "boolean", default: false }) mfaEnrolled: boolean;

  // TOTP state (read and written only through the TOTP repository, never part of
  // a UserRecord): the seed encrypted with AES-256-GCM, the last time step
  // accepted (a code is good once), and the throttle on wrong codes.
  @Column({ type: "varchar", length: 255, nullable: true }) totpSecret: string | null;
  @Column({ type: "int", nullable: true }) totpLastStep: number | null;
  @Column({ type: "int", default: 0 }) totpFailures: number;
  @Column(timestamp({ nullable: true })) totpBlockedUntil: Date | null;
  @Column({ type: "varchar", length: 255, nullable: true }) lockedReason: string | null;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp({ nullable: true })) lastSeenAt: Date | null;
  /** Set when the identity provider deleted the user over SCIM; the row stays for the audit trail. */
  @Column(timestamp({ nullable: true })) removedAt: Date | null;
}
