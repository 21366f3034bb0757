import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { id, timestamp } from "./columns";
import { RoleEntity } from "./role.entity";
import { UserEntity } from "./user.entity";

@Entity("access_requests")
@Index("IDX_access_requests_requester", ["requesterId", "createdAt"])
@Index("IDX_access_requests_status", ["status", "createdAt"])
export class AccessRequestEntity {
  @PrimaryColumn(id()) id: string;
  @Column(id()) requesterId: string;
  @Column({ type: "text" }) reason: string;
  @Column({ type: "varchar", length: 255, default: "" }) scope: string;
  /** PENDING, APPROVED, DENIED, EXPIRED or CANCELLED. */
  @Column({ type: "varchar", length: 16 }) status: string;
  @Column({ type: "int" }) ttlSeconds: number;
  /** Approvals and denials that decide the request, fixed when it is made. */
  @Column({ type: "int", default: 1 }) approvalsRequired: number;
  @Column({ type: "int", default: 1 }) denialsRequired: number;
  @Column(timestamp()) createdAt: Date;
  /** When a pending request lapses, or when the access it granted ends. */
  @Column(timestamp({ nullable: true })) expiresAt: Date | null;
  @Column(timestamp({ nullable: true })) decidedAt: Date | null;

  @ManyToOne(() => UserEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "requester_id", foreignKeyConstraintName: "FK_access_requests_requester" })
  requester?: UserEntity;
}

@Entity("access_request_roles")
export class AccessRequestRoleEntity {
  @PrimaryColumn(id()) requestId: string;
  @PrimaryColumn(id()) roleId: string;
  @Column({ type: "int" }) position: number;

  @ManyToOne(() => AccessRequestEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "request_id", foreignKeyConstraintName: "FK_access_request_roles_request" })
  request?: AccessRequestEntity;

  @ManyToOne(() => RoleEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "role_id", foreignKeyConstraintName: "FK_access_request_roles_role" })
  role?: RoleEntity;
}

/** One reviewer's verdict; a reviewer reviews a request once. */
@Entity("access_reviews")
@Index("UQ_access_reviews_request_reviewer", ["requestId", "reviewerId"], { unique: true })
export class AccessReviewEntity {
  @PrimaryColumn(id()) id: string;
  @Column(id()) requestId: string;
  @Column(id()) reviewerId: string;
  @Column({ type: "boolean" }) approve: boolean;
  @Column({ type: "text", nullable: true }) comment: string | null;
  @Column(timestamp()) createdAt: Date;

  @ManyToOne(() => AccessRequestEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "request_id", foreignKeyConstraintName: "FK_access_reviews_request" })
  request?: AccessRequestEntity;

  @ManyToOne(() => UserEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "reviewer_id", foreignKeyConstraintName: "FK_access_reviews_reviewer" })
  reviewer?: UserEntity;
}
