// Credential lookups are the only storage reads on the hot path of every call.
// This keeps what was found for a short while: at most `ttlMs` (1 s, the bound
// docs/running.md puts on another instance's revocations), and it is emptied on
// every policy write of this instance, so a local revocation or lock applies to
// the very next request. Expiry is still judged per request by the
// authenticator; nothing that was not found is remembered.
import type { SessionRecord, TokenRecord, UserRecord } from "../domain/model";
import type { CredentialLookups } from "./bearer-authenticator";

interface Entry<T> {
  value: T;
  at: number;
}

class TtlMap<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly clock: () => number,
  ) {}

  async get(key: string, load: () => Promise<T | null>): Promise<T | null> {
    const hit = this.entries.get(key);
    const now = this.clock();
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = await load();
    if (value === null) {
      this.entries.delete(key);
      return null;
    }
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, at: now });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}

export class CredentialCache {
  private readonly tokensByHash: TtlMap<TokenRecord>;
  private readonly sessionsByHash: TtlMap<SessionRecord>;
  private readonly usersById: TtlMap<UserRecord>;
  private readonly clearedListeners = new Set<() => void>();

  constructor(
    private readonly storage: CredentialLookups,
    options: { ttlMs?: number; maxEntries?: number; clock?: () => number } = {},
  ) {
    const ttl = options.ttlMs ?? 1000;
    const max = options.maxEntries ?? 10_000;
    const clock = options.clock ?? Date.now;
    this.tokensByHash = new TtlMap(ttl, max, clock);
    this.sessionsByHash = new TtlMap(ttl, max, clock);
    this.usersById = new TtlMap(ttl, max, clock);
  }

  /** The lookups the authenticator needs, served from the cache. */
  lookups(): CredentialLookups {
    return {
      tokens: { getByHash: (hash) => this.tokensByHash.get(hash, () => this.storage.tokens.getByHash(hash)) },
      sessions: { getByHash: (hash) => this.sessionsByHash.get(hash, () => this.storage.sessions.getByHash(hash)) },
      users: { get: (id) => this.usersById.get(id, () => this.storage.users.get(id)) },
    };
  }

  /** Forgets everything (after a policy write, here or on another instance). */
  clear(): void {
    this.tokensByHash.clear();
    this.sessionsByHash.clear();
    this.usersById.clear();
    for (const listener of this.clearedListeners) listener();
  }

  /** Called after each clear: whoever holds credentials checks them again. */
  onCleared(listener: () => void): () => void {
    this.clearedListeners.add(listener);
    return () => this.clearedListeners.delete(listener);
  }
}
