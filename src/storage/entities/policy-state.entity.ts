import { Column, Entity, PrimaryColumn } from "typeorm";

/**
 * One row. Every write to the policy state (types, policies, roles, grants,
 * tokens, users' status) locks it and bumps `version`: writes are serialised
 * across instances, so an escalation check and the write it guards see the same
 * state, and instances can tell that the state has moved on.
 */
@Entity("policy_state")
export class PolicyStateEntity {
  @PrimaryColumn({ type: "int" }) id: number;
  @Column({ type: "bigint" }) version: string;
}
