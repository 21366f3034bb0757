import { randomUUID } from "node:crypto";
import { EntityManager } from "typeorm";
import { DomainError } from "../../domain/errors";
import type { PolicyRecord } from "../../domain/model";
import type { PolicyRepository } from "../../domain/ports/storage.port";
import { isForeignKeyViolation, isUniqueViolation } from "../db-errors";
import { PolicyEntity, PolicyVersionEntity, RoleEntity, RolePolicyEntity } from "../entities";

function toRecord(e: PolicyEntity): PolicyRecord {
  return {
    id: e.id,
    name: e.name,
    description: e.description,
    version: e.version,
    builtIn: e.builtIn,
    document: e.document,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

export class TypeormPolicyRepository implements PolicyRepository {
  constructor(private readonly manager: EntityManager) {}

  async get(name: string): Promise<PolicyRecord | null> {
    const e = await this.manager.findOneBy(PolicyEntity, { nameKey: name.toLowerCase() });
    return e ? toRecord(e) : null;
  }

  async all(): Promise<PolicyRecord[]> {
    return (await this.manager.find(PolicyEntity, { order: { nameKey: "ASC" } })).map(toRecord);
  }

  async create(policy: PolicyRecord, createdById: string | null): Promise<void> {
    try {
      await this.manager.insert(PolicyEntity, { ...policy, nameKey: policy.name.toLowerCase() });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DomainError("CONFLICT", `a policy named '${policy.name}' already exists`, { field: "name" });
      throw err;
    }
    await this.appendVersion(policy, createdById);
  }

  async update(policy: PolicyRecord, createdById: string | null): Promise<void> {
    const { id, createdAt: _createdAt, ...rest } = policy;
    await this.manager.update(PolicyEntity, { id }, { ...rest, nameKey: policy.name.toLowerCase() });
    await this.appendVersion(policy, createdById);
  }

  private async appendVersion(policy: PolicyRecord, createdById: string | null): Promise<void> {
    await this.manager.insert(PolicyVersionEntity, {
      id: randomUUID(),
      policyId: policy.id,
      version: policy.version,
      document: policy.document,
      createdById,
      createdAt: policy.updatedAt,
    });
  }

  async versions(name: string): Promise<Array<{ version: number; document: string; createdAt: Date }>> {
    const policy = await this.get(name);
    if (!policy) return [];
    const rows = await this.manager.find(PolicyVersionEntity, {
      where: { policyId: policy.id },
      order: { version: "ASC" },
    });
    return rows.map((r) => ({ version: r.version, document: r.document, createdAt: r.createdAt }));
  }

  async usedBy(name: string): Promise<string[]> {
    const policy = await this.get(name);
    if (!policy) return [];
    const rows = await this.manager
      .createQueryBuilder(RolePolicyEntity, "rp")
      .innerJoin(RoleEntity, "r", "r.id = rp.role_id")
      .select("r.name", "name")
      .where("rp.policy_id = :id", { id: policy.id })
      .orderBy("r.name_key")
      .getRawMany<{ name: string }>();
    return rows.map((r) => r.name);
  }

  async delete(name: string): Promise<boolean> {
    const policy = await this.get(name);
    if (!policy) return false;
    const users = await this.usedBy(name);
    if (users.length > 0)
      throw new DomainError("CONFLICT", `policy '${policy.name}' is used by role(s) ${users.join(", ")}`);
    try {
      await this.manager.delete(PolicyEntity, { id: policy.id });
    } catch (err) {
      // A role attached the policy between the check and the delete.
      if (isForeignKeyViolation(err)) throw new DomainError("CONFLICT", `policy '${policy.name}' is in use`);
      throw err;
    }
    return true;
  }
}
