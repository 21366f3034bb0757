import { EntityManager, In, IsNull, LessThanOrEqual } from "typeorm";
import type { TokenRecord } from "../../domain/model";
import type { TokenRepository } from "../../domain/ports/storage.port";
import { TokenEntity } from "../entities";

function toRecord(e: TokenEntity): TokenRecord {
  return {
    id: e.id,
    name: e.name,
    ownerId: e.ownerId,
    secretHash: e.secretHash,
    hint: e.hint,
    roles: e.roles ?? [],
    boundCidrs: e.boundCidrs ?? [],
    breakGlass: e.breakGlass,
    ttlSeconds: e.ttlSeconds,
    createdById: e.createdById,
    createdAt: e.createdAt,
    expiresAt: e.expiresAt,
    lastUsedAt: e.lastUsedAt,
    lastUsedIp: e.lastUsedIp,
    revokedAt: e.revokedAt,
  };
}

const ORDER = { createdAt: "ASC", id: "ASC" } as const;

export class TypeormTokenRepository implements TokenRepository {
  constructor(private readonly manager: EntityManager) {}

  async get(id: string): Promise<TokenRecord | null> {
    const e = await this.manager.findOneBy(TokenEntity, { id });
    return e ? toRecord(e) : null;
  }

  async getByHash(secretHash: string): Promise<TokenRecord | null> {
    const e = await this.manager.findOneBy(TokenEntity, { secretHash });
    return e ? toRecord(e) : null;
  }

  async listByOwner(ownerId: string, includeRevoked: boolean): Promise<TokenRecord[]> {
    const where = includeRevoked ? { ownerId } : { ownerId, revokedAt: IsNull() };
    return (await this.manager.find(TokenEntity, { where, order: ORDER })).map(toRecord);
  }

  async forOwners(ownerIds: readonly string[]): Promise<Map<string, TokenRecord[]>> {
    const result = new Map<string, TokenRecord[]>(ownerIds.map((id) => [id, []]));
    if (ownerIds.length === 0) return result;
    const rows = await this.manager.find(TokenEntity, { where: { ownerId: In([...ownerIds]) }, order: ORDER });
    for (const row of rows) result.get(row.ownerId)?.push(toRecord(row));
    return result;
  }

  async allActive(): Promise<TokenRecord[]> {
    return (await this.manager.find(TokenEntity, { where: { revokedAt: IsNull() }, order: ORDER })).map(toRecord);
  }

  async create(token: TokenRecord): Promise<void> {
    await this.manager.insert(TokenEntity, Object.assign(new TokenEntity(), token));
  }

  async update(token: TokenRecord): Promise<void> {
    const { id, createdAt: _createdAt, ownerId: _ownerId, ...rest } = token;
    await this.manager.update(TokenEntity, { id }, rest);
  }

  async revokeForOwner(ownerId: string, at: Date): Promise<number> {
    const result = await this.manager.update(TokenEntity, { ownerId, revokedAt: IsNull() }, { revokedAt: at });
    return result.affected ?? 0;
  }

  async recordUse(id: string, at: Date, ip: string | null, unlessUsedAfter: Date): Promise<boolean> {
    // One conditional statement, so a use recorded meanwhile (by another instance) is never overwritten with an older one.
    const result = await this.manager.update(
      TokenEntity,
      [
        { id, lastUsedAt: IsNull() },
        { id, lastUsedAt: LessThanOrEqual(unlessUsedAfter) },
      ],
      {
        lastUsedAt: at,
        lastUsedIp: ip,
      },
    );
    return (result.affected ?? 0) > 0;
  }
}
