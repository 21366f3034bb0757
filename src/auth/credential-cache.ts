// Credential lookups are the only storage reads on the hot path of every call.
// This keeps what was found for a short while: at most `ttlMs` (1 s, the bound
// docs/running.md puts on another instance's revocations), and it is emptied on
// every policy write of this instance, so a local revocation or lock applies to
// the very next request. Expiry is still judged per request by the
// authenticator; nothing that was not found is remembered, nor a failed read.
//
// Two rules keep that promise under concurrency:
// - A read that began before a clear() never fills the cache: it may have read
//   the record as it was before the revocation that cleared it. Its own callers
//   still get what it read (they asked before the revocation); nothing is kept.
// - Concurrent misses for one key share a single read instead of each going to
//   the database. A clear() also forgets the reads in flight, so a request that
//   arrives after it starts a fresh read rather than joining an older one.
import type { SessionRecord, TokenRecord, UserRecord } from "../domain/model";
import type { CredentialLookups } from "./bearer-authenticator";

interface Entry<T> {
  value: T;
  at: number;
}

class TtlMap<T> {
  private readonly entries = new Map<string, Entry<T>>();
  /** Reads under way for this generation, shared by every caller that misses meanwhile. */
  private readonly inFlight = new Map<string, Promise<T | null>>();
  /** Moves on each clear(): a read started under an older generation stores nothing. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly clock: () => number,
  ) {}

  get(key: string, load: () => Promise<T | null>): Promise<T | null> {
    const now = this.clock();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return Promise.resolve(hit.value);
    const pending = this.inFlight.get(key);
    if (pending) return pending;

    const generation = this.generation;
    // An async wrapper turns a synchronous throw of load() into a rejection; the
    // callbacks below then always run after the read is registered as in flight.
    const read = (async () => load())();
    const shared = read.then(
      (value) => {
        if (this.generation === generation) {
          this.inFlight.delete(key);
          this.store(key, value, now);
        }
        return value;
      },
      (error: unknown) => {
        if (this.generation === generation) this.inFlight.delete(key);
        throw error;
      },
    );
    this.inFlight.set(key, shared);
    return shared;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.inFlight.clear();
  }

  /** Keeps a found value, timed from when its read began; forgets the key when nothing was found. */
  private store(key: string, value: T | null, readAt: number): void {
    this.entries.delete(key);
    if (value === null) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, at: readAt });
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
