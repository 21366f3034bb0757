// OneTimeStore keeps its contract (src/domain/sso/sso-login.ts) in every backend:
// the database on each kind, and Redis when TEST_REDIS_URL is set.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { Redis } from "ioredis";
import type { OneTimeStore } from "../../../src/domain/sso/sso-login";
import { RedisOneTimeStore } from "../../../src/storage/redis-one-time-store";
import { TypeormStorage } from "../../../src/storage/typeorm-storage";
import { OneTimeValueEntity } from "../../../src/storage/entities";
import { databaseKinds, type TestDatabase } from "../../support/databases";
import { describeIf } from "../../support/skip-reasons";

interface Backend {
  name: string;
  /** Declared skipped, with the reason, when the condition does not hold. */
  skipUnless?: [unknown, string];
  open(): Promise<{ store: OneTimeStore; storage?: TypeormStorage; close(): Promise<void> }>;
}

const backends: Backend[] = databaseKinds().map((kind) => ({
  name: `the database on ${kind.name}`,
  open: async () => {
    const db: TestDatabase = await kind.create();
    const storage = await TypeormStorage.open(db.config, { migrate: true });
    return {
      store: storage.oneTimeValues,
      storage,
      close: async () => {
        await storage.close();
        await db.drop();
      },
    };
  },
}));
const redisUrl = process.env.TEST_REDIS_URL;
backends.push({
  name: "Redis",
  skipUnless: [redisUrl, "TEST_REDIS_URL is not set: the Redis one-time store needs a Redis server"],
  open: async () => {
    const redis = new Redis(redisUrl!, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    return { store: new RedisOneTimeStore(redis), close: async () => void (await redis.quit()) };
  },
});

const inMinutes = (n: number) => new Date(Date.now() + n * 60_000);

for (const backend of backends) {
  const declare = backend.skipUnless ? describeIf(...backend.skipUnless) : describe;
  declare(`OneTimeStore in ${backend.name}`, function () {
    this.timeout(30_000);
    let opened: Awaited<ReturnType<Backend["open"]>>;
    before(async () => {
      opened = await backend.open();
    });
    after(async () => {
      await opened?.close();
    });

    it("hands a value back once, then answers null", async () => {
      const key = `test:${randomUUID()}`;
      await opened.store.put(key, "2026-01-01T00:00:00.000Z", inMinutes(5));
      expect(await opened.store.take(key)).to.equal("2026-01-01T00:00:00.000Z");
      expect(await opened.store.take(key)).to.equal(null);
    });

    it("answers null for a key never put", async () => {
      expect(await opened.store.take(`test:${randomUUID()}`)).to.equal(null);
    });

    it("answers null for a value whose expiry has passed", async () => {
      const key = `test:${randomUUID()}`;
      await opened.store.put(key, "v", new Date(Date.now() - 1000));
      expect(await opened.store.take(key)).to.equal(null);
    });

    it("gives a value to exactly one of many concurrent takers", async () => {
      const key = `test:${randomUUID()}`;
      await opened.store.put(key, "once", inMinutes(5));
      const results = await Promise.all(Array.from({ length: 12 }, () => opened.store.take(key)));
      expect(results.filter((r) => r === "once")).to.have.length(1);
      expect(results.filter((r) => r === null)).to.have.length(11);
    });

    it("keeps values under different keys apart", async () => {
      const a = `test:${randomUUID()}`;
      const b = `test:${randomUUID()}`;
      await opened.store.put(a, "a", inMinutes(5));
      await opened.store.put(b, "b", inMinutes(5));
      expect(await opened.store.take(b)).to.equal("b");
      expect(await opened.store.take(a)).to.equal("a");
    });

    if (backend.name.startsWith("the database")) {
      it("purges expired rows and keeps live ones", async () => {
        const storage = opened.storage!;
        const expired = `test:${randomUUID()}`;
        const live = `test:${randomUUID()}`;
        await storage.oneTimeValues.put(expired, "old", new Date(Date.now() - 60_000));
        await storage.oneTimeValues.put(live, "new", inMinutes(5));
        expect(await storage.oneTimeValues.purgeExpired(true)).to.be.at.least(1);
        const keys = (await storage.dataSource.manager.find(OneTimeValueEntity)).map((r) => r.key);
        expect(keys).to.include(live);
        expect(keys).to.not.include(expired);
      });
    }
  });
}
