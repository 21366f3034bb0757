// The MySQL/MariaDB audit writer's thread (see audit-writer-thread.ts): two
// connections of its own. Each message is one batch, one transaction:
//
// 1. START TRANSACTION and the head's SELECT ... FOR UPDATE, in one round trip
//    (the head's row lock keeps every instance's batches in one gapless chain);
// 2. the events and their role rows, in chunks of 64 rows or more, as
//    server-side prepared statements: values go over the binary protocol, so
//    MySQL parses each statement once per connection instead of thousands of
//    literals per batch (its CPU per event fell by about a third that way);
// 3. the rows left over (fewer than 64 of a kind) as escaped text, the head's
//    move and COMMIT, in one round trip.
//
// A batch's reply is sent after its COMMIT has answered. The next batch takes
// the second connection and asks for the head's lock once this one holds it
// (so batches commit in the order they were sent); while the server keeps it
// waiting, it numbers and hashes its events from where this one will leave the
// head (a slice at a time, so that this batch's answers are not kept waiting),
// and does so again if the head turns out to be elsewhere (another instance wrote in between, or
// this batch failed). A failure rolls the batch back, or drops the connection
// when even that fails, and is reported to the batch's callers.
import { parentPort, workerData } from "node:worker_threads";
import { escape, type ExecuteValues, type SqlValue } from "mysql2";
import { createPool, type PoolConnection } from "mysql2/promise";
import type { AuditEventInput } from "../domain/audit/audit-event";
import { AUDIT_ROW_COLUMNS, pushAuditRoleRows, pushAuditRow } from "./audit-row";
import type { ChainHead } from "../domain/ports/audit.port";
import { ChainedBatch, CLOSE, failedReply, type WriterReply, type WriterRequest } from "./audit-writer-thread";
import type { MysqlServer } from "./mysql-audit-writer";

const pool = createPool({
  ...(workerData as MysqlServer),
  connectionLimit: 2,
  multipleStatements: true,
  timezone: "Z",
  charset: "utf8mb4_bin",
  supportBigNumbers: true,
  bigNumberStrings: true,
  // Text sent with query() has its values escaped into it already: nothing to fill in, nothing to scan for.
  queryFormat: (sql: string) => sql,
});

const COLUMNS = AUDIT_ROW_COLUMNS.length;
const EVENT_COLUMNS = AUDIT_ROW_COLUMNS.map((c) => `\`${c}\``).join(", ");
/** Rows per prepared INSERT, largest first (1,024 rows of 20 values: well under 65,535 placeholders a statement). */
const EVENT_CHUNKS = [1024, 512, 256, 128, 64];
const ROLE_CHUNKS = [4096, 2048, 1024, 512, 256, 128, 64];
const LOCK_HEAD = "START TRANSACTION; SELECT `sequence`, `hash` FROM `audit_head` WHERE `id` = 1 FOR UPDATE";

const insertEvents = (rows: number) =>
  `INSERT INTO \`audit_events\` (${EVENT_COLUMNS}) VALUES ${Array.from({ length: rows }, () => `(${AUDIT_ROW_COLUMNS.map(() => "?").join(", ")})`).join(", ")}`;
const insertRoles = (rows: number) =>
  `INSERT INTO \`audit_event_roles\` (\`sequence\`, \`role\`) VALUES ${Array.from({ length: rows }, () => "(?, ?)").join(", ")}`;
/** The prepared statements' text by row count, built once (the driver keeps each prepared per connection). */
const eventSql = new Map(EVENT_CHUNKS.map((rows) => [rows, insertEvents(rows)]));
const roleSql = new Map(ROLE_CHUNKS.map((rows) => [rows, insertRoles(rows)]));

/** A batch numbered and hashed from a head, with the statements that write it. */
interface Built {
  chain: ChainedBatch;
  prepared: Array<{ sql: string; values: ExecuteValues[] }>;
  /** The leftover rows, the head's move and COMMIT: one text query. */
  final: string;
}

/** Rows of `width` values: prepared chunks while they fill one, then the rest as escaped text. */
function split(
  values: unknown[],
  width: number,
  chunks: number[],
  sql: Map<number, string>,
  prepared: Built["prepared"],
  textPrefix: string,
): string | null {
  const rows = values.length / width;
  let row = 0;
  for (const size of chunks) {
    while (rows - row >= size) {
      prepared.push({
        sql: sql.get(size)!,
        values: values.slice(row * width, (row + size) * width) as ExecuteValues[],
      });
      row += size;
    }
  }
  if (row === rows) return null;
  const parts: string[] = [];
  for (; row < rows; row++) {
    let cells = "";
    for (let c = 0; c < width; c++) cells += (c ? ", " : "") + escape(values[row * width + c] as SqlValue);
    parts.push(`(${cells})`);
  }
  return `${textPrefix} ${parts.join(", ")}`;
}

/** Events numbered and hashed between turns of the event loop while another batch holds the head. */
const SLICE = 32;

/**
 * Numbers and hashes `events` after `head` and builds their statements. With
 * `sliced`, it gives the event loop a turn every SLICE events: it then runs
 * while the batch before holds the head, and that batch's answers (each one
 * the cue for its next statement) are not kept waiting behind it.
 */
async function build(head: ChainHead, events: AuditEventInput[], sliced: boolean): Promise<Built> {
  const eventValues: unknown[] = [];
  const roleValues: unknown[] = [];
  const chain = new ChainedBatch(head);
  for (let n = 0; n < events.length; n++) {
    if (sliced && n > 0 && n % SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const record = chain.next(events[n]);
    pushAuditRow(eventValues, record);
    pushAuditRoleRows(roleValues, record);
  }
  const prepared: Built["prepared"] = [];
  const text: string[] = [];
  const eventText = split(
    eventValues,
    COLUMNS,
    EVENT_CHUNKS,
    eventSql,
    prepared,
    `INSERT INTO \`audit_events\` (${EVENT_COLUMNS}) VALUES`,
  );
  if (eventText) text.push(eventText);
  const roleText = split(
    roleValues,
    2,
    ROLE_CHUNKS,
    roleSql,
    prepared,
    "INSERT INTO `audit_event_roles` (`sequence`, `role`) VALUES",
  );
  if (roleText) text.push(roleText);
  text.push(
    `UPDATE \`audit_head\` SET \`sequence\` = ${escape(String(chain.sequence))}, \`hash\` = ${escape(chain.prevHash)} WHERE \`id\` = 1`,
    "COMMIT",
  );
  return { chain, prepared, final: text.join(";\n") };
}

/** Resolves once the batch sent before holds the head's lock (or has failed): the next may then ask for it. */
let previousLocked: Promise<void> = Promise.resolve();
/** Where the head stands once the batches in flight commit; null when unknown (none yet, or one failed). */
let expected: ChainHead | null = null;
const writing = new Set<Promise<void>>();

async function write(request: WriterRequest): Promise<void> {
  const before = previousLocked;
  let locked!: () => void;
  previousLocked = new Promise<void>((resolve) => (locked = resolve));
  let connection: PoolConnection | null = null;
  // Whether a transaction may be open on the connection (from START TRANSACTION until COMMIT answered).
  let open = false;
  let reply: WriterReply;
  try {
    connection = await pool.getConnection();
    await before;
    open = true;
    // Asked for now: the server answers once the batch before has committed.
    const lock = connection.query(LOCK_HEAD);
    lock.catch(() => undefined); // awaited below
    // Meanwhile, numbered from where the batch before will leave the head.
    let built = expected ? await build(expected, request.events, true) : null;
    const [results] = await lock;
    const row = ((results as unknown[])[1] as Array<{ sequence: string | number; hash: string }>)[0];
    if (!row) throw new Error("audit_head row is missing");
    const head = { sequence: Number(row.sequence), hash: row.hash };
    if (!built || built.chain.head.sequence !== head.sequence || built.chain.head.hash !== head.hash)
      built = await build(head, request.events, false);
    expected = built.chain.last();
    locked();
    for (const statement of built.prepared) await connection.execute(statement.sql, statement.values);
    await connection.query(built.final);
    open = false;
    reply = built.chain.reply(request.id);
  } catch (err) {
    expected = null;
    locked();
    if (open && connection) await rollback(connection);
    reply = failedReply(request.id, err);
  } finally {
    connection?.release();
  }
  parentPort!.postMessage(reply);
}

async function rollback(connection: PoolConnection): Promise<void> {
  try {
    await connection.query("ROLLBACK");
  } catch {
    // A connection that cannot roll back is not given to the next batch; the server rolls back when it closes.
    connection.destroy();
  }
}

parentPort!.on("message", (request: WriterRequest | typeof CLOSE) => {
  if (request === CLOSE) {
    void Promise.allSettled([...writing])
      .then(() => pool.end())
      .finally(() => parentPort!.close());
    return;
  }
  const done = write(request);
  writing.add(done);
  void done.finally(() => writing.delete(done));
});
