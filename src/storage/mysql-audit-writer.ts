// The MySQL/MariaDB audit writer on a worker thread (audit-writer-thread.ts,
// mysql-audit-writer.worker.ts). On the request thread a group commit cost the
// numbering, hashing and formatting of every event and the driver's work on
// each round trip, each answer then waiting for an event loop busy with the
// requests whose decisions were being written. The worker has two connections
// of its own (multiple statements per query allowed there; the shared pool
// keeps one statement per query) and writes each batch in one transaction.

import { AuditWriterThread } from "./audit-writer-thread";

/** Where the writer connects: typeorm's own server and credentials, read from the same URL the same way. */
export interface MysqlServer {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  socketPath?: string;
}

export class MysqlAuditWriter extends AuditWriterThread {
  constructor(server: MysqlServer) {
    super("mysql-audit-writer.worker.js", server);
  }
}
