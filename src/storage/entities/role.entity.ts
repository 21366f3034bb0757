import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { id, timestamp } from "./columns";

@Entity("roles")
export class RoleEntity {
  @PrimaryColumn(id()) id: string;
  @Column({ type: "varchar", length: 64 }) name: string;

  /** Lower-cased name: names are unique ignoring case in both databases. */
  @Index("UQ_roles_name_key", { unique: true })
  @Column({ type: "varchar", length: 64 })
  nameKey: string;

  @Column({ type: "text", nullable: true }) description: string | null;
  @Column({ type: "boolean", default: false }) builtIn: boolean;
  @Column({ type: "boolean", default: false }) superuser: boolean;
  @Column({ type: "int", nullable: true }) maxSessionTtlSeconds: number | null;
  @Column({ type: "boolean", default: false }) requireSessionMfa: boolean;
  @Column({ type: "int", default: 1 }) approvalsRequired: number;
  @Column({ type: "int", default: 1 }) denialsRequired: number;
  @Column({ type: "int" }) version: number;
  /** The current document, in the format createRole accepts. */
  @Column({ type: "text" }) document: string;
  @Column(timestamp()) createdAt: Date;
  @Column(timestamp()) updatedAt: Date;
}
