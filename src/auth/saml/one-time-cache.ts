// node-saml's request-id cache on top of the shared OneTimeStore.
import type { CacheItem, CacheProvider } from "@node-saml/passport-saml";
import type { OneTimeStore } from "../../domain/sso/sso-login";

const KEY_PREFIX = "saml:request:";

/**
 * One instance per response validation. node-saml looks a request id up with
 * `getAsync` (more than once per response) and only later calls `removeAsync`,
 * so two copies of one response posted at the same moment could both pass a
 * plain get-then-delete. Here the first `getAsync` of an id takes it from the
 * store atomically and remembers it for the rest of this validation only: the
 * id is gone for every other request and instance from that moment, whatever
 * the outcome. `removeAsync` of an id not yet taken takes it too.
 */
export class OneTimeRequestCache implements CacheProvider {
  private readonly taken = new Map<string, string | null>();

  constructor(
    private readonly store: OneTimeStore,
    private readonly ttlMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    const createdAt = this.now().getTime();
    await this.store.put(KEY_PREFIX + key, value, new Date(createdAt + this.ttlMs));
    return { value, createdAt };
  }

  async getAsync(key: string): Promise<string | null> {
    if (!this.taken.has(key)) this.taken.set(key, await this.store.take(KEY_PREFIX + key));
    return this.taken.get(key) ?? null;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (key === null) return null;
    return this.getAsync(key);
  }
}
