import { Between, DataSource, EntityManager, type SelectQueryBuilder } from "typeorm";
import type { AuditEventInput, AuditEventRecord } from "../domain/audit/audit-event";
import { AUDIT_EVENT_FIELDS } from "../domain/audit/audit-hash";
import type { AuditFilter } from "../domain/audit/audit-filter";
import type { Mutex } from "../domain/mutex";
import { escape, type SqlValue } from "mysql2";
import type { AuditDecision, AuditStore, ChainFn, ChainHead, StoredEvent } from "../domain/ports/audit.port";
import type { AuditAppender } from "../domain/ports/storage.port";
import type { AuditWriterThread } from "./audit-writer-thread";
import { LockedAppends } from "./sqlite-audit-writer";
import { AuditCheckpointEntity, AuditEventEntity, AuditEventRoleEntity, AuditHeadEntity } from "./entities";

// Rows per INSERT statement. SQLite allows 32766 bound variables per statement
// (20 columns a row); MySQL takes larger statements (up to max_allowed_packet,
// 16 MB by default; a row is under 2 KB), and fewer statements per batch cost it less.
const ROWS_PER_INSERT = { sqlite: 1000, mysql: 2000 };

export function toAuditRecord(e: AuditEventEntity): AuditEventRecord {
  return {
    id: e.id,
    sequence: Number(e.sequence),
    time: e.time,
    actorId: e.actorId,
    actorEmail: e.actorEmail,
    actorRoles: e.actorRoles ?? [],
    tokenId: e.tokenId,
    sourceIp: e.sourceIp,
    operation: e.operation,
    action: e.action,
    resourceType: e.resourceType,
    resourceNamespace: e.resourceNamespace,
    resourceName: e.resourceName,
    subjectId: e.subjectId,
    decision: e.decision as AuditEventRecord["decision"],
    reason: e.reason as AuditEventRecord["reason"],
    requestId: e.requestId,
    metadata: (e.metadata as Record<string, unknown> | null) ?? null,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

type ColumnMetadata = ReturnType<EntityManager["connection"]["getMetadata"]>["columns"][number];

/** How each column's value is taken from a record, worked out once per data source. */
interface RowPlan {
  columns: ColumnMetadata[];
  values: Array<(record: AuditEventRecord) => unknown>;
}

const rowPlans = new WeakMap<DataSource, RowPlan>();

/**
 * Row values in column order, stored exactly as typeorm would store them: the
 * driver prepares dates and transformed (JSON) columns; plain columns are
 * passed as they are, since the driver would return them unchanged. This runs
 * for every decision, so the generic per-column path is kept for the few
 * columns that need it.
 */
function rowPlan(manager: EntityManager): RowPlan {
  const dataSource = manager.connection;
  let plan = rowPlans.get(dataSource);
  if (plan) return plan;
  const { driver } = dataSource;
  const columns = dataSource.getMetadata(AuditEventEntity).columns;
  const values = columns.map((column): ((record: AuditEventRecord) => unknown) => {
    const property = column.propertyName as keyof AuditEventRecord;
    if (property === "sequence") return (record) => String(record.sequence);
    if (column.transformer || column.type === "datetime")
      return (record): unknown => driver.preparePersistentValue(record[property], column) as unknown;
    return (record) => record[property] ?? null;
  });
  plan = { columns, values };
  rowPlans.set(dataSource, plan);
  return plan;
}

/** The columns readDecisions selects: an event's fields but these (a row is mostly hashes and ids it does not need). */
const NOT_DECIDING: ReadonlySet<string> = new Set<Exclude<keyof AuditEventRecord, keyof AuditDecision>>([
  "id",
  "actorEmail",
  "actorRoles",
  "reason",
  "requestId",
]);
const DECISION_FIELDS: ReadonlySet<string> = new Set(AUDIT_EVENT_FIELDS.filter((f) => !NOT_DECIDING.has(f)));

/** How rows of a plain SELECT become AuditDecisions, worked out once per data source: the driver converts dates and JSON, the rest is taken as it is. */
interface ReadPlan {
  select: string;
  record: (row: Record<string, unknown>) => Record<string, unknown>;
}

const readPlans = new WeakMap<DataSource, ReadPlan>();

function readPlan(dataSource: DataSource): ReadPlan {
  let plan = readPlans.get(dataSource);
  if (plan) return plan;
  const { driver } = dataSource;
  const sqlite = dataSource.options.type === "better-sqlite3";
  const columns = dataSource.getMetadata(AuditEventEntity).columns.filter((c) => DECISION_FIELDS.has(c.propertyName));
  const q = (name: string) => (sqlite ? `"${name}"` : `\`${name}\``);
  const readers = columns.map((column) => {
    const property = column.propertyName as keyof AuditEventRecord;
    const key = column.databaseName;
    if (property === "sequence")
      return (row: Record<string, unknown>, out: Record<string, unknown>) => {
        out.sequence = Number(row[key]);
      };
    if (column.transformer || column.type === "datetime") {
      return (row: Record<string, unknown>, out: Record<string, unknown>) => {
        out[property] = driver.prepareHydratedValue(row[key], column);
      };
    }
    return (row: Record<string, unknown>, out: Record<string, unknown>) => {
      out[property] = row[key] ?? null;
    };
  });
  plan = {
    select: columns.map((c) => q(c.databaseName)).join(", "),
    record: (row) => {
      const out: Record<string, unknown> = {};
      for (const read of readers) read(row, out);
      return out;
    },
  };
  readPlans.set(dataSource, plan);
  return plan;
}

interface PreparedAppend {
  head: ChainHead;
  records: AuditEventRecord[];
  statements: Array<{ sql: string; params: unknown[] }>;
}

/**
 * Numbers and hashes the events after `head` and builds the statements that
 * insert them and move the head. Pure work, no I/O: it can run before the head
 * is locked. On MySQL the values are formatted into the SQL here (with the
 * connection's own rules: UTC dates), so nothing is left for the driver to do
 * while the head is held.
 */
function prepareAppend(
  manager: EntityManager,
  sqlite: boolean,
  head: ChainHead,
  events: AuditEventInput[],
  chain: ChainFn,
): PreparedAppend {
  const q = (name: string) => (sqlite ? `"${name}"` : `\`${name}\``);
  // MySQL: each value escaped into its place directly (the connection's rules: UTC dates); a row is
  // 20 values and a batch thousands of rows, which a format() pass over the placeholders scanned again.
  const rows = (width: number, values: unknown[], sqlPrefix: string) => {
    const count = values.length / width;
    if (sqlite) {
      const row = `(${Array.from({ length: width }, () => "?").join(", ")})`;
      return { sql: `${sqlPrefix} ${Array.from({ length: count }, () => row).join(", ")}`, params: values };
    }
    const parts: string[] = [];
    for (let r = 0; r < count; r++) {
      const cells: string[] = [];
      for (let c = 0; c < width; c++) cells.push(escape(values[r * width + c] as SqlValue, false, "Z"));
      parts.push(`(${cells.join(", ")})`);
    }
    return { sql: `${sqlPrefix} ${parts.join(", ")}`, params: [] };
  };
  const records = chain(head, events);
  const statements: PreparedAppend["statements"] = [];
  if (records.length === 0) return { head, records, statements };
  const plan = rowPlan(manager);
  const columnList = plan.columns.map((c) => q(c.databaseName)).join(", ");
  const rowsPerInsert = sqlite ? ROWS_PER_INSERT.sqlite : ROWS_PER_INSERT.mysql;
  for (let i = 0; i < records.length; i += rowsPerInsert) {
    const chunk = records.slice(i, i + rowsPerInsert);
    statements.push(
      rows(
        plan.columns.length,
        chunk.flatMap((r) => plan.values.map((value) => value(r))),
        `INSERT INTO ${q("audit_events")} (${columnList}) VALUES`,
      ),
    );
  }
  const roles = records.flatMap((r) => [...new Set(r.actorRoles)].map((role) => [String(r.sequence), role]));
  for (let i = 0; i < roles.length; i += rowsPerInsert * 4) {
    const chunk = roles.slice(i, i + rowsPerInsert * 4);
    statements.push(
      rows(2, chunk.flat(), `INSERT INTO ${q("audit_event_roles")} (${q("sequence")}, ${q("role")}) VALUES`),
    );
  }
  const last = records[records.length - 1];
  const [sequence, hash] = sqlite ? ["?", "?"] : [escape(String(last.sequence)), escape(last.hash)];
  statements.push({
    sql: `UPDATE ${q("audit_head")} SET ${q("sequence")} = ${sequence}, ${q("hash")} = ${hash} WHERE ${q("id")} = 1`,
    params: sqlite ? [String(last.sequence), last.hash] : [],
  });
  return { head, records, statements };
}

/**
 * Locks the chain head (MySQL: the row, so instances never interleave; SQLite
 * has one writer at a time already), numbers and hashes the events after it,
 * inserts them and moves the head — all in the transaction of `manager`. Plain
 * multi-row INSERTs: this runs for every decision, so it skips the query builder.
 * With `expected`, the statements are prepared before the lock and used when
 * the head is indeed there.
 */
async function appendIn(
  manager: EntityManager,
  sqlite: boolean,
  events: AuditEventInput[],
  chain: ChainFn,
  expected?: ChainHead,
): Promise<AuditEventRecord[]> {
  const q = (name: string) => (sqlite ? `"${name}"` : `\`${name}\``);
  let prepared = expected ? prepareAppend(manager, sqlite, expected, events, chain) : null;
  const [row] = await manager.query<Array<{ sequence: string | number; hash: string }>>(
    `SELECT ${q("sequence")}, ${q("hash")} FROM ${q("audit_head")} WHERE ${q("id")} = 1${sqlite ? "" : " FOR UPDATE"}`,
  );
  if (!row) throw new Error("audit_head row is missing");
  const head = { sequence: Number(row.sequence), hash: row.hash };
  if (!prepared || prepared.head.sequence !== head.sequence || prepared.head.hash !== head.hash)
    prepared = prepareAppend(manager, sqlite, head, events, chain);
  for (const { sql, params } of prepared.statements) await manager.query(sql, params);
  return prepared.records;
}

/** Appends in a transaction someone else owns: the events commit or roll back with it. */
export function auditAppenderFor(manager: EntityManager, sqlite: boolean): AuditAppender {
  return { append: (events, chain) => appendIn(manager, sqlite, events, chain) };
}

export class TypeormAuditStore implements AuditStore {
  private readonly sqlite: boolean;
  /** The event columns and their keys in a raw row aliased `e`, looked up once. */
  private columns: Array<{ column: ColumnMetadata; key: string }> | undefined;
  /** Batches in flight at a time where a writer thread has them: one is prepared while the one before it commits. */
  readonly concurrentAppends: number;

  /** SQLite in a file, and MySQL: the writer thread numbers, hashes and inserts group commits. */
  readonly appendChained?: (events: AuditEventInput[]) => Promise<AuditEventRecord[]>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly lock: Mutex | null,
    /** The audit writer thread (SQLite in a file, and MySQL); on SQLite its batches take turns with the request thread's lock. */
    writer: AuditWriterThread | null = null,
  ) {
    this.sqlite = dataSource.options.type === "better-sqlite3";
    this.concurrentAppends = this.sqlite && !writer ? 1 : 2;
    if (writer && lock) {
      const appends = new LockedAppends(writer, lock);
      this.appendChained = (events) => appends.append(events);
    } else if (writer) {
      this.appendChained = (events) => writer.append(events);
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    return this.lock ? this.lock.run(work) : work();
  }

  append(events: AuditEventInput[], chain: ChainFn, expected?: ChainHead): Promise<AuditEventRecord[]> {
    return this.serial(() =>
      this.dataSource.transaction((manager) => appendIn(manager, this.sqlite, events, chain, expected)),
    );
  }

  async range(from: number, to: number): Promise<AuditEventRecord[]> {
    const rows = await this.serial(() =>
      this.dataSource.manager.find(AuditEventEntity, {
        where: { sequence: Between(String(from), String(to)) },
        order: { sequence: "ASC" },
      }),
    );
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
    return this.run(
      qb.andWhere(`${seq} > :after`, { after }).andWhere(`${seq} <= :upTo`, { upTo }).orderBy(seq, "ASC").limit(limit),
    );
  }

  async scanStored(after: number, upTo: number, limit: number): Promise<StoredEvent[]> {
    const qb = this.dataSource.manager
      .createQueryBuilder(AuditEventEntity, "e")
      .where("e.sequence > :after", { after })
      .andWhere("e.sequence <= :upTo", { upTo })
      .orderBy("e.sequence", "ASC")
      .limit(limit);
    const [sql, parameters] = qb.getQueryAndParameters();
    const rows = await this.serial(() =>
      this.dataSource.manager.query<Array<Record<string, unknown>>>(sql, parameters),
    );
    if (rows.length === 0) return [];
    const last = Number(rows[rows.length - 1].e_sequence);
    const q = (name: string) => (this.sqlite ? `"${name}"` : `\`${name}\``);
    const roleRows = await this.serial(() =>
      this.dataSource.manager.query<Array<{ s: string | number; r: string }>>(
        `SELECT ${q("sequence")} AS s, ${q("role")} AS r FROM ${q("audit_event_roles")} WHERE ${q("sequence")} > ? AND ${q("sequence")} <= ?`,
        [after, last],
      ),
    );
    const roles = new Map<number, string[]>();
    for (const { s, r } of roleRows) {
      const list = roles.get(Number(s));
      if (list) list.push(r);
      else roles.set(Number(s), [r]);
    }
    return rows.map((row) => {
      const sequence = Number(row.e_sequence);
      let record: AuditEventRecord | null;
      try {
        record = this.hydrate(row);
      } catch {
        // A column that cannot be read back (metadata that is not JSON): the event is broken, not the verification.
        record = null;
      }
      return { sequence, record, indexedRoles: roles.get(sequence) ?? [] };
    });
  }

  async checkpoint(): Promise<ChainHead | null> {
    const row = await this.serial(() => this.dataSource.manager.findOneBy(AuditCheckpointEntity, { id: 1 }));
    return row ? { sequence: Number(row.sequence), hash: row.hash } : null;
  }

  async saveCheckpoint(at: ChainHead): Promise<void> {
    const values = { sequence: String(at.sequence), hash: at.hash, verifiedAt: new Date() };
    await this.serial(async () => {
      const manager = this.dataSource.manager;
      if (!(await manager.findOneBy(AuditCheckpointEntity, { id: 1 }))) {
        // Another instance may insert it first: then the update below decides.
        try {
          await manager.insert(AuditCheckpointEntity, { id: 1, ...values });
          return;
        } catch {
          /* already there */
        }
      }
      await manager
        .createQueryBuilder()
        .update(AuditCheckpointEntity)
        .set(values)
        .where("id = 1")
        .andWhere("sequence < :sequence", { sequence: at.sequence })
        .execute();
    });
  }

  async readDecisions(from: number, to: number, limit: number): Promise<AuditDecision[]> {
    const plan = readPlan(this.dataSource);
    const q = (name: string) => (this.sqlite ? `"${name}"` : `\`${name}\``);
    const sql = `SELECT ${plan.select} FROM ${q("audit_events")} WHERE ${q("sequence")} >= ? AND ${q("sequence")} <= ? ORDER BY ${q("sequence")} ASC LIMIT ${Math.max(0, Math.floor(limit))}`;
    const rows = await this.serial(() =>
      this.dataSource.manager.query<Array<Record<string, unknown>>>(sql, [String(from), String(to)]),
    );
    return rows.map(plan.record) as AuditDecision[];
  }

  async firstSequenceSince(since: Date): Promise<number | null> {
    const qb = this.filtered({ since })
      .qb.select("e.sequence", "sequence")
      .orderBy("e.time", "ASC")
      .addOrderBy("e.sequence", "ASC")
      .limit(1);
    const [sql, parameters] = qb.getQueryAndParameters();
    const [row] = await this.serial(() =>
      this.dataSource.manager.query<Array<{ sequence: string | number }>>(sql, parameters),
    );
    return row === undefined ? null : Number(row.sequence);
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
    const rows = await this.serial(() =>
      this.dataSource.manager.query<Array<Record<string, unknown>>>(sql, parameters),
    );
    return rows.map((row) => this.hydrate(row));
  }

  /** A raw row of a query on AuditEventEntity aliased `e`, as a record. */
  private hydrate(row: Record<string, unknown>): AuditEventRecord {
    const { driver } = this.dataSource;
    const entity = new AuditEventEntity();
    this.columns ??= this.dataSource
      .getMetadata(AuditEventEntity)
      .columns.map((column) => ({ column, key: `e_${column.databaseName}` }));
    for (const { column, key } of this.columns) {
      // Applies the column's transformer too (JSON text → value).
      (entity as unknown as Record<string, unknown>)[column.propertyName] = driver.prepareHydratedValue(
        row[key],
        column,
      );
    }
    return toAuditRecord(entity);
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
      qb = qb
        .innerJoin(AuditEventRoleEntity, "r", "r.sequence = e.sequence")
        .andWhere("r.role = :role", { role: filter.role });
      seq = "r.sequence";
    }
    const exact = {
      actorId: filter.actorId,
      actorEmail: filter.actorEmail,
      decision: filter.decision,
      operation: filter.operation,
      resourceType: filter.resourceType,
      resourceName: filter.resourceName,
    };
    for (const [column, value] of Object.entries(exact)) {
      if (value != null) qb = qb.andWhere(`e.${column} = :${column}`, { [column]: value });
    }
    // Bound as the column stores it (SQLite: UTC text with milliseconds), so comparisons are exact.
    const timeColumn = manager.connection.getMetadata(AuditEventEntity).findColumnWithPropertyName("time")!;
    const stored = (date: Date): unknown =>
      manager.connection.driver.preparePersistentValue(date, timeColumn) as unknown;
    if (filter.since != null) qb = qb.andWhere("e.time >= :since", { since: stored(filter.since) });
    if (filter.until != null) qb = qb.andWhere("e.time < :until", { until: stored(filter.until) });
    return { qb, seq };
  }
}
