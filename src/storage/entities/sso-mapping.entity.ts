import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { id } from "./columns";
import { RoleEntity } from "./role.entity";

@Entity("sso_mappings")
@Index("IDX_sso_mappings_provider", ["provider", "position"])
@Index("IDX_sso_mappings_role", ["roleId"])
export class SsoMappingEntity {
  @PrimaryColumn(id()) id: string;
  @Column({ type: "varchar", length: 64 }) provider: string;
  /** Group name glob; '*' matches every user of the provider. */
  @Column({ type: "varchar", length: 255 }) groupPattern: string;
  @Column(id()) roleId: string;
  @Column({ type: "varchar", length: 255, default: "" }) scope: string;
  @Column({ type: "int" }) position: number;

  @ManyToOne(() => RoleEntity, { onDelete: "RESTRICT" })
  @JoinColumn({ name: "role_id", foreignKeyConstraintName: "FK_sso_mappings_role" })
  role?: RoleEntity;
}
