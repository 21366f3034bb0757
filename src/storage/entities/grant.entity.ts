import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { id, timestamp } from "./columns";
import { RoleEntity } from "./role.entity";
import { UserEntity } from "./user.entity";

@Entity("grants")
@Index("IDX_grants_user", ["userId"])
@Index("IDX_grants_group", ["groupName"])
@Index("IDX_grants_role", ["roleId"])
@Index("IDX_grants_access_request", ["accessRequestId"])
export class GrantEntity {
  @PrimaryColumn(id()) id: string;
  /** USER or GROUP; exactly one of userId and groupName is set. */
  @Column({ type: "varchar", length: 8 }) subjectType: string;
  @Column({ type: "varchar", length: 36, nullable: true }) userId: string | null;
  @Column({ type: "varchar", length: 255, nullable: true }) groupName: string | null;
  @Column(id()) roleId: string;
  /** Namespace subtree; "" means everywhere. */
  @Column({ type: "varchar", length: 255, default: "" }) scope: string;
  @Column({ type: "boolean", default: true }) active: boolean;
  @Column(timestamp({ nullable: true })) startsAt: Date | null;
  @Column(timestamp({ nullable: true })) expiresAt: Date | null;
  @Column({ type: "text", nullable: true }) reason: string | null;
  /** MANUAL, SSO or ACCESS_REQUEST. */
  @Column({ type: "varchar", length: 16 }) source: string;
  /** For SSO grants: the provider whose mapping produced it. */
  @Column({ type: "varchar", length: 64, nullable: true }) ssoProvider: string | null;
  @Column({ type: "varchar", length: 36, nullable: true }) accessRequestId: string | null;
  @Column({ type: "varchar", length: 36, nullable: true }) createdById: string | null;
  @Column(timestamp()) createdAt: Date;

  @ManyToOne(() => UserEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id", foreignKeyConstraintName: "FK_grants_user" })
  user?: UserEntity;

  @ManyToOne(() => RoleEntity, { onDelete: "RESTRICT" })
  @JoinColumn({ name: "role_id", foreignKeyConstraintName: "FK_grants_role" })
  role?: RoleEntity;
}
