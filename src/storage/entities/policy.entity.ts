import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { id, timestamp } from "./columns";

@Entity("policies")
export class PolicyEntity {
  @PrimaryColumn(id()) id: string;
  @Column({ type: "varchar", length: 64 }) name: string;

  /** Lower-cased name: names are unique ignoring case in both databases. */
  @Index("UQ_policies_name_key", { unique: true })
  @Column({ type: "varchar", length: 64 })
  nameKey: string;

  @Column({ type: "text", nullable: true }) description: string | null;
  @Column({ type: "int" }) version: number;
  @Column({ type: "boolean", default: false }) builtIn: boolean;
  /** The current document, in the format createPolicy accepts. */
  @Column({ type: "text" }) document: string;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp()) updatedAt: Date;
}

/** Every version a policy has had, the current one included. */
@Entity("policy_versions")
@Index("UQ_policy_versions_policy_version", ["policyId", "version"], { unique: true })
export class PolicyVersionEntity {
  @PrimaryColumn(id()) id: string;
  @Column(id()) policyId: string;
  @Column({ type: "int" }) version: number;
  @Column({ type: "text" }) document: string;
  @Column({ type: "varchar", length: 36, nullable: true }) createdById: string | null;
  @Column(timestamp()) createdAt: Date;

  @ManyToOne(() => PolicyEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "policy_id", foreignKeyConstraintName: "FK_policy_versions_policy" })
  policy?: PolicyEntity;
}
