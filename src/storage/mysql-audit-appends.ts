// MySQL/MariaDB group commits in two round trips instead of one per statement.
// A group commit is a transaction of six statements (BEGIN, lock the head, the
// events, their roles, move the head, COMMIT); sent one after the other, each
// waits for its answer and then for the event loop, which under load is busy
// with the requests whose decisions are being written. Here the first round
// trip opens the transaction and locks the head, the second writes everything
// and commits. The connections are the audit writer's own (a pool of their
// own, with multiple statements per query allowed): the shared pool keeps one
// statement per query. Every value is escaped by the driver before it is put
// into the SQL text.
import { format } from "mysql2";
import { createPool, type Pool, type PoolConnection } from "mysql2/promise";

export interface MysqlServer {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  socketPath?: string;
}

export interface AuditAppendStatements {
  /** Statements, fully formatted (values escaped), in the order they run. */
  statements: string[];
}

export class MysqlAuditAppends {
  private readonly pool: Pool;

  /**
   * `server`: where typeorm's pool connects (the same credentials, read from the
   * same URL the same way); `connections`: group commits in flight at a time
   * (one prepared while another commits).
   */
  constructor(server: MysqlServer, connections: number) {
    this.pool = createPool({
      ...server,
      connectionLimit: connections,
      multipleStatements: true,
      timezone: "Z",
      charset: "utf8mb4_bin",
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: false,
      // The SQL sent here has its values in it already: the driver's own format() would scan the whole
      // text (thousands of rows a batch) for placeholders to fill with no values.
      queryFormat: (sql: string, values: unknown) =>
        Array.isArray(values) && values.length === 0
          ? sql
          : format(sql, values as Parameters<typeof format>[1], false, "Z"),
    });
  }

  /**
   * One transaction: lock the head row and read it, then run the statements
   * `statementsFor` gives for that head, and COMMIT with them. Any failure
   * rolls back (or drops the connection when even that fails) and rejects.
   */
  async append<T extends AuditAppendStatements>(
    headSql: string,
    statementsFor: (head: { sequence: number; hash: string }) => T,
  ): Promise<T> {
    const connection = await this.pool.getConnection();
    // Whether a transaction may be open on the connection (from START TRANSACTION until COMMIT answered).
    let open = false;
    try {
      open = true;
      const [results] = await connection.query(`START TRANSACTION; ${headSql}`);
      const rows = (results as unknown[])[1] as Array<{ sequence: string | number; hash: string }>;
      const row = rows[0];
      if (!row) throw new Error("audit_head row is missing");
      const prepared = statementsFor({ sequence: Number(row.sequence), hash: row.hash });
      await connection.query([...prepared.statements, "COMMIT"].join(";\n"));
      open = false;
      return prepared;
    } catch (err) {
      if (open) await rollback(connection);
      throw err;
    } finally {
      connection.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function rollback(connection: PoolConnection): Promise<void> {
  try {
    await connection.query("ROLLBACK");
  } catch {
    // A connection that cannot roll back is not given to the next batch; the server rolls back when it closes.
    connection.destroy();
  }
}
