import { DataSource, EntityManager, type DataSourceOptions } from "typeorm";
import { DriverUtils } from "typeorm/driver/DriverUtils";
import type { DatabaseConfig } from "../config";
import type { AuditStore } from "../domain/ports/audit.port";
import type { Repositories, Storage } from "../domain/ports/storage.port";
import { createDataSource, detectDatabase } from "./data-source";
import { Mutex } from "../domain/mutex";
import { MysqlAuditWriter, type MysqlServer } from "./mysql-audit-writer";
import { SqliteAuditWriter } from "./sqlite-audit-writer";
import type { AuditWriterThread } from "./audit-writer-thread";
import { auditAppenderFor, TypeormAuditStore } from "./typeorm-audit-store";
import { TypeormPolicyStateRepository } from "./repositories/policy-state.repository";
import { TypeormGrantRepository } from "./repositories/grant.repository";
import { TypeormAccessRequestRepository } from "./repositories/access-request.repository";
import { TypeormOneTimeStore } from "./repositories/one-time-value.repository";
import { TypeormPolicyRepository } from "./repositories/policy.repository";
import { TypeormResourceTypeRepository } from "./repositories/resource-type.repository";
import { TypeormRoleRepository } from "./repositories/role.repository";
import { TypeormSessionRepository } from "./repositories/session.repository";
import { TypeormSsoMappingRepository } from "./repositories/sso-mapping.repository";
import { TypeormTotpRepository } from "./repositories/totp.repository";
import { TypeormTokenRepository } from "./repositories/token.repository";
import { TypeormUserRepository } from "./repositories/user.repository";

function repositoriesFor(manager: EntityManager): Repositories {
  const sqlite = manager.connection.options.type === "better-sqlite3";
  return {
    users: new TypeormUserRepository(manager),
    resourceTypes: new TypeormResourceTypeRepository(manager),
    policies: new TypeormPolicyRepository(manager),
    roles: new TypeormRoleRepository(manager),
    grants: new TypeormGrantRepository(manager),
    tokens: new TypeormTokenRepository(manager),
    sessions: new TypeormSessionRepository(manager),
    ssoMappings: new TypeormSsoMappingRepository(manager),
    totp: new TypeormTotpRepository(manager),
    accessRequests: new TypeormAccessRequestRepository(manager),
    policyState: new TypeormPolicyStateRepository(manager, sqlite),
    audit: auditAppenderFor(manager, sqlite),
  };
}

/** The server and credentials typeorm's MySQL pool connects with, worked out from its options as typeorm does. */
function mysqlServerOf(options: DataSourceOptions): MysqlServer {
  const credentials = DriverUtils.buildDriverOptions(options) as {
    host?: string;
    port?: number;
    username?: string;
    password?: string;
    database?: string;
    socketPath?: string;
  };
  return {
    host: credentials.host,
    port: credentials.port,
    user: credentials.username,
    password: credentials.password,
    database: credentials.database,
    socketPath: credentials.socketPath,
  };
}

/** Wraps every method of every repository so that it runs under the lock. */
function serialized<R extends object>(repos: R, lock: Mutex): R {
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, key, receiver) {
        const value = Reflect.get(obj, key, receiver);
        return typeof value === "function"
          ? (...args: unknown[]) => lock.run(() => (value as (...a: unknown[]) => Promise<unknown>).apply(obj, args))
          : value;
      },
    });
  return Object.fromEntries(Object.entries(repos).map(([k, v]) => [k, wrap(v)])) as R;
}

/**
 * Runs `work` while holding a lock named `name` that every instance on the same
 * MySQL server respects (GET_LOCK). SQLite serialises writers itself, and one
 * SQLite file has one server process.
 */
async function holdingNamedLock<T>(dataSource: DataSource, name: string, work: () => Promise<T>): Promise<T> {
  if (dataSource.options.type === "better-sqlite3") return work();
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [row] = (await runner.query("SELECT GET_LOCK(?, 120) AS locked", [name])) as Array<{ locked: unknown }>;
    if (Number(row?.locked) !== 1) throw new Error(`timed out waiting for lock '${name}' held by another instance`);
    try {
      return await work();
    } finally {
      await runner.query("SELECT RELEASE_LOCK(?)", [name]);
    }
  } finally {
    await runner.release();
  }
}

/** Applies pending migrations, one instance at a time. */
export function migrate(dataSource: DataSource): Promise<string[]> {
  return holdingNamedLock(dataSource, "portcullis_migrations", async () =>
    (await dataSource.runMigrations({ transaction: "each" })).map((m) => m.name),
  );
}

/**
 * Storage on a typeorm DataSource. On SQLite (one connection) every statement
 * outside a transaction, and every transaction, takes one lock, so that a
 * transaction never picks up or rolls back someone else's statements.
 */
export class TypeormStorage implements Storage {
  readonly users;
  readonly resourceTypes;
  readonly policies;
  readonly roles;
  readonly grants;
  readonly tokens;
  readonly sessions;
  readonly ssoMappings;
  readonly totp;
  readonly accessRequests;
  readonly policyState;
  readonly audit: AuditStore;
  /** The database OneTimeStore (used unless REDIS_URL is set). */
  readonly oneTimeValues: TypeormOneTimeStore;
  private readonly lock: Mutex | null;
  /** The audit writer thread: SQLite in a file, and MySQL. */
  private readonly writer: AuditWriterThread | null;

  private constructor(readonly dataSource: DataSource) {
    const options = dataSource.options;
    this.lock = options.type === "better-sqlite3" ? new Mutex() : null;
    if (options.type !== "better-sqlite3") this.writer = new MysqlAuditWriter(mysqlServerOf(options));
    // An in-memory database is this connection's alone: no other thread can write it.
    else this.writer = options.database !== ":memory:" ? new SqliteAuditWriter(options.database) : null;
    this.audit = new TypeormAuditStore(dataSource, this.lock, this.writer);
    // Outside a transaction the audit trail is the AuditStore, never a bare appender.
    const { audit: _appender, ...base } = repositoriesFor(dataSource.manager);
    const repos = this.lock ? serialized(base, this.lock) : base;
    ({
      users: this.users,
      resourceTypes: this.resourceTypes,
      policies: this.policies,
      roles: this.roles,
      grants: this.grants,
      tokens: this.tokens,
      sessions: this.sessions,
      ssoMappings: this.ssoMappings,
      totp: this.totp,
      accessRequests: this.accessRequests,
      policyState: this.policyState,
    } = repos);
    const oneTimeValues = new TypeormOneTimeStore(dataSource.manager);
    this.oneTimeValues = this.lock ? serialized({ oneTimeValues }, this.lock).oneTimeValues : oneTimeValues;
  }

  /** Connects; runs pending migrations when `migrate` is set. */
  static async open(database: DatabaseConfig, options: { migrate: boolean }): Promise<TypeormStorage> {
    const dataSource = createDataSource(await detectDatabase(database));
    await dataSource.initialize();
    try {
      if (options.migrate) await migrate(dataSource);
    } catch (err) {
      await dataSource.destroy();
      throw err;
    }
    return new TypeormStorage(dataSource);
  }

  exclusively<T>(name: string, work: () => Promise<T>): Promise<T> {
    return holdingNamedLock(this.dataSource, `portcullis_${name}`, work);
  }

  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    const run = () => this.dataSource.transaction((manager) => work(repositoriesFor(manager)));
    return this.lock ? this.lock.run(run) : run();
  }

  async ping(): Promise<boolean> {
    try {
      const run = () => this.dataSource.query("SELECT 1");
      await (this.lock ? this.lock.run(run) : run());
      return true;
    } catch {
      return false;
    }
  }

  async pendingMigrations(): Promise<string[]> {
    const run = async () => {
      const runner = this.dataSource.createQueryRunner();
      const exists = await runner.hasTable("schema_migrations").finally(() => runner.release());
      if (!exists) return this.dataSource.migrations.map((m) => m.name ?? m.constructor.name);
      const applied = new Set(
        (await this.dataSource.query<Array<{ name: string }>>(`SELECT name FROM schema_migrations`)).map((r) => r.name),
      );
      return this.dataSource.migrations.map((m) => m.name ?? m.constructor.name).filter((name) => !applied.has(name));
    };
    return this.lock ? this.lock.run(run) : run();
  }

  async close(): Promise<void> {
    await this.writer?.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
