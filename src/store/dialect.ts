// Everything that differs between SQLite and PostgreSQL lives here: connecting, column types,
// transactions and row locks, and which driver errors mean "the database is unavailable".
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Compilable, type SelectQueryBuilder, type Transaction } from 'kysely';
import pg from 'pg';
import type { StoreConfig } from '../config.js';
import { multiStatement, withPreparedStatements } from './pgStatements.js';
import type { Database } from './schema.js';
import { withStatementCache } from './sqliteStatements.js';
import { SqliteWriteQueue } from './sqliteWrites.js';

export type DialectName = 'sqlite' | 'postgres';

export interface StoreOptions {
  /** Sandbox mode: each merchant's time is its own clock (clock.ts). Default true. */
  merchantClocks?: boolean;
  pgPoolSize?: number;
  pgStatementTimeoutMs?: number;
  onPoolError?: (err: Error) => void;
}

export interface Store {
  db: Kysely<Database>;
  /**
   * Where GET reads go. For a SQLite file: a second, read-only connection, so reads run on their
   * own WAL snapshot instead of queueing behind the write transaction on the first one.
   * Otherwise the same as db.
   */
  reader: Kysely<Database>;
  dialect: DialectName;
  /** Whether merchants' clocks apply (sandbox mode) or time is the real clock (production mode). */
  merchantClocks: boolean;
  close(): Promise<void>;
  /** SQLite only: the group-commit queue every write transaction of this process goes through. */
  writes?: SqliteWriteQueue;
  /** Connection use right now, for /metrics. */
  stats(): Record<string, number>;
}


const PG_INT8_OID = 20;

export function openStore(config: StoreConfig, options: StoreOptions = {}): Store {
  if (config.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: options.pgPoolSize ?? 10,
      statement_timeout: options.pgStatementTimeoutMs ?? 10_000,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // Amounts are bigint columns; all values stored are validated to be safe integers.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === PG_INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client dropped by the server must not crash the process; the next query reconnects.
    pool.on('error', (err) => options.onPoolError?.(err));
    // pg emits 'error' on a checked-out client whose connection dies between two queries (e.g.
    // pg_terminate_backend inside a transaction) and the pool listens only while a client is idle:
    // without this listener that event would be an uncaught exception. The failed client is not
    // queryable any more, so the pool discards it when it is released.
    pool.on('connect', (client) => client.on('error', (err) => options.onPoolError?.(err)));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }) });
    return {
      db,
      reader: db,
      dialect: 'postgres',
      merchantClocks: options.merchantClocks ?? true,
      close: () => db.destroy(),
      stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    };
  }
  if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
  const sqlite = new SQLite(config.path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // FULL: a commit is on disk before we acknowledge it, even across power loss.
  sqlite.pragma('synchronous = FULL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  // An in-memory database exists only on its one connection.
  const reader = config.path === ':memory:' ? db : openSqliteReader(config.path);
  const writes = new SqliteWriteQueue(db, beginImmediate);
  return {
    db,
    reader,
    dialect: 'sqlite',
    merchantClocks: options.merchantClocks ?? true,
    close: async () => {
      if (reader !== db) await reader.destroy();
      await db.destroy();
    },
    writes,
    stats: () => ({ queued_writes: writes.pending }),
  };
}

/** Opened after the writer, which has created the file and switched it to WAL. */
function openSqliteReader(path: string): Kysely<Database> {
  const connection = new SQLite(path, { readonly: true });
  connection.pragma('busy_timeout = 5000');
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
 * Like lockedRows, but rows another transaction holds are skipped instead of waited for, so
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
  if (!store.writes) throw new Error('SQLite store without a write queue');
  return store.writes.run(fn);
}

/**
 * A write transaction shaped for one round trip at each end: `first` begins it together with
 * the first statement (the lock, or the idempotency claim), `commitWith` sends the writes and the
 * COMMIT together. Reads in between use `db`. On PostgreSQL each end is one multi-statement
 * message (parameters inlined as escaped literals, see pgStatements.ts); SQLite, in-process, just
 * runs the statements inside the group-commit queue's savepoint.
 */
export interface WriteSession {
  db: Kysely<Database>;
  first<R>(query: Compilable<R>): Promise<R[]>;
  commitWith(writes: readonly Compilable<unknown>[]): Promise<void>;
}

export async function inWriteSession<T>(store: Store, fn: (session: WriteSession) => Promise<T>): Promise<T> {
  if (store.dialect === 'sqlite') {
    return inWriteTransaction(store, (db) =>
      fn({
        db,
        first: async <R>(query: Compilable<R>) => (await db.executeQuery(query.compile())).rows as R[],
        commitWith: async (writes) => {
          for (const w of writes) await db.executeQuery(w.compile());
        },
      }),
    );
  }
  return retryingUncommitted((state) =>
    store.db.connection().execute(async (conn) => {
      let begun = false;
      let finished = false;
      const session: WriteSession = {
        db: conn,
        first: async <R>(query: Compilable<R>) => {
          begun = true;
          return (await conn.executeQuery(multiStatement(['begin', query.compile()]))).rows as R[];
        },
        commitWith: async (writes) => {
          if (!begun) throw new Error('commitWith before first');
          state.commitSent = true;
          await conn.executeQuery(multiStatement([...writes.map((w) => w.compile()), 'commit']));
          finished = true;
        },
      };
      try {
        const result = await fn(session);
        if (begun && !finished) {
          state.commitSent = true;
          await sql`commit`.execute(conn);
        }
        return result;
      } catch (err) {
        if (begun && !finished) await sql`rollback`.execute(conn).catch(() => undefined);
        throw err;
      }
    }),
  );
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
function isRetryableBeforeCommit(err: unknown): boolean {
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
 * (its amounts from before a capture, its captures from after).
 */
export async function inReadSnapshot<T>(store: Store, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (store.dialect === 'postgres') {
    return retryingUncommitted(() => store.db.transaction().setIsolationLevel('repeatable read').execute((trx: Transaction<Database>) => fn(trx)));
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

/** The driver error codes that mean "try again later", not "your request was wrong". */
export function isUnavailableError(err: unknown): boolean {
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
