import { EntityManager, In, LessThanOrEqual } from "typeorm";
import type {
  AccessRequestRecord,
  AccessRequestStatus,
  AccessReviewRecord,
} from "../../domain/access-requests/access-request.model";
import { DomainError } from "../../domain/errors";
import type { AccessRequestFilter, AccessRequestRepository } from "../../domain/ports/storage.port";
import { isUniqueViolation } from "../db-errors";
import { AccessRequestEntity, AccessRequestRoleEntity, AccessReviewEntity, RoleEntity } from "../entities";

export class TypeormAccessRequestRepository implements AccessRequestRepository {
  constructor(private readonly manager: EntityManager) {}

  async get(id: string): Promise<AccessRequestRecord | null> {
    const row = await this.manager.findOneBy(AccessRequestEntity, { id });
    return row ? (await this.complete([row]))[0] : null;
  }

  async list(filter: AccessRequestFilter): Promise<AccessRequestRecord[]> {
    const qb = this.manager
      .createQueryBuilder(AccessRequestEntity, "a")
      .orderBy("a.created_at", "DESC")
      .addOrderBy("a.id", "DESC");
    if (filter.requesterId !== undefined)
      qb.andWhere("a.requester_id = :requesterId", { requesterId: filter.requesterId });
    if (filter.statuses !== undefined) {
      if (filter.statuses.length === 0) return [];
      qb.andWhere("a.status IN (:...statuses)", { statuses: [...filter.statuses] });
    }
    return this.complete(await qb.getMany());
  }

  async pendingDue(now: Date, limit: number): Promise<string[]> {
    // Find options, not a query builder: typeorm then stores `now` as the column stores dates on each database.
    const rows = await this.manager.find(AccessRequestEntity, {
      select: { id: true },
      where: { status: "PENDING", expiresAt: LessThanOrEqual(now) },
      order: { expiresAt: "ASC", id: "ASC" },
      take: limit,
    });
    return rows.map((r) => r.id);
  }

  async pendingForRole(role: string): Promise<string[]> {
    const rows = await this.manager
      .createQueryBuilder(AccessRequestEntity, "a")
      .select("a.id", "id")
      .innerJoin(AccessRequestRoleEntity, "ar", "ar.request_id = a.id")
      .innerJoin(RoleEntity, "r", "r.id = ar.role_id")
      .where("a.status = 'PENDING' AND r.name_key = :role", { role: role.toLowerCase() })
      .orderBy("a.id", "ASC")
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  async create(request: AccessRequestRecord): Promise<void> {
    const roles = await this.manager.findBy(RoleEntity, { nameKey: In(request.roles.map((r) => r.toLowerCase())) });
    const byKey = new Map(roles.map((r) => [r.nameKey, r]));
    await this.manager.insert(AccessRequestEntity, {
      id: request.id,
      requesterId: request.requesterId,
      reason: request.reason,
      scope: request.scope,
      status: request.status,
      ttlSeconds: request.ttlSeconds,
      approvalsRequired: request.approvalsRequired,
      denialsRequired: request.denialsRequired,
      createdAt: request.createdAt,
      expiresAt: request.expiresAt,
      decidedAt: request.decidedAt,
    });
    const links = request.roles.map((name, position) => {
      const role = byKey.get(name.toLowerCase());
      if (!role) throw new DomainError("NOT_FOUND", `role '${name}' does not exist`, { field: `roles[${position}]` });
      return { requestId: request.id, roleId: role.id, position };
    });
    if (links.length > 0) await this.manager.insert(AccessRequestRoleEntity, links);
  }

  async updateState(id: string, state: Pick<AccessRequestRecord, "status" | "expiresAt" | "decidedAt">): Promise<void> {
    await this.manager.update(
      AccessRequestEntity,
      { id },
      { status: state.status, expiresAt: state.expiresAt, decidedAt: state.decidedAt },
    );
  }

  async addReview(review: AccessReviewRecord): Promise<void> {
    try {
      await this.manager.insert(AccessReviewEntity, { ...review });
    } catch (err) {
      if (isUniqueViolation(err))
        throw new DomainError("CONFLICT", "you have already reviewed this request", { field: "id" });
      throw err;
    }
  }

  /** Adds roles and reviews to the rows: one query for each, whatever the number of rows. */
  private async complete(rows: AccessRequestEntity[]): Promise<AccessRequestRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const roleRows = await this.manager
      .createQueryBuilder(AccessRequestRoleEntity, "ar")
      .innerJoin(RoleEntity, "r", "r.id = ar.role_id")
      .select("ar.request_id", "request_id")
      .addSelect("r.name", "name")
      .where("ar.request_id IN (:...ids)", { ids })
      .orderBy("ar.request_id", "ASC")
      .addOrderBy("ar.position", "ASC")
      .getRawMany<{ request_id: string; name: string }>();
    const reviews = await this.manager.find(AccessReviewEntity, {
      where: { requestId: In(ids) },
      order: { createdAt: "ASC", id: "ASC" },
    });
    const rolesOf = new Map<string, string[]>(ids.map((id) => [id, []]));
    for (const r of roleRows) rolesOf.get(r.request_id)?.push(r.name);
    const reviewsOf = new Map<string, AccessReviewRecord[]>(ids.map((id) => [id, []]));
    for (const r of reviews) {
      reviewsOf.get(r.requestId)?.push({
        id: r.id,
        requestId: r.requestId,
        reviewerId: r.reviewerId,
        approve: Boolean(r.approve),
        comment: r.comment,
        createdAt: r.createdAt,
      });
    }
    return rows.map((e) => ({
      id: e.id,
      requesterId: e.requesterId,
      roles: rolesOf.get(e.id)!,
      reason: e.reason,
      scope: e.scope,
      status: e.status as AccessRequestStatus,
      ttlSeconds: e.ttlSeconds,
      approvalsRequired: e.approvalsRequired,
      denialsRequired: e.denialsRequired,
      createdAt: e.createdAt,
      expiresAt: e.expiresAt,
      decidedAt: e.decidedAt,
      reviews: reviewsOf.get(e.id)!,
    }));
  }
}
