import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { timestamp } from "./columns";

@Entity("resource_types")
export class ResourceTypeEntity {
  @PrimaryColumn({ type: "varchar", length: 64 }) name: string;
  @Column({ type: "boolean", default: false }) builtIn: boolean;
  @Column(timestamp()) createdAt: Date;
}

/** One capability of a type with the lowest level that includes it. Capabilities are only ever added. */
@Entity("resource_capabilities")
export class ResourceCapabilityEntity {
  @PrimaryColumn({ type: "varchar", length: 64 }) typeName: string;
  @PrimaryColumn({ type: "varchar", length: 64 }) capability: string;
  @Column({ type: "varchar", length: 16 }) level: string;
  @Column(timestamp()) createdAt: Date;

  @ManyToOne(() => ResourceTypeEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "type_name", foreignKeyConstraintName: "FK_resource_capabilities_type" })
  type?: ResourceTypeEntity;
}
