// The SQLite audit writer's thread (see audit-writer-thread.ts): its own
// connection in WAL mode. Each message is one batch: in one IMMEDIATE
// transaction it reads the chain head, numbers and hashes the events after it
// (the chain rule of audit-hash.ts), inserts them with their role rows and
// moves the head. It answers after COMMIT, with what the caller needs to
// rebuild the records: the head it chained from and each event's id and hash.
//
// Durability: the connection runs with synchronous = FULL, so COMMIT returns
// only once the WAL is synced to disk; with NORMAL a commit survives the
// process dying but not the machine losing power, and an event is to be
// durable before the answer it describes is sent. The sync is paid once per
// batch, not per event.
//
// Per event, in one pass: number, hash, and append the row's values to the
// parameters of a prepared multi-row INSERT (one statement per EVENT_ROWS
// events instead of one per event; the same for role rows).
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import type { AuditEventInput } from "../domain/audit/audit-event";
import { AUDIT_ROW_COLUMNS, pushAuditRoleRows, pushAuditRow } from "./audit-row";
import { ChainedBatch, CLOSE, failedReply, type WriterReply, type WriterRequest } from "./audit-writer-thread";

/** The part of better-sqlite3 used here (the package ships no type declarations). */
interface Statement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
}
interface Connection {
  pragma(source: string): unknown;
  prepare(sql: string): Statement;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): { immediate(...args: A): R };
  close(): void;
}

const Database = createRequire(__filename)("better-sqlite3") as new (path: string) => Connection;
const db = new Database((workerData as { path: string }).path);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.pragma("busy_timeout = 5000");

/** Events per multi-row INSERT: 64 rows of 20 values, well under SQLite's 32,766 bound values a statement. */
const EVENT_ROWS = 64;
/** Role rows (sequence, role) per multi-row INSERT. */
const ROLE_ROWS = 256;
const COLUMNS = AUDIT_ROW_COLUMNS.length;
const columnList = AUDIT_ROW_COLUMNS.map((c) => `"${c}"`).join(", ");
const rowPlaceholder = `(${AUDIT_ROW_COLUMNS.map(() => "?").join(", ")})`;

/** Prepared INSERTs by row count: the full chunks, and the smaller ones a batch ends with (prepared once each). */
const eventInserts = new Map<number, Statement>();
const roleInserts = new Map<number, Statement>();
function insertEvents(rows: number): Statement {
  let statement = eventInserts.get(rows);
  if (!statement) {
    const values = Array.from({ length: rows }, () => rowPlaceholder).join(", ");
    statement = db.prepare(`INSERT INTO "audit_events" (${columnList}) VALUES ${values}`);
    eventInserts.set(rows, statement);
  }
  return statement;
}
function insertRoles(rows: number): Statement {
  let statement = roleInserts.get(rows);
  if (!statement) {
    const values = Array.from({ length: rows }, () => "(?, ?)").join(", ");
    statement = db.prepare(`INSERT INTO "audit_event_roles" ("sequence", "role") VALUES ${values}`);
    roleInserts.set(rows, statement);
  }
  return statement;
}
const readHead = db.prepare(`SELECT "sequence", "hash" FROM "audit_head" WHERE "id" = 1`);
const moveHead = db.prepare(`UPDATE "audit_head" SET "sequence" = ?, "hash" = ? WHERE "id" = 1`);

/** The parameter lists being filled, reused from batch to batch (run() binds them before it returns). */
const eventValues: unknown[] = [];
const roleValues: unknown[] = [];

function writeEvents(): void {
  if (eventValues.length > 0) insertEvents(eventValues.length / COLUMNS).run(eventValues);
  eventValues.length = 0;
}
function writeRoles(): void {
  if (roleValues.length > 0) insertRoles(roleValues.length / 2).run(roleValues);
  roleValues.length = 0;
}

const appendBatch = db.transaction((events: AuditEventInput[]): ChainedBatch => {
  eventValues.length = 0;
  roleValues.length = 0;
  const row = readHead.get() as { sequence: number | string; hash: string } | undefined;
  if (!row) throw new Error("audit_head row is missing");
  const chain = new ChainedBatch({ sequence: Number(row.sequence), hash: row.hash });
  for (const event of events) {
    const record = chain.next(event);
    pushAuditRow(eventValues, record);
    if (eventValues.length === EVENT_ROWS * COLUMNS) writeEvents();
    pushAuditRoleRows(roleValues, record);
    // A statement once ROLE_ROWS rows or more wait (an event's roles are not split between two).
    if (roleValues.length >= ROLE_ROWS * 2) writeRoles();
  }
  writeEvents();
  writeRoles();
  if (events.length > 0) moveHead.run(String(chain.sequence), chain.prevHash);
  return chain;
});

parentPort!.on("message", (request: WriterRequest | typeof CLOSE) => {
  if (request === CLOSE) {
    db.close();
    parentPort!.close();
    return;
  }
  let reply: WriterReply;
  try {
    reply = appendBatch.immediate(request.events).reply(request.id);
  } catch (err) {
    reply = failedReply(request.id, err);
  }
  parentPort!.postMessage(reply);
});
