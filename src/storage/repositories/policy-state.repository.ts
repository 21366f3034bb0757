import type { EntityManager } from "typeorm";
import type { PolicyStateRepository } from "../../domain/ports/storage.port";
import { PolicyStateEntity } from "../entities";

export class TypeormPolicyStateRepository implements PolicyStateRepository {
  constructor(
    private readonly manager: EntityManager,
    private readonly sqlite: boolean,
  ) {}

  async lockAndBump(): Promise<number> {
    const qb = this.manager.createQueryBuilder(PolicyStateEntity, "s").where("s.id = 1");
    // SQLite: the write below takes the database's single write lock for the transaction.
    if (!this.sqlite) qb.setLock("pessimistic_write");
    const row = await qb.getOneOrFail();
    const next = Number(row.version) + 1;
    await this.manager.update(PolicyStateEntity, { id: 1 }, { version: String(next) });
    return next;
  }

  async version(): Promise<number> {
    return Number((await this.manager.findOneByOrFail(PolicyStateEntity, { id: 1 })).version);
  }
}
