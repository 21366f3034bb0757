import type { Redis } from "ioredis";
import type { OneTimeStore } from "../domain/sso/sso-login";

const PREFIX = "portcullis:once:";

/**
 * OneTimeStore in Redis, for instances that share REDIS_URL. Redis expires the
 * keys itself (SET … PX), and GETDEL reads and deletes in one command, so two
 * instances can never both take the same value.
 */
export class RedisOneTimeStore implements OneTimeStore {
  constructor(
    private readonly redis: Redis,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async put(key: string, value: string, expiresAt: Date): Promise<void> {
    const ttlMs = expiresAt.getTime() - this.now().getTime();
    if (ttlMs <= 0) {
      await this.redis.del(PREFIX + key);
      return;
    }
    await this.redis.set(PREFIX + key, value, "PX", ttlMs);
  }

  async take(key: string): Promise<string | null> {
    return this.redis.getdel(PREFIX + key);
  }
}
