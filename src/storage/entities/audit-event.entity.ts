import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { jsonText, timestamp } from "./columns";

// Searches (docs/audit.md) run newest first, so every filter column is indexed
// together with the sequence: the database walks the index backwards and stops
// after one page.
@Entity("audit_events")
@Index("IDX_audit_time_seq", ["time", "sequence"])
@Index("IDX_audit_actor_seq", ["actorId", "sequence"])
@Index("IDX_audit_actor_email_seq", ["actorEmail", "sequence"])
@Index("IDX_audit_decision_seq", ["decision", "sequence"])
@Index("IDX_audit_operation_seq", ["operation", "sequence"])
@Index("IDX_audit_resource_type_seq", ["resourceType", "sequence"])
@Index("IDX_audit_resource_name_seq", ["resourceName", "sequence"])
export class AuditEventEntity {
  /** From 1, no gaps: assigned by the writer, never by auto-increment (which leaves gaps on rollback). */
  @PrimaryColumn({ type: "bigint" }) sequence: string;

  /**
   * A random UUID. Not indexed: nothing looks an event up by id (the sequence
   * is the key), and a unique index over random values costs a random B-tree
   * insert on every decision.
   */
  @Column({ type: "varchar", length: 36 })
  id: string;

  @Column(timestamp()) time: Date;
  @Column({ type: "varchar", length: 36, nullable: true }) actorId: string | null;
  @Column({ type: "varchar", length: 320, nullable: true }) actorEmail: string | null;
  @Column(jsonText()) actorRoles: string[];
  @Column({ type: "varchar", length: 36, nullable: true }) tokenId: string | null;
  @Column({ type: "varchar", length: 45, nullable: true }) sourceIp: string | null;
  @Column({ type: "varchar", length: 128 }) operation: string;
  @Column({ type: "varchar", length: 64, nullable: true }) action: string | null;
  @Column({ type: "varchar", length: 64, nullable: true }) resourceType: string | null;
  @Column({ type: "varchar", length: 255, nullable: true }) resourceNamespace: string | null;
  @Column({ type: "varchar", length: 255, nullable: true }) resourceName: string | null;
  @Column({ type: "varchar", length: 36, nullable: true }) subjectId: string | null;
  @Column({ type: "varchar", length: 8 }) decision: string;
  @Column({ type: "varchar", length: 32 }) reason: string;
  @Column({ type: "varchar", length: 64, nullable: true }) requestId: string | null;
  @Column(jsonText({ nullable: true })) metadata: object | null;
  @Column({ type: "varchar", length: 64 }) prevHash: string;
  @Column({ type: "varchar", length: 64 }) hash: string;
}

/**
 * The roles an actor held when the event was written, one row each, for the
 * `role` filter (served by the (role, sequence) index). On SQLite the primary
 * key is the table itself (WITHOUT ROWID), one B-tree fewer per row. No
 * foreign key: rows are written with their event in one transaction and, like
 * events, never deleted, so the check would only cost a lookup per row.
 */
@Entity("audit_event_roles", { withoutRowid: true })
@Index("IDX_audit_event_roles_role_seq", ["role", "sequence"])
export class AuditEventRoleEntity {
  @PrimaryColumn({ type: "bigint" }) sequence: string;
  @PrimaryColumn({ type: "varchar", length: 64 }) role: string;
}

/**
 * The chain's head: the last sequence and hash written. Writers lock this one row
 * (SELECT … FOR UPDATE) so that instances sharing a database number events
 * without gaps or duplicates.
 */
@Entity("audit_head")
export class AuditHeadEntity {
  @PrimaryColumn({ type: "int" }) id: number;
  @Column({ type: "bigint" }) sequence: string;
  @Column({ type: "varchar", length: 64 }) hash: string;
}

/**
 * Where chain verification last found the trail intact (sequence and hash of
 * the last event it checked), so that the next verification starts there. One
 * row (id 1), shared by every instance; it only moves forward.
 */
@Entity("audit_checkpoint")
export class AuditCheckpointEntity {
  @PrimaryColumn({ type: "int" }) id: number;
  @Column({ type: "bigint" }) sequence: string;
  @Column({ type: "varchar", length: 64 }) hash: string;
  @Column(timestamp()) verifiedAt: Date;
}
