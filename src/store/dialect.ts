// What differs between SQLite and PostgreSQL: connecting, column types, transactions, row locks and
// short writes, and which driver errors mean "the database is unavailable". The one difference
// elsewhere is how order commands share a transaction: commandRunner.ts hands them to group commit
// on PostgreSQL (pgCommands.ts) or to the writer's batch on SQLite (sqliteWrites.ts).
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SelectQueryBuilder, type Transaction } from 'kysely';
import pg from 'pg';
import type { StoreConfig } from '../config.js';
import { withPreparedStatements } from './pgStatements.js';
import type { Database } from './schema.js';
import { withStatementCache } from './sqliteStatements.js';
import { SqliteWriteQueue } from './sqliteWrites.js';
import { prepareSqliteFile } from './files.js';
import { RecentOrderWrites, type ReadReplica } from './readReplica.js';

export type DialectName = 'sqlite' | 'postgres';

export interface StoreOptions {
  /** Sandbox mode: each merchant's time is its own clock (clock.ts). Default true. */
  merchantClocks?: boolean;
  pgPoolSize?: number;
  pgStatementTimeoutMs?: number;
  /** Most commands for one order that may wait in this process (orderQueues.ts). Default 1000. */
  orderQueueLimit?: number;
  onPoolError?: (err: Error) => void;
  /** PostgreSQL: a replica for reads that may lag (readReplica.ts), and how long an order changed here reads from the primary. */
  readReplicaUrl?: string;
  readReplicaFreshMs?: number;
  /** SQLite's page cache per connection, in MB; default 8 (better-sqlite3's own default is 16). */
  sqliteCacheMb?: number;
}

interface StoreBase {
  db: Kysely<Database>;
  /**
   * Where GET reads go. For a SQLite file: a second, read-only connection, so reads run on their
   * own WAL snapshot instead of queueing behind the write transaction on the first one.
   * Otherwise the same as db.
   */
  reader: Kysely<Database>;
  /** PostgreSQL with DATABASE_READ_URL: where reads that may lag go (readReplica.ts). */
  readReplica?: ReadReplica;
  /** Whether merchants' clocks apply (sandbox mode) or time is the real clock (production mode). */
  merchantClocks: boolean;
  orderQueueLimit: number;
  close(): Promise<void>;
  /** Connection use right now, for /metrics. */
  stats(): Record<string, number>;
}

export type Store = StoreBase &
  (
    | {
        dialect: 'sqlite';
        /** The group-commit queue every write transaction of this process goes through. */
        writes: SqliteWriteQueue;
      }
    | {
        dialect: 'postgres';
        /**
         * The connections order commands run on (pgCommands.ts), in pg's pipeline mode, apart from
         * the pool of `db`: a burst of writes never keeps a GET waiting for a connection.
         */
        writer: Kysely<Database>;
        /** How many command batches may run at once: the writer's connections. */
        writeSlots: number;
      }
  );

const PG_INT8_OID = 20;
const DEFAULT_ORDER_QUEUE_LIMIT = 1000;

function openPgPool(url: string, max: number, options: StoreOptions, extra: Partial<pg.PoolConfig> = {}): { kysely: Kysely<Database>; pool: pg.Pool } {
  const statementTimeout = options.pgStatementTimeoutMs ?? 10_000;
  const pool = new pg.Pool({
    connectionString: url,
    max,
    statement_timeout: statementTimeout,
    // A transaction whose client vanished (network cut) must not hold its locks until TCP notices.
    idle_in_transaction_session_timeout: Math.max(statementTimeout, 10_000),
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // Amounts are bigint columns; all values stored are validated to be safe integers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === PG_INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
    ...extra,
  });
  // An idle client dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', (err) => options.onPoolError?.(err));
  // pg emits 'error' on a checked-out client whose connection dies between two queries (e.g.
  // pg_terminate_backend inside a transaction) and the pool listens only while a client is idle:
  // without this listener that event would be an uncaught exception. The failed client is not
  // queryable any more, so the pool discards it when it is released.
  pool.on('connect', (client) => client.on('error', (err) => options.onPoolError?.(err)));
  return { kysely: new Kysely<Database>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }) }), pool };
}

export function openStore(config: StoreConfig, options: StoreOptions = {}): Store {
  const orderQueueLimit = options.orderQueueLimit ?? DEFAULT_ORDER_QUEUE_LIMIT;
  if (config.kind === 'postgres') {
    // A third of the connections (at least one) carry command batches; the rest serve reads and other work.
    const size = options.pgPoolSize ?? 10;
    const writeSlots = Math.max(1, Math.min(4, Math.floor(size / 3)));
    const main = openPgPool(config.url, Math.max(1, size - writeSlots), options);
    const commands = openPgPool(config.url, writeSlots, options, { pipeline: true });
    const replica = options.readReplicaUrl ? openPgPool(options.readReplicaUrl, Math.max(1, size - writeSlots), options) : undefined;
    const pools = [main.pool, commands.pool, ...(replica ? [replica.pool] : [])];
    const db = main.kysely;
    const writer = commands.kysely;
    return {
      db,
      reader: db,
      ...(replica ? { readReplica: { db: replica.kysely, recentWrites: new RecentOrderWrites(options.readReplicaFreshMs ?? 5_000) } } : {}),
      writer,
      writeSlots,
      dialect: 'postgres',
      merchantClocks: options.merchantClocks ?? true,
      orderQueueLimit,
      close: async () => {
        await writer.destroy();
        await db.destroy();
        await replica?.kysely.destroy();
      },
      stats: () => ({
        total: pools.reduce((n, p) => n + p.totalCount, 0),
        idle: pools.reduce((n, p) => n + p.idleCount, 0),
        waiting: pools.reduce((n, p) => n + p.waitingCount, 0),
      }),
    };
  }
  if (config.path !== ':memory:') prepareSqliteFile(config.path);
  const sqlite = new SQLite(config.path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // FULL: a commit is on disk before we acknowledge it, even across power loss.
  sqlite.pragma('synchronous = FULL');
  // The operating system caches the file as well: a smaller cache of our own costs little speed
  // and holds the process's memory down (two connections, up to this much each).
  const cacheSize = `cache_size = -${(options.sqliteCacheMb ?? 8) * 1024}`;
  sqlite.pragma(cacheSize);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  // An in-memory database exists only on its one connection.
  const reader = config.path === ':memory:' ? db : openSqliteReader(config.path, cacheSize);
  const writes = new SqliteWriteQueue(db, beginImmediate, () => new UnavailableError('the request waited for the database longer than its deadline'));
  return {
    db,
    reader,
    dialect: 'sqlite',
    merchantClocks: options.merchantClocks ?? true,
    orderQueueLimit,
    close: async () => {
      if (reader !== db) await reader.destroy();
      await db.destroy();
    },
    writes,
    stats: () => ({ queued_writes: writes.pending }),
  };
}

/** Opened after the writer, which has created the file and switched it to WAL. */
function openSqliteReader(path: string, cacheSize: string): Kysely<Database> {
  const connection = new SQLite(path, { readonly: true });
  connection.pragma('busy_timeout = 5000');
  connection.pragma(cacheSize);
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
}

/**
 * Locks the selected rows of `table` until the transaction ends. PostgreSQL: FOR UPDATE OF the
 * table (not of joined ones). SQLite: the write transaction already holds the database write lock.
 */
export function lockedRows<DB, TB extends keyof DB, O>(store: Store, query: SelectQueryBuilder<DB, TB, O>, table: TB & string): SelectQueryBuilder<DB, TB, O> {
  return store.dialect === 'postgres' ? query.forUpdate(table as never) : query;
}

/**
 * Rows another transaction holds are skipped instead of waited for, so
 * instances leasing due jobs at the same moment each take different ones (PostgreSQL FOR UPDATE
 * SKIP LOCKED). SQLite: the write transaction already excludes every other writer.
 */
export function skipLockedRows<DB, TB extends keyof DB, O>(store: Store, query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O> {
  return store.dialect === 'postgres' ? query.forUpdate().skipLocked() : query;
}

/** Makes instances that run the same one-off work (migrations) take turns, inside a write transaction. */
export async function takeTurns(store: Store, trx: Kysely<unknown>, lockKey: number): Promise<void> {
  // SQLite: BEGIN IMMEDIATE has already serialized every writer.
  if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${lockKey})`.execute(trx);
}

/** Auto-incrementing integer primary key column type. */
export function serialType(dialect: DialectName): 'bigserial' | 'integer' {
  return dialect === 'postgres' ? 'bigserial' : 'integer';
}

/**
 * Runs fn in one write transaction. SQLite: BEGIN IMMEDIATE takes the database write lock up
 * front, so two writers (even in two processes) never deadlock upgrading a read lock; concurrent
 * commands of this process share one commit (sqliteWrites.ts), each in its own savepoint.
 * PostgreSQL: READ COMMITTED; commands lock the rows they change with SELECT … FOR UPDATE.
 */
export async function inWriteTransaction<T>(store: Store, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (store.dialect === 'postgres') {
    return retryingUncommitted(async (state) =>
      store.db.transaction().execute(async (trx: Transaction<Database>) => {
        const result = await fn(trx);
        state.commitSent = true;
        return result;
      }),
    );
  }
  return store.writes.run(fn);
}

/**
 * Runs a short write that needs no transaction around it: on PostgreSQL its statements autocommit
 * each (a job lease is one UPDATE whose SKIP LOCKED subquery makes it safe on its own); on SQLite
 * it goes through the write queue, as every write does.
 */
export async function inShortWrite<T>(store: Store, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  return store.dialect === 'postgres' ? fn(store.db) : store.writes.run(fn);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long a SQLite writer keeps asking for the write lock (on top of busy_timeout) before giving up with 503. */
const SQLITE_LOCK_WAIT_MS = 15_000;

/**
 * BEGIN IMMEDIATE, waiting for another process's writer: busy_timeout waits inside SQLite (blocking
 * this thread), and if that runs out we keep asking with short async pauses so this process still
 * serves reads. Nothing is written before the lock is ours, so retrying is always safe.
 */
async function beginImmediate(conn: Kysely<Database>): Promise<void> {
  const deadline = Date.now() + SQLITE_LOCK_WAIT_MS;
  for (;;) {
    try {
      await sql`begin immediate`.execute(conn);
      return;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if ((code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') || Date.now() > deadline) throw err;
      await sleep(5 + Math.random() * 20);
    }
  }
}

/** A PostgreSQL error after which the transaction certainly did not commit and a fresh connection may succeed. */
export function isRetryableBeforeCommit(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  // 57P01 admin_shutdown (pg_terminate_backend), 57P02 crash_shutdown, 08xxx connection exceptions,
  // 40001 serialization failure, 40P01 deadlock: all roll the transaction back.
  if (code === '57P01' || code === '57P02' || code.startsWith('08') || code === '40001' || code === '40P01') return true;
  if (code === 'ECONNRESET' || code === 'EPIPE') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated unexpectedly|Client has encountered a connection error|terminating connection/i.test(message);
}

const PG_TRANSACTION_ATTEMPTS = 3;

/**
 * Runs a PostgreSQL transaction, and runs it again (on another pooled connection) when it failed
 * on a dead connection before COMMIT was sent. Before COMMIT nothing is durable and nothing was
 * acknowledged, so a retry cannot apply a change twice; a failure during or after COMMIT is never
 * retried (the commit may have happened) and reaches the client as 503.
 */
async function retryingUncommitted<T>(run: (state: { commitSent: boolean }) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const state = { commitSent: false };
    try {
      return await run(state);
    } catch (err) {
      if (state.commitSent || attempt >= PG_TRANSACTION_ATTEMPTS || !isRetryableBeforeCommit(err)) throw err;
      await sleep(10 * attempt);
    }
  }
}

/**
 * Runs fn on one consistent snapshot, so an order is never read half-way through a change
 * (its amounts from before a capture, its captures from after). On PostgreSQL, on pgDb: the
 * primary, or a read replica (readReplica.ts).
 */
export async function inReadSnapshot<T>(store: Store, fn: (trx: Kysely<Database>) => Promise<T>, pgDb: Kysely<Database> = store.db): Promise<T> {
  if (store.dialect === 'postgres') {
    return retryingUncommitted(() => pgDb.transaction().setIsolationLevel('repeatable read').execute((trx: Transaction<Database>) => fn(trx)));
  }
  // Kysely serializes this process's statements on its one connection, but another process may
  // share the file: a deferred transaction pins one WAL snapshot for all the reads (and never
  // blocks or is blocked by a writer).
  return store.reader.connection().execute(async (conn) => {
    await sql`begin`.execute(conn);
    try {
      return await fn(conn);
    } finally {
      await sql`commit`.execute(conn).catch(() => undefined);
    }
  });
}

/** The store did not apply the request and knows it: busy or waited too long. Answered 503 (CONTRACT §2). */
export class UnavailableError extends Error {}

/**
 * PostgreSQL refusals that waiting cannot cure (start-up stops instead of retrying): wrong
 * password (28P01), unknown role or no pg_hba entry (28000), unknown database (3D000).
 */
export function isUnfixableConnectError(err: unknown): boolean {
  const code = err && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
  return code === '28P01' || code === '28000' || code === '3D000';
}

/** The driver error codes that mean "try again later", not "your request was wrong". */
export function isUnavailableError(err: unknown): boolean {
  if (err instanceof UnavailableError) return true;
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_IOERR') return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'].includes(code)) return true;
  // PostgreSQL: connection exceptions (08), operator intervention (57: shutdown, cancel/statement timeout),
  // insufficient resources (53), serialization failure and deadlock (40001, 40P01).
  if (/^(08|57|53)/.test(code) || code === '40001' || code === '40P01') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed|Cannot use a pool after calling end/i.test(message);
}
