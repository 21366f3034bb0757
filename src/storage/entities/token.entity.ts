import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { id, jsonText, timestamp } from "./columns";
import { UserEntity } from "./user.entity";

@Entity("tokens")
@Index("IDX_tokens_owner", ["ownerId"])
export class TokenEntity {
  @PrimaryColumn(id()) id: string;
  @Column({ type: "varchar", length: 128 }) name: string;
  @Column(id()) ownerId: string;

  /** Hex SHA-256 of the secret; the secret itself is never stored. */
  @Index("UQ_tokens_secret_hash", { unique: true })
  @Column({ type: "varchar", length: 64 })
  secretHash: string;

  @Column({ type: "varchar", length: 16 }) hint: string;
  /** Role names, a subset of the owner's; empty means all of the owner's roles. */
  @Column(jsonText()) roles: string[];
  @Column(jsonText()) boundCidrs: string[];
  @Column({ type: "boolean", default: false }) breakGlass: boolean;
  @Column({ type: "int", nullable: true }) ttlSeconds: number | null;
  @Column({ type: "varchar", length: 36, nullable: true }) createdById: string | null;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp({ nullable: true })) expiresAt: Date | null;
  @Column(timestamp({ nullable: true })) lastUsedAt: Date | null;
  @Column({ type: "varchar", length: 45, nullable: true }) lastUsedIp: string | null;
  @Column(timestamp({ nullable: true })) revokedAt: Date | null;

  @ManyToOne(() => UserEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "owner_id", foreignKeyConstraintName: "FK_tokens_owner" })
  owner?: UserEntity;
}
