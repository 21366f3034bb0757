import { EntityManager } from "typeorm";
import type { Level } from "../../engine/types";
import type { ResourceTypeRecord } from "../../domain/model";
import type { ResourceTypeRepository } from "../../domain/ports/storage.port";
import { ResourceCapabilityEntity, ResourceTypeEntity } from "../entities";

export class TypeormResourceTypeRepository implements ResourceTypeRepository {
  constructor(private readonly manager: EntityManager) {}

  async all(): Promise<ResourceTypeRecord[]> {
    const [types, capabilities] = await Promise.all([
      this.manager.find(ResourceTypeEntity, { order: { name: "ASC" } }),
      this.manager.find(ResourceCapabilityEntity, { order: { typeName: "ASC", capability: "ASC" } }),
    ]);
    const byType = new Map<string, Record<string, Level>>();
    for (const c of capabilities) {
      const caps = byType.get(c.typeName) ?? {};
      caps[c.capability] = c.level as Level;
      byType.set(c.typeName, caps);
    }
    return types.map((t) => ({ name: t.name, builtIn: t.builtIn, capabilities: byType.get(t.name) ?? {} }));
  }

  async get(name: string): Promise<ResourceTypeRecord | null> {
    const type = await this.manager.findOneBy(ResourceTypeEntity, { name });
    if (!type) return null;
    const capabilities = await this.manager.find(ResourceCapabilityEntity, {
      where: { typeName: name },
      order: { capability: "ASC" },
    });
    return {
      name,
      builtIn: type.builtIn,
      capabilities: Object.fromEntries(capabilities.map((c) => [c.capability, c.level as Level])),
    };
  }

  async save(type: ResourceTypeRecord): Promise<void> {
    const now = new Date();
    const existing = await this.get(type.name);
    if (!existing) {
      await this.manager.insert(ResourceTypeEntity, { name: type.name, builtIn: type.builtIn, createdAt: now });
    }
    const added = Object.entries(type.capabilities).filter(
      ([capability]) => !(existing && capability in existing.capabilities),
    );
    if (added.length > 0) {
      await this.manager.insert(
        ResourceCapabilityEntity,
        added.map(([capability, level]) => ({ typeName: type.name, capability, level, createdAt: now })),
      );
    }
  }
}
