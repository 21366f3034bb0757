import { Between, DataSource, EntityManager } from "typeorm";
import type { AuditEventInput, AuditEventRecord } from "../domain/audit/audit-event";
import type { Mutex } from "../domain/mutex";
import type { AuditStore, ChainFn } from "../domain/ports/audit.port";
import type { AuditAppender } from "../domain/ports/storage.port";
import { AuditEventEntity, AuditHeadEntity } from "./entities";

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
}
