import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { id } from "./columns";
import { PolicyEntity } from "./policy.entity";
import { RoleEntity } from "./role.entity";

// A role's references, one table per kind so that foreign keys keep them honest:
// a policy or role still referenced cannot be deleted (RESTRICT).

@Entity("role_policies")
@Index("IDX_role_policies_policy", ["policyId"])
export class RolePolicyEntity {
  @PrimaryColumn(id()) roleId: string;
  @PrimaryColumn(id()) policyId: string;
  @Column({ type: "int" }) position: number;

  @ManyToOne(() => RoleEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "role_id", foreignKeyConstraintName: "FK_role_policies_role" })
  role?: RoleEntity;

  @ManyToOne(() => PolicyEntity, { onDelete: "RESTRICT" })
  @JoinColumn({ name: "policy_id", foreignKeyConstraintName: "FK_role_policies_policy" })
  policy?: PolicyEntity;
}

/** kind: INHERITS (the role inherits target), REQUESTS (holders may request target), REVIEWS (holders may review requests for target). */
@Entity("role_links")
@Index("IDX_role_links_target", ["targetRoleId"])
export class RoleLinkEntity {
  @PrimaryColumn(id()) roleId: string;
  @PrimaryColumn({ type: "varchar", length: 16 }) kind: string;
  @PrimaryColumn(id()) targetRoleId: string;
  @Column({ type: "int" }) position: number;

  @ManyToOne(() => RoleEntity, { onDelete: "CASCADE" })
  @JoinColumn({ name: "role_id", foreignKeyConstraintName: "FK_role_links_role" })
  role?: RoleEntity;

  @ManyToOne(() => RoleEntity, { onDelete: "RESTRICT" })
  @JoinColumn({ name: "target_role_id", foreignKeyConstraintName: "FK_role_links_target" })
  target?: RoleEntity;
}
