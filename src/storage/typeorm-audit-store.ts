import { Between, DataSource, EntityManager, type SelectQueryBuilder } from "typeorm";
import type { AuditEventInput, AuditEventRecord } from "../domain/audit/audit-event";
import type { AuditFilter } from "../domain/audit/audit-filter";
import type { Mutex } from "../domain/mutex";
import type { AuditStore, ChainFn } from "../domain/ports/audit.port";
import type { AuditAppender } from "../domain/ports/storage.port";
import { AuditEventEntity, AuditEventRoleEntity, AuditHeadEntity } from "./entities";

// SQLite allows 32766 bound variables per statement; 19 columns a row.
const ROWS_PER_INSERT = 500;

export function toAuditRecord(e: AuditEventEntity): AuditEventRecord {
  return {
    id: e.id, sequence: Number(e.sequence), time: e.time, actorId: e.actorId, actorEmail: e.actorEmail,
    actorRoles: e.actorRoles ?? [], tokenId: e.tokenId, sourceIp: e.sourceIp, operation: e.operation, action: e.action,
    resourceType: e.resourceType, resourceNamespace: e.resourceNamespace, resourceName: e.resourceName,
    subjectId: e.subjectId, decision: e.decision as AuditEventRecord["decision"], reason: e.reason as AuditEventRecord["reason"],
    requestId: e.requestId, metadata: (e.metadata as Record<string, unknown> | null) ?? null, prevHash: e.prevHash, hash: e.hash,
  };
}

function toEntity(r: AuditEventRecord): AuditEventEntity {
  return Object.assign(new AuditEventEntity(), { ...r, sequence: String(r.sequence) });
}

/** Row values in column order, prepared by the driver exactly as typeorm would store them. */
function rowValues(manager: EntityManager, record: AuditEventRecord): unknown[] {
  const { driver } = manager.connection;
  const entity = toEntity(record);
  return auditColumns(manager).map((column) => {
    // Untransformed: preparePersistentValue applies the column transformer itself.
    const raw = column.getEntityValue(entity);
    return driver.preparePersistentValue(raw, column);
  });
}

function auditColumns(manager: EntityManager) {
  return manager.connection.getMetadata(AuditEventEntity).columns;
}

/**
 * Locks the chain head (MySQL: the row, so instances never interleave; SQLite
 * has one writer at a time already), numbers and hashes the events after it,
 * inserts them and moves the head — all in the transaction of `manager`. Plain
 * multi-row INSERTs: this runs for every decision, so it skips the query builder.
 */
async function appendIn(manager: EntityManager, sqlite: boolean, events: AuditEventInput[], chain: ChainFn): Promise<AuditEventRecord[]> {
  const q = (name: string) => (sqlite ? `"${name}"` : `\`${name}\``);
  const [head] = (await manager.query(`SELECT ${q("sequence")}, ${q("hash")} FROM ${q("audit_head")} WHERE ${q("id")} = 1${sqlite ? "" : " FOR UPDATE"}`)) as Array<{ sequence: string | number; hash: string }>;
  if (!head) throw new Error("audit_head row is missing");
  const records = chain({ sequence: Number(head.sequence), hash: head.hash }, events);
  if (records.length === 0) return records;
  const columns = auditColumns(manager);
  const columnList = columns.map((c) => q(c.databaseName)).join(", ");
  const rowPlaceholder = `(${columns.map(() => "?").join(", ")})`;
  for (let i = 0; i < records.length; i += ROWS_PER_INSERT) {
    const chunk = records.slice(i, i + ROWS_PER_INSERT);
    await manager.query(
      `INSERT INTO ${q("audit_events")} (${columnList}) VALUES ${chunk.map(() => rowPlaceholder).join(", ")}`,
      chunk.flatMap((r) => rowValues(manager, r)),
    );
  }
  const roles = records.flatMap((r) => [...new Set(r.actorRoles)].map((role) => [String(r.sequence), role]));
  for (let i = 0; i < roles.length; i += ROWS_PER_INSERT * 4) {
    const chunk = roles.slice(i, i + ROWS_PER_INSERT * 4);
    await manager.query(`INSERT INTO ${q("audit_event_roles")} (${q("sequence")}, ${q("role")}) VALUES ${chunk.map(() => "(?, ?)").join(", ")}`, chunk.flat());
  }
  const last = records[records.length - 1]!;
  await manager.query(`UPDATE ${q("audit_head")} SET ${q("sequence")} = ?, ${q("hash")} = ? WHERE ${q("id")} = 1`, [String(last.sequence), last.hash]);
  return records;
}

/** Appends in a transaction someone else owns: the events commit or roll back with it. */
export function auditAppenderFor(manager: EntityManager, sqlite: boolean): AuditAppender {
  return { append: (events, chain) => appendIn(manager, sqlite, events, chain) };
}

export class TypeormAuditStore implements AuditStore {
  private readonly sqlite: boolean;

  constructor(
    private readonly dataSource: DataSource,
    private readonly lock: Mutex | null,
  ) {
    this.sqlite = dataSource.options.type === "better-sqlite3";
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    return this.lock ? this.lock.run(work) : work();
  }

  append(events: AuditEventInput[], chain: ChainFn): Promise<AuditEventRecord[]> {
    return this.serial(() => this.dataSource.transaction((manager) => appendIn(manager, this.sqlite, events, chain)));
  }

  async range(from: number, to: number): Promise<AuditEventRecord[]> {
    const rows = await this.serial(() =>
      this.dataSource.manager.find(AuditEventEntity, { where: { sequence: Between(String(from), String(to)) }, order: { sequence: "ASC" } }));
    return rows.map(toAuditRecord);
  }

  async head(): Promise<{ sequence: number; hash: string }> {
    const head = await this.serial(() => this.dataSource.manager.findOneByOrFail(AuditHeadEntity, { id: 1 }));
    return { sequence: Number(head.sequence), hash: head.hash };
  }

  searchBefore(filter: AuditFilter, before: number | null, limit: number): Promise<AuditEventRecord[]> {
    return this.run(this.searchQuery(filter, before, limit));
  }

  scanAfter(filter: AuditFilter, after: number, upTo: number, limit: number): Promise<AuditEventRecord[]> {
    const { qb, seq } = this.filtered(filter);
    return this.run(qb.andWhere(`${seq} > :after`, { after }).andWhere(`${seq} <= :upTo`, { upTo }).orderBy(seq, "ASC").limit(limit));
  }

  /** The query searchBefore runs (exposed so that tests can EXPLAIN it). */
  searchQuery(filter: AuditFilter, before: number | null, limit: number): SelectQueryBuilder<AuditEventEntity> {
    const { qb, seq } = this.filtered(filter);
    if (before !== null) qb.andWhere(`${seq} < :before`, { before });
    return qb.orderBy(seq, "DESC").limit(limit);
  }

  /**
   * Runs the query exactly as built: getMany would split a joined, limited query
   * into two (ids first), which is neither the plan we index for nor one query.
   */
  private async run(qb: SelectQueryBuilder<AuditEventEntity>): Promise<AuditEventRecord[]> {
    const [sql, parameters] = qb.getQueryAndParameters();
    const rows = (await this.serial(() => this.dataSource.manager.query(sql, parameters))) as Array<Record<string, unknown>>;
    const { driver } = this.dataSource;
    const columns = this.dataSource.getMetadata(AuditEventEntity).columns;
    return rows.map((row) => {
      const entity = new AuditEventEntity();
      for (const column of columns) {
        // Applies the column's transformer too (JSON text → value).
        (entity as unknown as Record<string, unknown>)[column.propertyName] = driver.prepareHydratedValue(row[`e_${column.databaseName}`], column);
      }
      return toAuditRecord(entity);
    });
  }

  /**
   * WHERE filters; the caller adds a sequence bound, ORDER BY sequence and LIMIT.
   * With a role the query starts from audit_event_roles (role, sequence) and
   * orders by its sequence, so that index is walked in order; otherwise each
   * filter column has a (column, sequence) index on audit_events.
   */
  private filtered(filter: AuditFilter): { qb: SelectQueryBuilder<AuditEventEntity>; seq: string } {
    const manager = this.dataSource.manager;
    let qb = manager.createQueryBuilder(AuditEventEntity, "e");
    let seq = "e.sequence";
    if (filter.role != null) {
      qb = qb.innerJoin(AuditEventRoleEntity, "r", "r.sequence = e.sequence").andWhere("r.role = :role", { role: filter.role });
      seq = "r.sequence";
    }
    const exact = { actorId: filter.actorId, actorEmail: filter.actorEmail, decision: filter.decision, operation: filter.operation,
      resourceType: filter.resourceType, resourceName: filter.resourceName };
    for (const [column, value] of Object.entries(exact)) {
      if (value != null) qb = qb.andWhere(`e.${column} = :${column}`, { [column]: value });
    }
    // Bound as the column stores it (SQLite: UTC text with milliseconds), so comparisons are exact.
    const timeColumn = manager.connection.getMetadata(AuditEventEntity).findColumnWithPropertyName("time")!;
    const stored = (date: Date) => manager.connection.driver.preparePersistentValue(date, timeColumn);
    if (filter.since != null) qb = qb.andWhere("e.time >= :since", { since: stored(filter.since) });
    if (filter.until != null) qb = qb.andWhere("e.time < :until", { until: stored(filter.until) });
    return { qb, seq };
  }
}
