import { expect } from "chai";
import { CredentialCache } from "../../../src/auth/credential-cache";
import type { TokenRecord, UserRecord } from "../../../src/domain/model";

function counting() {
  const reads: string[] = [];
  const tokens = new Map<string, TokenRecord>();
  const users = new Map<string, UserRecord>();
  const storage = {
    tokens: {
      getByHash: (h: string) => {
        reads.push(`token:${h}`);
        return Promise.resolve(tokens.get(h) ?? null);
      },
    },
    sessions: {
      getByHash: (h: string) => {
        reads.push(`session:${h}`);
        return Promise.resolve(null);
      },
    },
    users: {
      get: (id: string) => {
        reads.push(`user:${id}`);
        return Promise.resolve(users.get(id) ?? null);
      },
    },
  };
  return { storage, reads, tokens, users };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Storage whose token reads stay pending until the test settles them, in the order they were issued. */
function gated() {
  const reads: { hash: string; result: Deferred<TokenRecord | null> }[] = [];
  const storage = {
    tokens: {
      getByHash: (hash: string) => {
        const result = deferred<TokenRecord | null>();
        reads.push({ hash, result });
        return result.promise;
      },
    },
    sessions: { getByHash: () => Promise.resolve(null) },
    users: { get: () => Promise.resolve(null) },
  };
  return { storage, reads };
}

const active = { id: "t1", revokedAt: null } as TokenRecord;
const revoked = { id: "t1", revokedAt: new Date(0) } as TokenRecord;

describe("CredentialCache", () => {
  it("serves a found credential from memory for one second, then reads it again", async () => {
    const { storage, reads, tokens } = counting();
    tokens.set("h1", { id: "t1" } as TokenRecord);
    let now = 0;
    const cache = new CredentialCache(storage, { clock: () => now });
    const lookups = cache.lookups();
    expect((await lookups.tokens.getByHash("h1"))?.id).to.equal("t1");
    now = 999;
    await lookups.tokens.getByHash("h1");
    expect(reads).to.deep.equal(["token:h1"]);
    now = 1000;
    await lookups.tokens.getByHash("h1");
    expect(reads).to.deep.equal(["token:h1", "token:h1"]);
  });

  it("does not remember what was not found, so a new credential works at once", async () => {
    const { storage, reads, tokens } = counting();
    const cache = new CredentialCache(storage, { clock: () => 0 });
    expect(await cache.lookups().tokens.getByHash("h2")).to.equal(null);
    tokens.set("h2", { id: "t2" } as TokenRecord);
    expect((await cache.lookups().tokens.getByHash("h2"))?.id).to.equal("t2");
    expect(reads).to.deep.equal(["token:h2", "token:h2"]);
  });

  it("forgets everything when cleared, so a local revocation applies to the next request", async () => {
    const { storage, reads, users } = counting();
    users.set("u1", { id: "u1", status: "ACTIVE" } as UserRecord);
    const cache = new CredentialCache(storage, { clock: () => 0 });
    await cache.lookups().users.get("u1");
    users.set("u1", { id: "u1", status: "LOCKED" } as UserRecord);
    cache.clear();
    expect((await cache.lookups().users.get("u1"))?.status).to.equal("LOCKED");
    expect(reads).to.deep.equal(["user:u1", "user:u1"]);
  });

  it("holds at most maxEntries credentials, dropping the oldest", async () => {
    const { storage, reads, tokens } = counting();
    for (const h of ["a", "b", "c"]) tokens.set(h, { id: h } as TokenRecord);
    const cache = new CredentialCache(storage, { clock: () => 0, maxEntries: 2 });
    for (const h of ["a", "b", "c", "b", "a"]) await cache.lookups().tokens.getByHash(h);
    expect(reads).to.deep.equal(["token:a", "token:b", "token:c", "token:a"]);
  });

  it("does not keep a read that was in flight when cleared, so a revocation applies to the next request", async () => {
    const { storage, reads } = gated();
    const cache = new CredentialCache(storage, { clock: () => 0 });
    const lookups = cache.lookups();
    const before = lookups.tokens.getByHash("h1");
    cache.clear(); // the revocation commits while the read above is still under way
    reads[0].result.resolve(active);
    expect(await before).to.equal(active); // its caller asked before the revocation
    const after = lookups.tokens.getByHash("h1");
    expect(reads).to.have.length(2);
    reads[1].result.resolve(revoked);
    expect(await after).to.equal(revoked);
    expect(await lookups.tokens.getByHash("h1")).to.equal(revoked);
    expect(reads).to.have.length(2);
  });

  it("shares one read among concurrent misses for a key, when missing and again when expired", async () => {
    const { storage, reads } = gated();
    let now = 0;
    const cache = new CredentialCache(storage, { clock: () => now });
    const lookups = cache.lookups();
    const first = Array.from({ length: 5 }, () => lookups.tokens.getByHash("h1"));
    const other = lookups.tokens.getByHash("h2");
    expect(reads.map((r) => r.hash)).to.deep.equal(["h1", "h2"]);
    reads[0].result.resolve(active);
    reads[1].result.resolve(null);
    expect(await Promise.all(first)).to.deep.equal(Array(5).fill(active));
    expect(await other).to.equal(null);
    now = 1000;
    const again = Array.from({ length: 5 }, () => lookups.tokens.getByHash("h1"));
    expect(reads.map((r) => r.hash)).to.deep.equal(["h1", "h2", "h1"]);
    reads[2].result.resolve(revoked);
    expect(await Promise.all(again)).to.deep.equal(Array(5).fill(revoked));
    const reread = lookups.tokens.getByHash("h2"); // what was not found is not remembered, even when shared
    expect(reads.map((r) => r.hash)).to.deep.equal(["h1", "h2", "h1", "h2"]);
    reads[3].result.resolve(null);
    expect(await reread).to.equal(null);
  });

  it("starts a new read for a request that arrives after a clear rather than joining the older one", async () => {
    const { storage, reads } = gated();
    const cache = new CredentialCache(storage, { clock: () => 0 });
    const lookups = cache.lookups();
    const before = lookups.tokens.getByHash("h1");
    cache.clear();
    const after = [lookups.tokens.getByHash("h1"), lookups.tokens.getByHash("h1")];
    expect(reads).to.have.length(2);
    reads[1].result.resolve(revoked);
    expect(await Promise.all(after)).to.deep.equal([revoked, revoked]);
    reads[0].result.resolve(active); // the older read ends last: it must not replace the newer record
    expect(await before).to.equal(active);
    expect(await lookups.tokens.getByHash("h1")).to.equal(revoked);
    expect(reads).to.have.length(2);
  });

  it("passes a failed read to the callers waiting on it, and the next request reads again", async () => {
    const { storage, reads } = gated();
    const cache = new CredentialCache(storage, { clock: () => 0 });
    const lookups = cache.lookups();
    const waiting = [lookups.tokens.getByHash("h1"), lookups.tokens.getByHash("h1")];
    expect(reads).to.have.length(1);
    const failure = new Error("database unreachable");
    reads[0].result.reject(failure);
    const outcomes = await Promise.all(
      waiting.map((p) =>
        p.then(
          () => "resolved",
          (e: unknown) => e,
        ),
      ),
    );
    expect(outcomes).to.deep.equal([failure, failure]);
    const retry = lookups.tokens.getByHash("h1");
    expect(reads).to.have.length(2);
    reads[1].result.resolve(active);
    expect(await retry).to.equal(active);
  });

  it("turns a read that throws at once into a rejection, and the next request reads again", async () => {
    let calls = 0;
    const storage = {
      tokens: {
        getByHash: (): Promise<TokenRecord | null> => {
          calls++;
          if (calls === 1) throw new Error("no connection");
          return Promise.resolve(active);
        },
      },
      sessions: { getByHash: () => Promise.resolve(null) },
      users: { get: () => Promise.resolve(null) },
    };
    const cache = new CredentialCache(storage, { clock: () => 0 });
    const outcome = await cache
      .lookups()
      .tokens.getByHash("h1")
      .then(
        () => "resolved",
        (e: unknown) => (e as Error).message,
      );
    expect(outcome).to.equal("no connection");
    expect(await cache.lookups().tokens.getByHash("h1")).to.equal(active);
    expect(calls).to.equal(2);
  });
});
