import { Redis } from "ioredis";
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

/** Redis when REDIS_URL is set, else the database store; `close` ends the Redis connection. */
export function openOneTimeStore(
  redisUrl: string | null,
  database: OneTimeStore,
  logger: { warn(message: string, fields?: Record<string, unknown>): void },
): { store: OneTimeStore; close(): Promise<void> } {
  if (redisUrl === null) return { store: database, close: () => Promise.resolve() };
  // Commands wait while Redis is away (a login then fails) instead of the process crashing.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, enableOfflineQueue: true });
  let lastWarning = 0;
  redis.on("error", (err: Error) => {
    if (Date.now() - lastWarning < 10_000) return;
    lastWarning = Date.now();
    // The URL may carry a password: log the error's code only.
    logger.warn("Redis connection error", { error: (err as NodeJS.ErrnoException).code ?? err.name });
  });
  return {
    store: new RedisOneTimeStore(redis),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
