// The SQLite audit writer's thread (see sqlite-audit-writer.ts): its own
// connection in WAL mode, the same pragmas as the server's. Each message is
// one batch: in one IMMEDIATE transaction it reads the chain head, numbers and
// hashes the events after it (the chain rule of audit-hash.ts), inserts them
// with their role rows and moves the head. It answers after COMMIT, with what
// the caller needs to rebuild the records: the head it chained from and each
// event's id and hash.
import { createRequire } from "node:module";
import { parentPort, workerData } from "node:worker_threads";
import type { AuditEventInput } from "../domain/audit/audit-event";
import { chain } from "../domain/audit/audit-hash";
import { SQLITE_AUDIT_COLUMNS, sqliteAuditRow } from "./sqlite-audit-row";

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

export interface WriterRequest {
  id: number;
  events: AuditEventInput[];
}

export type WriterReply =
  | { id: number; ok: true; sequence: number; prevHash: string; ids: string; hashes: string }
  | { id: number; ok: false; message: string };

const Database = createRequire(__filename)("better-sqlite3") as new (path: string) => Connection;
const db = new Database((workerData as { path: string }).path);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.pragma("busy_timeout = 5000");

const insertEvent = db.prepare(
  `INSERT INTO "audit_events" (${SQLITE_AUDIT_COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES (${SQLITE_AUDIT_COLUMNS.map(() => "?").join(", ")})`,
);
const insertRole = db.prepare(`INSERT INTO "audit_event_roles" ("sequence", "role") VALUES (?, ?)`);
const readHead = db.prepare(`SELECT "sequence", "hash" FROM "audit_head" WHERE "id" = 1`);
const moveHead = db.prepare(`UPDATE "audit_head" SET "sequence" = ?, "hash" = ? WHERE "id" = 1`);

const appendBatch = db.transaction((events: AuditEventInput[]) => {
  const row = readHead.get() as { sequence: number | string; hash: string } | undefined;
  if (!row) throw new Error("audit_head row is missing");
  const head = { sequence: Number(row.sequence), hash: row.hash };
  const records = chain(head, events);
  for (const record of records) {
    insertEvent.run(sqliteAuditRow(record));
    for (const role of new Set(record.actorRoles)) insertRole.run(String(record.sequence), role);
  }
  const last = records[records.length - 1];
  if (last) moveHead.run(String(last.sequence), last.hash);
  return { head, records };
});

parentPort!.on("message", (request: WriterRequest | "close") => {
  if (request === "close") {
    db.close();
    parentPort!.close();
    return;
  }
  let reply: WriterReply;
  try {
    const { head, records } = appendBatch.immediate(request.events);
    reply = {
      id: request.id,
      ok: true,
      sequence: head.sequence,
      prevHash: head.hash,
      ids: records.map((r) => r.id).join(""),
      hashes: records.map((r) => r.hash).join(""),
    };
  } catch (err) {
    reply = { id: request.id, ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
});
