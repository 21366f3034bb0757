import { EntityManager, IsNull, LessThanOrEqual, MoreThan } from "typeorm";
import type { SessionRecord } from "../../domain/model";
import type { SessionRepository } from "../../domain/ports/storage.port";
import { SessionEntity } from "../entities";

function toRecord(e: SessionEntity): SessionRecord {
  return {
    id: e.id,
    userId: e.userId,
    secretHash: e.secretHash,
    source: e.source as SessionRecord["source"],
    mfa: e.mfa,
    mfaVerifiedUntil: e.mfaVerifiedUntil,
    sourceIp: e.sourceIp,
    createdAt: e.createdAt,
    expiresAt: e.expiresAt,
    lastSeenAt: e.lastSeenAt,
    revokedAt: e.revokedAt,
  };
}

export class TypeormSessionRepository implements SessionRepository {
  constructor(private readonly manager: EntityManager) {}

  async get(id: string): Promise<SessionRecord | null> {
    const e = await this.manager.findOneBy(SessionEntity, { id });
    return e ? toRecord(e) : null;
  }

  async getByHash(secretHash: string): Promise<SessionRecord | null> {
    const e = await this.manager.findOneBy(SessionEntity, { secretHash });
    return e ? toRecord(e) : null;
  }

  async listByUser(userId: string, includeEnded: boolean, at: Date): Promise<SessionRecord[]> {
    const where = includeEnded ? { userId } : { userId, revokedAt: IsNull(), expiresAt: MoreThan(at) };
    return (await this.manager.find(SessionEntity, { where, order: { createdAt: "ASC", id: "ASC" } })).map(toRecord);
  }

  async create(session: SessionRecord): Promise<void> {
    await this.manager.insert(SessionEntity, Object.assign(new SessionEntity(), session));
  }

  async update(session: SessionRecord): Promise<void> {
    const { id, createdAt: _createdAt, userId: _userId, ...rest } = session;
    await this.manager.update(SessionEntity, { id }, rest);
  }

  async recordUse(id: string, at: Date, unlessUsedAfter: Date): Promise<boolean> {
    // One conditional statement, so a use recorded meanwhile (by another instance) is never overwritten with an older one.
    const result = await this.manager.update(
      SessionEntity,
      [
        { id, lastSeenAt: IsNull() },
        { id, lastSeenAt: LessThanOrEqual(unlessUsedAfter) },
      ],
      { lastSeenAt: at },
    );
    return (result.affected ?? 0) > 0;
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    const result = await this.manager.update(
      SessionEntity,
      { id, revokedAt: IsNull(), expiresAt: MoreThan(at) },
      { revokedAt: at },
    );
    return (result.affected ?? 0) > 0;
  }

  async revokeForUser(userId: string, at: Date): Promise<number> {
    // Expired sessions are already over: they are neither ended again nor counted.
    const result = await this.manager.update(
      SessionEntity,
      { userId, revokedAt: IsNull(), expiresAt: MoreThan(at) },
      { revokedAt: at },
    );
    return result.affected ?? 0;
  }
}
