import { EntityManager, LessThanOrEqual } from "typeorm";
import type { OneTimeStore } from "../../domain/sso/sso-login";
import { OneTimeValueEntity } from "../entities";

/** Expired rows are deleted at most this often per instance, from `put`. */
const PURGE_EVERY_MS = 60_000;

/**
 * OneTimeStore in the database, shared by every instance on it. `take` reads the
 * row and then deletes it by key: of two concurrent takers only the one whose
 * DELETE removed the row gets the value, so a value is handed out at most once.
 */
export class TypeormOneTimeStore implements OneTimeStore {
  private lastPurge = 0;

  constructor(
    private readonly manager: EntityManager,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async put(key: string, value: string, expiresAt: Date): Promise<void> {
    await this.purgeExpired();
    await this.manager.upsert(OneTimeValueEntity, Object.assign(new OneTimeValueEntity(), { key, value, expiresAt }), [
      "key",
    ]);
  }

  async take(key: string): Promise<string | null> {
    const row = await this.manager.findOneBy(OneTimeValueEntity, { key });
    if (!row) return null;
    const result = await this.manager.delete(OneTimeValueEntity, { key });
    if ((result.affected ?? 0) !== 1) return null;
    return row.expiresAt.getTime() > this.now().getTime() ? row.value : null;
  }

  /** Deletes every expired value now; returns how many. */
  async purgeExpired(force = false): Promise<number> {
    const now = this.now();
    if (!force && now.getTime() - this.lastPurge < PURGE_EVERY_MS) return 0;
    this.lastPurge = now.getTime();
    const result = await this.manager.delete(OneTimeValueEntity, { expiresAt: LessThanOrEqual(now) });
    return result.affected ?? 0;
  }
}
