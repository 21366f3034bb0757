import { randomUUID } from "node:crypto";
import { EntityManager, In, IsNull, Not } from "typeorm";
import { DomainError } from "../../domain/errors";
import type { SsoMappingRecord } from "../../domain/model";
import type { SsoMappingRepository } from "../../domain/ports/storage.port";
import { RoleEntity, SsoMappingEntity } from "../entities";

export class TypeormSsoMappingRepository implements SsoMappingRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Mappings joined with their role's name, by provider and position. */
  private async read(provider: string | null): Promise<SsoMappingRecord[]> {
    const qb = this.manager
      .createQueryBuilder(SsoMappingEntity, "m")
      .innerJoin(RoleEntity, "r", "r.id = m.role_id")
      .select(["m.provider AS provider", "m.group_pattern AS group_pattern", "r.name AS role_name", "m.scope AS scope"])
      .orderBy("m.provider", "ASC")
      .addOrderBy("m.position", "ASC");
    if (provider !== null) qb.where("m.provider = :provider", { provider });
    const rows = await qb.getRawMany<{ provider: string; group_pattern: string; role_name: string; scope: string }>();
    return rows.map((r) => ({ provider: r.provider, group: r.group_pattern, role: r.role_name, scope: r.scope }));
  }

  all(): Promise<SsoMappingRecord[]> {
    return this.read(null);
  }

  forProvider(provider: string): Promise<SsoMappingRecord[]> {
    return this.read(provider);
  }

  async replace(provider: string | null, mappings: readonly SsoMappingRecord[]): Promise<void> {
    const keys = [...new Set(mappings.map((m) => m.role.toLowerCase()))];
    const roles =
      keys.length === 0
        ? []
        : await this.manager.find(RoleEntity, { select: { id: true, nameKey: true }, where: { nameKey: In(keys) } });
    const ids = new Map(roles.map((r) => [r.nameKey, r.id]));
    const missing = mappings.findIndex((m) => !ids.has(m.role.toLowerCase()));
    if (missing >= 0)
      throw new DomainError("NOT_FOUND", `role '${mappings[missing].role}' does not exist`, {
        field: `mappings[${missing}].role`,
      });
    await this.manager.delete(SsoMappingEntity, provider === null ? { id: Not(IsNull()) } : { provider });
    const positions = new Map<string, number>();
    const rows = mappings.map((m) => {
      const position = positions.get(m.provider) ?? 0;
      positions.set(m.provider, position + 1);
      return {
        id: randomUUID(),
        provider: m.provider,
        groupPattern: m.group,
        roleId: ids.get(m.role.toLowerCase())!,
        scope: m.scope,
        position,
      };
    });
    if (rows.length > 0) await this.manager.insert(SsoMappingEntity, rows);
  }
}
