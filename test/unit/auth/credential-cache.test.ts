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
});
