import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { id, timestamp } from "./columns";
import { UserEntity } from "./user.entity";

@Entity("sessions")
@Index("IDX_sessions_user", ["userId"])
export class SessionEntity {
  @PrimaryColumn(id()) id: string;
  @Column(id()) userId: string;

  /** Hex SHA-256 of the secret; the secret itself is never stored. */
  @Index("UQ_sessions_secret_hash", { unique: true })
  @Column({ type: "varchar", length: 64 })
  secretHash: string;

  /** LOCAL, SAML, OIDC or LDAP. */
  @Column({ type: "varchar", length: 16 }) source: string;
  @Column({ type: "boolean", default: false }) mfa: boolean;
  /** Until when a TOTP step-up counts as MFA for this session. */
  @Column(timestamp({ nullable: true })) mfaVerifiedUntil: Date | null;
  @Column({ type: "varchar", length: 45, nullable: true }) sourceIp: string | null;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp()) expiresAt: Date;
  @Column(timestamp({ nullable: true })) lastSeenAt: Date | null;
  @Column(timestamp({ nullable: true })) revokedAt: Date | null;

  @ManyToOne(() => UserEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id", foreignKeyConstraintName: "FK_sessions_user" })
  user?: UserEntity;
}
