import { EntityManager, In } from "typeorm";
import { DomainError } from "../../domain/errors";
import type { RoleRecord } from "../../domain/model";
import type { RoleRepository } from "../../domain/ports/storage.port";
import { isForeignKeyViolation, isUniqueViolation } from "../db-errors";
import { GrantEntity, PolicyEntity, RoleEntity, RoleLinkEntity, RolePolicyEntity, SsoMappingEntity } from "../entities";

type LinkKind = "INHERITS" | "REQUESTS" | "REVIEWS";
const LINK_FIELDS: Array<[LinkKind, "inherits" | "requestableRoles" | "reviewableRoles"]> = [
  ["INHERITS", "inherits"],
  ["REQUESTS", "requestableRoles"],
  ["REVIEWS", "reviewableRoles"],
];

export class TypeormRoleRepository implements RoleRepository {
  constructor(private readonly manager: EntityManager) {}

  async get(name: string): Promise<RoleRecord | null> {
    const e = await this.manager.findOneBy(RoleEntity, { nameKey: name.toLowerCase() });
    return e ? (await this.withReferences([e]))[0] : null;
  }

  async all(): Promise<RoleRecord[]> {
    return this.withReferences(await this.manager.find(RoleEntity, { order: { nameKey: "ASC" } }));
  }

  /** Resolves every role's references by name: two queries for the whole batch. */
  private async withReferences(roles: RoleEntity[]): Promise<RoleRecord[]> {
    if (roles.length === 0) return [];
    const ids = roles.map((r) => r.id);
    const [policyLinks, roleLinks] = await Promise.all([
      this.manager
        .createQueryBuilder(RolePolicyEntity, "rp")
        .innerJoin(PolicyEntity, "p", "p.id = rp.policy_id")
        .select(["rp.role_id AS role_id", "p.name AS name", "rp.position AS position"])
        .where("rp.role_id IN (:...ids)", { ids })
        .orderBy("rp.position")
        .getRawMany<{ role_id: string; name: string }>(),
      this.manager
        .createQueryBuilder(RoleLinkEntity, "rl")
        .innerJoin(RoleEntity, "t", "t.id = rl.target_role_id")
        .select(["rl.role_id AS role_id", "rl.kind AS kind", "t.name AS name", "rl.position AS position"])
        .where("rl.role_id IN (:...ids)", { ids })
        .orderBy("rl.position")
        .getRawMany<{ role_id: string; kind: LinkKind; name: string }>(),
    ]);
    return roles.map((e) => {
      const record: RoleRecord = {
        id: e.id,
        name: e.name,
        description: e.description,
        builtIn: e.builtIn,
        superuser: e.superuser,
        maxSessionTtlSeconds: e.maxSessionTtlSeconds,
        requireSessionMfa: e.requireSessionMfa,
        approvalsRequired: e.approvalsRequired,
        denialsRequired: e.denialsRequired,
        version: e.version,
        document: e.document,
        createdAt: e.createdAt,
        updatedAt: e.updatedAt,
        policies: policyLinks.filter((l) => l.role_id === e.id).map((l) => l.name),
        inherits: [],
        requestableRoles: [],
        reviewableRoles: [],
      };
      for (const [kind, field] of LINK_FIELDS) {
        record[field] = roleLinks.filter((l) => l.role_id === e.id && l.kind === kind).map((l) => l.name);
      }
      return record;
    });
  }

  async create(role: RoleRecord): Promise<void> {
    try {
      await this.manager.insert(RoleEntity, this.toEntity(role));
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DomainError("CONFLICT", `a role named '${role.name}' already exists`, { field: "name" });
      throw err;
    }
    await this.writeReferences(role);
  }

  async update(role: RoleRecord): Promise<void> {
    const { id, createdAt: _createdAt, ...rest } = this.toEntity(role);
    await this.manager.update(RoleEntity, { id }, rest);
    await this.manager.delete(RolePolicyEntity, { roleId: role.id });
    await this.manager.delete(RoleLinkEntity, { roleId: role.id });
    await this.writeReferences(role);
  }

  private toEntity(role: RoleRecord): RoleEntity {
    const { policies: _p, inherits: _i, requestableRoles: _rq, reviewableRoles: _rv, ...fields } = role;
    return Object.assign(new RoleEntity(), { ...fields, nameKey: role.name.toLowerCase() });
  }

  private async writeReferences(role: RoleRecord): Promise<void> {
    const policyIds = await this.idsByName(PolicyEntity, role.policies, "policies");
    if (policyIds.length > 0) {
      await this.manager.insert(
        RolePolicyEntity,
        policyIds.map((policyId, position) => ({ roleId: role.id, policyId, position })),
      );
    }
    for (const [kind, field] of LINK_FIELDS) {
      const targetIds = await this.idsByName(RoleEntity, role[field], field);
      if (targetIds.length > 0) {
        await this.manager.insert(
          RoleLinkEntity,
          targetIds.map((targetRoleId, position) => ({ roleId: role.id, kind, targetRoleId, position })),
        );
      }
    }
  }

  private async idsByName(
    target: typeof PolicyEntity | typeof RoleEntity,
    names: string[],
    field: string,
  ): Promise<string[]> {
    if (names.length === 0) return [];
    const keys = names.map((n) => n.toLowerCase());
    const rows: Array<{ id: string; nameKey: string }> = await this.manager.find(target, {
      where: { nameKey: In(keys) },
    });
    return keys.map((key, i) => {
      const row = rows.find((r) => r.nameKey === key);
      if (!row)
        throw new DomainError("NOT_FOUND", `${field}[${i}]: '${names[i]}' does not exist`, { field: `${field}[${i}]` });
      return row.id;
    });
  }

  async delete(name: string): Promise<boolean> {
    const role = await this.manager.findOneBy(RoleEntity, { nameKey: name.toLowerCase() });
    if (!role) return false;
    const [grants, mappings, links] = await Promise.all([
      this.manager.countBy(GrantEntity, { roleId: role.id }),
      this.manager.countBy(SsoMappingEntity, { roleId: role.id }),
      this.manager.countBy(RoleLinkEntity, { targetRoleId: role.id }),
    ]);
    if (grants + mappings + links > 0) {
      const uses = [
        grants && `${grants} grant(s)`,
        mappings && `${mappings} SSO mapping(s)`,
        links && `${links} role reference(s)`,
      ].filter(Boolean);
      throw new DomainError("CONFLICT", `role '${role.name}' is used by ${uses.join(", ")}`);
    }
    try {
      await this.manager.delete(RoleEntity, { id: role.id });
    } catch (err) {
      if (isForeignKeyViolation(err)) throw new DomainError("CONFLICT", `role '${role.name}' is in use`);
      throw err;
    }
    return true;
  }
}
