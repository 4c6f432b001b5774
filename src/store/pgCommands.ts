// PostgreSQL group commit, with an in-process queue per order.
//
// Commands wait in their order's queue (orderQueues.ts); the first of each order is ready. Ready
// commands run together in batches on the writer's connections, at most `slots` batches at once,
// each batch one transaction in two round trips, every statement a parameterized one:
//   1. BEGIN, claim the idempotency keys (sorted), read the transaction id, lock the orders (sorted)
//   2. every command's writes, COMMIT
// and in between each command decides on its own locked order. Every batch, in any instance, takes
// keys before orders and each in one global order, so two batches never wait for each other in a
// cycle: group commit cannot deadlock. A command that throws drops out alone (its writes are never
// sent). When a statement fails, nothing of the batch was applied: its commands run again, each on
// its own. When the connection dies after COMMIT was sent, the transaction's status decides what
// every command of the batch is answered (settleCommit): never a 503 for a change that was made.
import { setTimeout as sleep } from 'node:timers/promises';
import { CompiledQuery, sql, type Compilable, type Kysely } from 'kysely';
import { isRetryableBeforeCommit, isUnavailableError, UnavailableError } from './dialect.js';
import { OrderQueues } from './orderQueues.js';
import { pipeline, type StatementResult } from './pgStatements.js';
import type { Database } from './schema.js';

export interface CommandJob<Row, R> {
  /** The queue it waits in (lower-cased order id as given, valid or not). */
  orderId: string;
  /** Whether orderId can name an order: only then is a row locked. */
  lock: boolean;
  /** The idempotency claim, and the key it claims (merchant and key) for sorting and de-duplication. */
  claim?: Compilable<unknown>;
  claimKey?: string;
  /** Epoch ms; a command that has not started by then is answered as not applied. */
  deadline: number;
  /** Between the round trips: what to write and answer, given whether the key was claimed and the locked row. */
  decide(db: Kysely<Database>, claimed: boolean, row: Row | undefined): Promise<{ writes: Compilable<unknown>[]; result: R }>;
}

interface Entry<Row, R> {
  job: CommandJob<Row, R>;
  attempts: number;
  /** Runs in a batch of its own (after a batch it was in failed). */
  solo: boolean;
  started: boolean;
  answered: boolean;
  resolve(value: R): void;
  reject(error: unknown): void;
}

export interface PgCommandOptions<Row> {
  slots: number;
  orderQueueLimit: number;
  lockOrders(db: Kysely<Database>, orderIds: readonly string[]): Compilable<Row>;
}

const MAX_BATCH = 64;
const ATTEMPTS = 3;
const SWEEP_MS = 250;
/** How long a commit whose answer was lost may take to find out, at least. */
const SETTLE_MS = 15_000;

const BEGIN = CompiledQuery.raw('begin');
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');
const TRANSACTION_ID = CompiledQuery.raw('select pg_current_xact_id()::text as xid');

/** The commit's outcome is unknown: the connection died after COMMIT and the database stayed out of reach. */
export class CommitOutcomeUnknownError extends Error {}

export class PgCommandQueue<Row extends { order_id: string }, R> {
  private readonly orders: OrderQueues<Entry<Row, R>>;
  private ready: Entry<Row, R>[] = [];
  private running = 0;
  private pumpScheduled = false;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly writer: Kysely<Database>,
    /** For finding out a commit's outcome: a connection that is not the writer's dead one. */
    private readonly db: Kysely<Database>,
    private readonly options: PgCommandOptions<Row>,
  ) {
    this.orders = new OrderQueues(options.orderQueueLimit);
  }

  run(job: CommandJob<Row, R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const entry: Entry<Row, R> = { job, attempts: 0, solo: false, started: false, answered: false, resolve, reject };
      if (this.orders.enter(job.orderId, entry)) this.makeReady(entry);
      else this.startSweeping();
    });
  }

  private makeReady(entry: Entry<Row, R>, first = false): void {
    if (first) this.ready.unshift(entry);
    else this.ready.push(entry);
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      // Let the requests already read from the sockets join the batch.
      setImmediate(() => {
        this.pumpScheduled = false;
        this.pump();
      });
    }
  }

  /** The command no longer holds its order: the next of its order becomes ready. */
  private release(entry: Entry<Row, R>): void {
    const next = this.orders.leave(entry.job.orderId, entry);
    if (next) this.makeReady(next);
  }

  private finish(entry: Entry<Row, R>, outcome: Outcome<R>): void {
    this.release(entry);
    answer(entry, outcome);
  }

  private pump(): void {
    while (this.running < this.options.slots && this.ready.length > 0) {
      const batch = this.takeBatch();
      if (batch.length === 0) continue;
      this.running++;
      void this.runBatch(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  /** Up to MAX_BATCH ready commands; an expired one is answered 503, a duplicate key waits for the next batch. */
  private takeBatch(): Entry<Row, R>[] {
    const now = Date.now();
    const batch: Entry<Row, R>[] = [];
    const keys = new Set<string>();
    const left: Entry<Row, R>[] = [];
    for (const entry of this.ready) {
      if (entry.job.deadline < now) {
        this.finish(entry, { ok: false, error: waitedTooLong() });
      } else if (batch.length >= MAX_BATCH || (entry.solo && batch.length > 0) || batch[0]?.solo || (entry.job.claimKey !== undefined && keys.has(entry.job.claimKey))) {
        left.push(entry);
      } else {
        batch.push(entry);
        if (entry.job.claimKey !== undefined) keys.add(entry.job.claimKey);
      }
    }
    this.ready = left;
    for (const entry of batch) entry.started = true;
    return batch;
  }

  /** Answers 503 to commands that have waited behind their order's first one past their deadline. */
  private startSweeping(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      const now = Date.now();
      let waiting = 0;
      for (const entry of [...this.orders.waiting()]) {
        if (entry.job.deadline < now) this.finish(entry, { ok: false, error: waitedTooLong() });
        else waiting++;
      }
      if (waiting === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    }, SWEEP_MS);
    this.sweeper.unref();
  }

  private async runBatch(batch: Entry<Row, R>[]): Promise<void> {
    let unsettled: Unsettled<Row, R> | void = undefined;
    try {
      unsettled = await this.writer.connection().execute((conn) => this.transaction(conn, batch));
    } catch (error) {
      // No connection, or the first round trip failed: nothing of the batch was applied.
      this.notApplied(batch, error);
    }
    if (unsettled) {
      // Finding out may take a while (the database may be out of reach): the slot and the orders
      // move on meanwhile. A next command on one of the orders waits for the row lock in PostgreSQL
      // until the transaction has ended either way.
      for (const d of unsettled.going) this.release(d.entry);
      void this.settleCommit(unsettled.xid, unsettled.going.map((d) => d.entry)).then((committed) => {
        for (const d of unsettled.going) answer(d.entry, committed === true ? { ok: true, value: d.result } : { ok: false, error: unknownOrNotApplied(committed) });
      });
    }
  }

  /** Runs the batch's transaction; what it returns was sent with COMMIT and lost its answer. */
  private async transaction(conn: Kysely<Database>, batch: Entry<Row, R>[]): Promise<Unsettled<Row, R> | void> {
    // Round trip 1: begin, claims and locks, each in one global order.
    const claims = batch.filter((e) => e.job.claim !== undefined).sort((a, b) => compare(a.job.claimKey!, b.job.claimKey!));
    const orderIds = [...new Set(batch.filter((e) => e.job.lock).map((e) => e.job.orderId))].sort(compare);
    const first = [BEGIN, ...claims.map((e) => e.job.claim!.compile()), TRANSACTION_ID];
    if (orderIds.length > 0) first.push(this.options.lockOrders(conn, orderIds).compile());
    const opened = await run(conn, first);
    const failed = opened.find((r) => !r.ok);
    if (failed) {
      await conn.executeQuery(ROLLBACK).catch(() => undefined);
      throw failed.error;
    }
    const claimed = new Map(claims.map((e, i) => [e, rowsOf(opened[1 + i]!).length > 0]));
    const xid = String(rowsOf(opened[1 + claims.length]!)[0]!.xid);
    const rows = new Map((orderIds.length > 0 ? (rowsOf(opened[opened.length - 1]!) as Row[]) : []).map((r) => [r.order_id, r]));

    // Each command decides on its locked order; one that throws drops out alone.
    const decided = await Promise.all(
      batch.map(async (entry) => {
        try {
          const { writes, result } = await entry.job.decide(conn, claimed.get(entry) ?? true, rows.get(entry.job.orderId));
          return { entry, ok: true as const, writes: writes.map(sendable), result };
        } catch (error) {
          return { entry, ok: false as const, error };
        }
      }),
    );
    const going = decided.filter((d) => d.ok);
    for (const d of decided) {
      if (d.ok) continue;
      if (isRetryableBeforeCommit(d.error)) this.notApplied([d.entry], d.error);
      else this.finish(d.entry, { ok: false, error: d.error });
    }

    // Round trip 2: every write, then COMMIT.
    const second = await run(conn, [...going.flatMap((d) => d.writes), COMMIT]);
    const commit = second[second.length - 1]!;
    if (commit.ok && commit.command === 'COMMIT') {
      for (const d of going) this.finish(d.entry, { ok: true, value: d.result });
    } else if (abortedForSure(second)) {
      this.notApplied(
        going.map((d) => d.entry),
        (second.find((r) => !r.ok) as { error: unknown } | undefined)?.error ?? new Error('COMMIT was answered with ROLLBACK'),
      );
    } else {
      return { xid, going };
    }
  }

  /**
   * Commands that were certainly not applied: run again when the failure may pass on another
   * connection (a few attempts), each on its own when the batch had several (so one command's
   * failing write cannot fail the others), otherwise answered with the error.
   */
  private notApplied(entries: Entry<Row, R>[], error: unknown): void {
    const retry = isRetryableBeforeCommit(error);
    for (const entry of entries) {
      if (entry.answered) continue;
      // Unavailability (a lock wait that timed out, no connection) is the batch's, not one command's.
      const final = retry ? entry.attempts + 1 >= ATTEMPTS : entry.solo || entries.length === 1 || isUnavailableError(error);
      if (final) {
        this.finish(entry, { ok: false, error });
        continue;
      }
      entry.attempts++;
      entry.solo ||= !retry;
      entry.started = false;
      void sleep(retry ? 10 * entry.attempts : 0).then(() => this.makeReady(entry, true));
    }
  }

  /**
   * The connection died after COMMIT was sent: whether it committed decides what the batch is
   * answered. pg_xact_status on another connection says so once the transaction has ended; while
   * it is still in progress (its backend finishing the commit, or not yet aware that its client is
   * gone), wait, and after a second end that backend, which makes the outcome final. Undefined when
   * the database stays out of reach.
   */
  private async settleCommit(xid: string, entries: Entry<Row, R>[]): Promise<boolean | undefined> {
    const started = Date.now();
    const until = Math.max(started + SETTLE_MS, ...entries.map((e) => e.job.deadline));
    for (let attempt = 0; ; attempt++) {
      try {
        const { rows } = await sql<{ status: string | null }>`select pg_xact_status(${xid}::xid8) as status`.execute(this.db);
        const status = rows[0]?.status;
        if (status === 'committed') return true;
        if (status === 'aborted') return false;
        if (status !== 'in progress') return undefined;
        if (Date.now() - started > 1000) {
          await sql`select pg_terminate_backend(pid) from pg_stat_activity where backend_xid = xid(${xid}::xid8)`.execute(this.db);
        }
      } catch {
        // Out of reach for now: keep asking until `until`.
      }
      if (Date.now() > until) return undefined;
      await sleep(Math.min(25 * 2 ** attempt, 500));
    }
  }
}

type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Unsettled<Row, R> {
  xid: string;
  going: { entry: Entry<Row, R>; result: R }[];
}

function answer<R>(entry: Entry<unknown, R>, outcome: Outcome<R>): void {
  if (entry.answered) return;
  entry.answered = true;
  if (outcome.ok) entry.resolve(outcome.value);
  else entry.reject(outcome.error);
}

/** The error for a commit that did not happen (false) or whose outcome stayed unknown (undefined). */
function unknownOrNotApplied(committed: false | undefined): Error {
  return committed === false
    ? new UnavailableError('the connection to PostgreSQL was lost during COMMIT, which did not take effect')
    : new CommitOutcomeUnknownError('the connection to PostgreSQL was lost during COMMIT and the outcome could not be read back');
}

async function run(conn: Kysely<Database>, statements: CompiledQuery[]): Promise<StatementResult[]> {
  return (await conn.executeQuery(pipeline(statements))).rows;
}

/**
 * A write compiled for the pipeline. Its parameters must be plain values: pg would fail an odd one
 * in the client, without the server knowing, and the COMMIT behind it would then commit the rest.
 */
function sendable(write: Compilable<unknown>): CompiledQuery {
  const compiled = write.compile();
  for (const p of compiled.parameters) {
    if (p !== null && typeof p !== 'string' && typeof p !== 'number' && typeof p !== 'boolean') throw new TypeError(`unexpected ${typeof p} parameter in a write`);
  }
  return compiled;
}

function rowsOf(result: StatementResult): Record<string, unknown>[] {
  return result.ok ? result.rows : [];
}

/**
 * Whether the server answered an error that aborted the transaction before its COMMIT could take
 * effect: an ERROR (not FATAL) on a connection that is still there. A lost connection, or a FATAL
 * (pg_terminate_backend during COMMIT), leaves the outcome open.
 */
function abortedForSure(results: StatementResult[]): boolean {
  return results.some((r) => !r.ok && (r.error as { severity?: unknown }).severity === 'ERROR');
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const waitedTooLong = () => new UnavailableError('the request waited for its turn on the order longer than its deadline');
