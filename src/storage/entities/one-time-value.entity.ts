import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { timestamp } from "./columns";

/** Values used at most once across instances (SAML request ids, OIDC state); see OneTimeStore. */
@Entity("one_time_values")
@Index("IDX_one_time_values_expires", ["expiresAt"])
export class OneTimeValueEntity {
  @PrimaryColumn({ type: "varchar", length: 255 }) key: string;
  @Column({ type: "varchar", length: 2048 }) value: string;
  @Column(timestamp()) expiresAt: Date;
}
