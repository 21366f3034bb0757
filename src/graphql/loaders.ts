// Per-request batching: a list of users with their grants and tokens costs one
// query per kind of object, not one per row.
import DataLoader from "dataloader";
import type { GrantRecord, PolicyRecord, RoleRecord, TokenRecord, UserRecord } from "../domain/model";
import type { Storage } from "../domain/ports/storage.port";

export interface Loaders {
  user: DataLoader<string, UserRecord | null>;
  grantsByUser: DataLoader<string, GrantRecord[]>;
  tokensByOwner: DataLoader<string, TokenRecord[]>;
  /** The grants each access request created, any state. */
  grantsByAccessRequest: DataLoader<string, GrantRecord[]>;
  /** Every role and policy, read once per request (they are few and change rarely). */
  roles(): Promise<Map<string, RoleRecord>>;
  policies(): Promise<Map<string, PolicyRecord>>;
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | null = null;
  return () => (pending ??= load());
}

/**
 * The request's loaders. `stateVersion` is the policy-state version this
 * instance has applied; every write bumps it, so after a mutation the caches
 * start afresh and the mutation's result (and anything after it in the same
 * request) reads what the write left behind. A loader first used after a
 * write starts from the state at its first use.
 */
export function createLoaders(storage: Storage, stateVersion: () => number): Loaders {
  return new LazyLoaders(storage, stateVersion);
}

/**
 * Built on first use: most requests (can, canMany, effectivePermissions) never
 * load through them. A class, so that the accessors are its prototype's and
 * each request allocates one small object.
 */
class LazyLoaders implements Loaders {
  private seen = 0;
  private built: Loaders | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly stateVersion: () => number,
  ) {}

  private current(): Loaders {
    const version = this.stateVersion();
    if (this.built === null || version !== this.seen) {
      this.seen = version;
      this.built = build(this.storage);
    }
    return this.built;
  }

  get user() {
    return this.current().user;
  }
  get grantsByUser() {
    return this.current().grantsByUser;
  }
  get tokensByOwner() {
    return this.current().tokensByOwner;
  }
  get grantsByAccessRequest() {
    return this.current().grantsByAccessRequest;
  }
  roles() {
    return this.current().roles();
  }
  policies() {
    return this.current().policies();
  }
}

function build(storage: Storage): Loaders {
  return {
    user: new DataLoader(async (ids) => {
      const found = new Map((await storage.users.getMany(ids)).map((u) => [u.id, u]));
      return ids.map((id) => found.get(id) ?? null);
    }),
    grantsByUser: new DataLoader(async (ids) => {
      const byUser = await storage.grants.forUsers(ids);
      return ids.map((id) => byUser.get(id) ?? []);
    }),
    tokensByOwner: new DataLoader(async (ids) => {
      const byOwner = await storage.tokens.forOwners(ids);
      return ids.map((id) => byOwner.get(id) ?? []);
    }),
    grantsByAccessRequest: new DataLoader(async (ids) => {
      const byRequest = await storage.grants.forAccessRequests(ids);
      return ids.map((id) => byRequest.get(id) ?? []);
    }),
    roles: once(async () => new Map((await storage.roles.all()).map((r) => [r.name.toLowerCase(), r]))),
    policies: once(async () => new Map((await storage.policies.all()).map((p) => [p.name.toLowerCase(), p]))),
  };
}

/** The entries of a by-name map (keys lower-cased) for `names`, in their order; names not there are left out. */
export function named<T>(byName: ReadonlyMap<string, T>, names: readonly string[]): T[] {
  return names.flatMap((n) => {
    const found = byName.get(n.toLowerCase());
    return found === undefined ? [] : [found];
  });
}
