import { EntityManager, In, IsNull, MoreThan } from "typeorm";
import { DomainError } from "../../domain/errors";
import type { UserRecord } from "../../domain/model";
import type { UserRepository } from "../../domain/ports/storage.port";
import { normalizeEmail } from "../../domain/users/user-input";
import { isUniqueViolation } from "../db-errors";
import { UserEntity } from "../entities";

export function toUserRecord(e: UserEntity): UserRecord {
  return {
    id: e.id,
    email: e.email,
    displayName: e.displayName,
    kind: e.kind as UserRecord["kind"],
    status: e.status as UserRecord["status"],
    source: e.source as UserRecord["source"],
    externalId: e.externalId,
    externalProvider: e.externalProvider ?? null,
    groups: e.groups ?? [],
    mfaEnrolled: e.mfaEnrolled,
    lockedReason: e.lockedReason,
    createdAt: e.createdAt,
    lastSeenAt: e.lastSeenAt,
    removedAt: e.removedAt ?? null,
  };
}

function toEntity(u: UserRecord): UserEntity {
  return Object.assign(new UserEntity(), {
    ...u,
    email: normalizeEmail(u.email),
    externalProvider: u.externalProvider ?? null,
    removedAt: u.removedAt ?? null,
  });
}

export class TypeormUserRepository implements UserRepository {
  constructor(private readonly manager: EntityManager) {}

  async get(id: string): Promise<UserRecord | null> {
    const e = await this.manager.findOneBy(UserEntity, { id });
    return e ? toUserRecord(e) : null;
  }

  async getMany(ids: readonly string[]): Promise<UserRecord[]> {
    if (ids.length === 0) return [];
    return (await this.manager.findBy(UserEntity, { id: In([...ids]) })).map(toUserRecord);
  }

  async getByEmail(email: string): Promise<UserRecord | null> {
    const e = await this.manager.findOneBy(UserEntity, { email: normalizeEmail(email) });
    return e ? toUserRecord(e) : null;
  }

  async findByExternalId(externalId: string): Promise<UserRecord[]> {
    // MySQL's default collation compares case-insensitively: keep exact matches only.
    const rows = await this.manager.find(UserEntity, { where: { externalId }, order: { id: "ASC" } });
    return rows.filter((e) => e.externalId === externalId).map(toUserRecord);
  }

  async membersOf(group: string): Promise<UserRecord[]> {
    // Groups are a JSON array in a text column: narrow down with LIKE on the
    // name's JSON form, then keep exact members only.
    const pattern = `%${JSON.stringify(group).replace(/[!%_]/g, (c) => `!${c}`)}%`;
    const rows = await this.manager
      .createQueryBuilder(UserEntity, "u")
      .where("u.groups LIKE :pattern ESCAPE '!'", { pattern })
      .orderBy("u.id", "ASC")
      .getMany();
    return rows.filter((e) => (e.groups ?? []).includes(group)).map(toUserRecord);
  }

  async groupNames(): Promise<string[]> {
    const rows = await this.manager
      .createQueryBuilder(UserEntity, "u")
      .select("u.groups", "groups")
      .where("u.groups <> '[]'")
      .getRawMany<{ groups: string | null }>();
    const names = new Set<string>();
    for (const row of rows) for (const g of JSON.parse(row.groups ?? "[]") as string[]) names.add(g);
    return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async getByExternalIdentity(
    source: UserRecord["source"],
    provider: string,
    externalId: string,
  ): Promise<UserRecord | null> {
    const rows = await this.manager.find(UserEntity, {
      where: [
        { source, externalId, externalProvider: provider },
        { source, externalId, externalProvider: IsNull() },
      ],
      order: { id: "ASC" },
    });
    // A collation that ignores case would find `ABC` for `abc`: keep exact matches only.
    const exact = rows.filter((e) => e.externalId === externalId && e.source === source);
    const e =
      exact.find((r) => r.externalProvider === provider) ?? exact.find((r) => r.externalProvider === null) ?? null;
    return e ? toUserRecord(e) : null;
  }

  async listPresent(offset: number, limit: number): Promise<UserRecord[]> {
    if (limit <= 0) return [];
    const rows = await this.manager.find(UserEntity, {
      where: { removedAt: IsNull() },
      order: { id: "ASC" },
      skip: offset,
      take: limit,
    });
    return rows.map(toUserRecord);
  }

  countPresent(): Promise<number> {
    return this.manager.countBy(UserEntity, { removedAt: IsNull() });
  }

  async list(first: number, after?: string): Promise<UserRecord[]> {
    const rows = await this.manager.find(UserEntity, {
      where: after === undefined ? {} : { id: MoreThan(after) },
      order: { id: "ASC" },
      take: first,
    });
    return rows.map(toUserRecord);
  }

  async all(): Promise<UserRecord[]> {
    return (await this.manager.find(UserEntity, { order: { id: "ASC" } })).map(toUserRecord);
  }

  async create(user: UserRecord): Promise<void> {
    try {
      await this.manager.insert(UserEntity, toEntity(user));
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DomainError("CONFLICT", `a user with email '${user.email}' already exists`, { field: "input.email" });
      throw err;
    }
  }

  async update(user: UserRecord): Promise<void> {
    const { id, createdAt: _createdAt, ...rest } = toEntity(user);
    try {
      await this.manager.update(UserEntity, { id }, rest);
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DomainError("CONFLICT", `a user with email '${user.email}' already exists`, { field: "email" });
      throw err;
    }
  }

  count(): Promise<number> {
    return this.manager.count(UserEntity);
  }
}
