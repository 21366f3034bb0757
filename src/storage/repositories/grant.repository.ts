import { EntityManager, In } from "typeorm";
import { DomainError } from "../../domain/errors";
import type { GrantRecord } from "../../domain/model";
import type { GrantFilter, GrantRepository } from "../../domain/ports/storage.port";
import { GrantEntity, RoleEntity } from "../entities";

type GrantRow = GrantEntity & { roleName: string };

function toRecord(e: GrantRow): GrantRecord {
  return {
    id: e.id,
    subjectType: e.subjectType as GrantRecord["subjectType"],
    userId: e.userId,
    group: e.groupName,
    role: e.roleName,
    scope: e.scope,
    active: e.active,
    startsAt: e.startsAt,
    expiresAt: e.expiresAt,
    reason: e.reason,
    source: e.source as GrantRecord["source"],
    ssoProvider: e.ssoProvider,
    accessRequestId: e.accessRequestId,
    createdById: e.createdById,
    createdAt: e.createdAt,
  };
}

/** Valid at `now`: active, started, not yet expired (the engine applies the same rule). */
export function grantIsCurrent(g: Pick<GrantRecord, "active" | "startsAt" | "expiresAt">, now: Date): boolean {
  return g.active && (g.startsAt === null || g.startsAt <= now) && (g.expiresAt === null || now < g.expiresAt);
}

export class TypeormGrantRepository implements GrantRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Grants joined with their role's name, in a stable order. */
  private query() {
    return this.manager
      .createQueryBuilder(GrantEntity, "g")
      .innerJoin(RoleEntity, "r", "r.id = g.role_id")
      .addSelect("r.name", "role_name")
      .orderBy("g.created_at", "ASC")
      .addOrderBy("g.id", "ASC");
  }

  private async run(qb: ReturnType<TypeormGrantRepository["query"]>): Promise<GrantRecord[]> {
    const { entities, raw } = await qb.getRawAndEntities<{ role_name: string }>();
    // getRawAndEntities keeps the order of both arrays aligned by primary key.
    const names = new Map<string, string>();
    for (const row of raw as Array<Record<string, string>>) names.set(row["g_id"], row["role_name"]);
    return entities.map((e) => toRecord(Object.assign(e, { roleName: names.get(e.id)! })));
  }

  async get(id: string): Promise<GrantRecord | null> {
    return (await this.run(this.query().where("g.id = :id", { id })))[0] ?? null;
  }

  async list(filter: GrantFilter): Promise<GrantRecord[]> {
    const qb = this.query();
    if (filter.userId !== undefined) qb.andWhere("g.user_id = :userId", { userId: filter.userId });
    if (filter.role !== undefined) qb.andWhere("r.name_key = :role", { role: filter.role.toLowerCase() });
    const rows = await this.run(qb);
    const now = filter.now ?? new Date();
    return filter.includeInactive ? rows : rows.filter((g) => grantIsCurrent(g, now));
  }

  async forUsers(userIds: readonly string[]): Promise<Map<string, GrantRecord[]>> {
    const result = new Map<string, GrantRecord[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return result;
    for (const g of await this.run(this.query().where("g.user_id IN (:...ids)", { ids: [...userIds] }))) {
      result.get(g.userId!)?.push(g);
    }
    return result;
  }

  async forGroups(groups: readonly string[]): Promise<GrantRecord[]> {
    if (groups.length === 0) return [];
    return this.run(this.query().where("g.group_name IN (:...groups)", { groups: [...groups] }));
  }

  async ssoUserIds(providers: readonly string[]): Promise<string[]> {
    if (providers.length === 0) return [];
    const rows = await this.manager
      .createQueryBuilder(GrantEntity, "g")
      .select("DISTINCT g.user_id", "user_id")
      .where("g.source = 'SSO' AND g.user_id IS NOT NULL AND g.sso_provider IN (:...providers)", {
        providers: [...providers],
      })
      .orderBy("g.user_id", "ASC")
      .getRawMany<{ user_id: string }>();
    return rows.map((r) => r.user_id);
  }

  all(): Promise<GrantRecord[]> {
    return this.run(this.query());
  }

  async create(grant: GrantRecord): Promise<void> {
    const role = await this.manager.findOneBy(RoleEntity, { nameKey: grant.role.toLowerCase() });
    if (!role) throw new DomainError("NOT_FOUND", `role '${grant.role}' does not exist`, { field: "input.role" });
    await this.manager.insert(GrantEntity, {
      id: grant.id,
      subjectType: grant.subjectType,
      userId: grant.userId,
      groupName: grant.group,
      roleId: role.id,
      scope: grant.scope,
      active: grant.active,
      startsAt: grant.startsAt,
      expiresAt: grant.expiresAt,
      reason: grant.reason,
      source: grant.source,
      ssoProvider: grant.ssoProvider,
      accessRequestId: grant.accessRequestId,
      createdById: grant.createdById,
      createdAt: grant.createdAt,
    });
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.manager.delete(GrantEntity, { id });
    return (result.affected ?? 0) > 0;
  }

  async forAccessRequests(requestIds: readonly string[]): Promise<Map<string, GrantRecord[]>> {
    const result = new Map<string, GrantRecord[]>(requestIds.map((id) => [id, []]));
    if (requestIds.length === 0) return result;
    for (const g of await this.run(this.query().where("g.access_request_id IN (:...ids)", { ids: [...requestIds] }))) {
      result.get(g.accessRequestId!)?.push(g);
    }
    return result;
  }

  async deleteForUser(userId: string): Promise<number> {
    const ids = (await this.manager.find(GrantEntity, { select: { id: true }, where: { userId } })).map((g) => g.id);
    if (ids.length === 0) return 0;
    await this.manager.delete(GrantEntity, { id: In(ids) });
    return ids.length;
  }
}
