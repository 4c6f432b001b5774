// PostgreSQL group commit, with an in-process queue per order.
//
// Commands wait in their order's queue (orderQueues.ts), and one batch at a time takes an order's
// commands. Batches run on the writer's connections, at most `slots` at once, each one transaction
// whose statements are all parameterized and pipelined:
//   1. BEGIN, claim the idempotency keys (sorted), read the transaction id, lock the orders (sorted)
//   2. every command's writes, COMMIT
// and in between each command decides on its own locked order. Usually a batch holds the first
// command of many orders: two round trips and one commit for all of them. An order with several
// commands waiting (a hot order) gets a batch of its own that runs them one after another under one
// lock, each deciding on the row its predecessors left (one more round trip per command, still one
// commit): it holds one connection in this instance and never makes other orders wait for its lock.
//
// Every batch, in any instance, takes keys before orders and each in one global order, so two
// batches never wait for each other in a cycle: group commit cannot deadlock. A command that throws
// drops out alone (its writes are never sent). When a statement fails, nothing of the batch was
// applied: its commands run again, each on its own. When the connection dies after COMMIT was
// sent, the transaction's status decides what the batch's commands are answered (settleCommit):
// never a 503 for a change that was made.
import { setTimeout as sleep } from 'node:timers/promises';
import { CompiledQuery, sql, type Compilable, type Kysely } from 'kysely';
import { isRetryableBeforeCommit, isUnavailableError, UnavailableError } from './dialect.js';
import { OrderQueues } from './orderQueues.js';
import { pipeline, type StatementResult } from './pgStatements.js';
import type { Database } from './schema.js';

export interface CommandJob<Row, R> {
  /** The queue it waits in (the lower-cased order id as given, valid or not). */
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

/** Most commands in one batch: orders of a shared batch, or commands of one hot order. */
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

type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };
type Decided<Row, R> = { entry: Entry<Row, R>; ok: true; writes: CompiledQuery[]; result: R } | { entry: Entry<Row, R>; ok: false; error: unknown };

export class PgCommandQueue<Row extends { order_id: string }, R> {
  private readonly orders: OrderQueues<Entry<Row, R>>;
  /** Orders with commands to run and no batch holding them, first come first. */
  private ready: string[] = [];
  private readonly readySet = new Set<string>();
  /** Orders a batch holds (or that wait out a retry's pause). */
  private readonly busy = new Set<string>();
  private running = 0;
  private pumpScheduled = false;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly writer: Kysely<Database>,
    /** For reading a commit's outcome back: a connection that is not the writer's dead one. */
    private readonly db: Kysely<Database>,
    private readonly options: PgCommandOptions<Row>,
  ) {
    this.orders = new OrderQueues(options.orderQueueLimit);
  }

  run(job: CommandJob<Row, R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.orders.enter(job.orderId, { job, attempts: 0, solo: false, started: false, answered: false, resolve, reject });
      this.markReady(job.orderId);
      this.startSweeping();
    });
  }

  private markReady(orderId: string): void {
    if (this.busy.has(orderId) || this.readySet.has(orderId) || this.orders.of(orderId).length === 0) return;
    this.ready.push(orderId);
    this.readySet.add(orderId);
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      // Let the requests already read from the sockets join the batch.
      setImmediate(() => {
        this.pumpScheduled = false;
        this.pump();
      });
    }
  }

  private finish(entry: Entry<Row, R>, outcome: Outcome<R>): void {
    this.orders.leave(entry.job.orderId, entry);
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

  /**
   * The next batch: the first commands of orders with one command waiting, or, when an order has
   * several (or one that must run alone), that order's commands on their own. A key already in the
   * batch waits for the next one, as does anything past its deadline (answered 503).
   */
  private takeBatch(): Entry<Row, R>[] {
    const batch: Entry<Row, R>[] = [];
    const keys = new Set<string>();
    const later: string[] = [];
    const fits = (e: Entry<Row, R>) => e.job.claimKey === undefined || !keys.has(e.job.claimKey);
    const add = (e: Entry<Row, R>) => {
      batch.push(e);
      if (e.job.claimKey !== undefined) keys.add(e.job.claimKey);
    };
    while (this.ready.length > 0 && batch.length < MAX_BATCH) {
      const orderId = this.ready.shift()!;
      this.readySet.delete(orderId);
      this.expire(orderId);
      const queue = this.orders.of(orderId);
      if (queue.length === 0) continue;
      const alone = queue.length > 1 || queue[0]!.solo;
      if ((alone && batch.length > 0) || !fits(queue[0]!)) {
        later.push(orderId);
        continue;
      }
      this.busy.add(orderId);
      if (!alone) {
        add(queue[0]!);
        continue;
      }
      for (const entry of queue.slice(0, queue[0]!.solo ? 1 : MAX_BATCH)) {
        if (!fits(entry) || (entry.solo && batch.length > 0)) break;
        add(entry);
      }
      break;
    }
    for (const orderId of later.reverse()) {
      this.ready.unshift(orderId);
      this.readySet.add(orderId);
    }
    for (const entry of batch) entry.started = true;
    return batch;
  }

  /** Answers 503 to the order's commands that are still waiting past their deadline. */
  private expire(orderId: string, now = Date.now()): void {
    for (const entry of [...this.orders.of(orderId)]) {
      if (!entry.started && entry.job.deadline < now) this.finish(entry, { ok: false, error: waitedTooLong() });
    }
  }

  private startSweeping(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const entry of [...this.orders.all()]) {
        if (!entry.started && entry.job.deadline < now) this.finish(entry, { ok: false, error: waitedTooLong() });
      }
      if (this.orders.size === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    }, SWEEP_MS);
    this.sweeper.unref();
  }

  private async runBatch(batch: Entry<Row, R>[]): Promise<void> {
    try {
      await this.writer.connection().execute((conn) => this.transaction(conn, batch));
    } catch (error) {
      // No connection, or a round trip before COMMIT failed: nothing of the batch was applied.
      this.notApplied(
        batch.filter((e) => e.started && !e.answered),
        error,
      );
    }
    // The orders are free again; a command that will run again waits out its pause first.
    for (const orderId of new Set(batch.map((e) => e.job.orderId))) {
      const pause = Math.max(0, ...this.orders.of(orderId).map((e) => (e.started ? 0 : 10 * e.attempts)));
      const free = () => {
        this.busy.delete(orderId);
        this.markReady(orderId);
      };
      if (pause > 0) void sleep(pause).then(free);
      else free();
    }
  }

  private async transaction(conn: Kysely<Database>, batch: Entry<Row, R>[]): Promise<void> {
    // Round trip 1: begin, claims and locks, each in one global order.
    const claims = batch.filter((e) => e.job.claim !== undefined).sort((a, b) => compare(a.job.claimKey!, b.job.claimKey!));
    const orderIds = [...new Set(batch.filter((e) => e.job.lock).map((e) => e.job.orderId))].sort(compare);
    const first = [BEGIN, ...claims.map((e) => e.job.claim!.compile()), TRANSACTION_ID];
    if (orderIds.length > 0) first.push(this.options.lockOrders(conn, orderIds).compile());
    const opened = await this.roundTrip(conn, first);
    const claimed = new Map(claims.map((e, i) => [e, rowsOf(opened[1 + i]!).length > 0]));
    const xid = String(rowsOf(opened[1 + claims.length]!)[0]!.xid);
    let rows = rowsById<Row>(orderIds.length > 0 ? opened[opened.length - 1]! : undefined);

    // Each order's commands decide in turn, all orders at once; one that throws drops out alone.
    // A command after another of its order decides on the row as that one left it.
    const chains = [...groupBy(batch, (e) => e.job.orderId).values()];
    const going: Extract<Decided<Row, R>, { ok: true }>[] = [];
    /** The commands whose writes are still to be sent, and those writes. */
    let unsent: Extract<Decided<Row, R>, { ok: true }>[] = [];
    let writes: CompiledQuery[] = [];
    for (let step = 0; ; step++) {
      const decided = await Promise.all(chains.filter((c) => step < c.length).map((c) => decide(conn, c[step]!, claimed, rows)));
      for (const d of decided) {
        if (d.ok) {
          going.push(d);
          unsent.push(d);
          writes.push(...d.writes);
        } else if (isRetryableBeforeCommit(d.error)) {
          this.notApplied([d.entry], d.error);
        } else {
          this.finish(d.entry, { ok: false, error: d.error });
        }
      }
      const continuing = chains.filter((c) => step + 1 < c.length && c[0]!.job.lock).map((c) => c[0]!.job.orderId);
      if (!chains.some((c) => step + 1 < c.length)) break;
      if (continuing.length > 0) {
        const sent = await this.roundTrip(conn, [...writes, this.options.lockOrders(conn, continuing).compile()]);
        rows = rowsById<Row>(sent[sent.length - 1]);
      } else if (writes.length > 0) {
        await this.roundTrip(conn, writes);
      }
      unsent = [];
      writes = [];
    }

    // Round trip 2: the writes left, then COMMIT.
    const second = await run(conn, [...writes, COMMIT]);
    const commit = second[second.length - 1]!;
    if (commit.ok && commit.command === 'COMMIT') {
      // A write can only fail without aborting the transaction if pg failed it in the client
      // (sendable() rules that out): its command must not be answered as done.
      const failed = new Map<Entry<Row, R>, unknown>();
      let next = 0;
      for (const d of unsent) {
        const own = second.slice(next, (next += d.writes.length)).find((r) => !r.ok) as { error: unknown } | undefined;
        if (own) failed.set(d.entry, new Error(`a write was not applied although its transaction committed: ${String(own.error)}`));
      }
      for (const d of going) this.finish(d.entry, failed.has(d.entry) ? { ok: false, error: failed.get(d.entry) } : { ok: true, value: d.result });
    } else if (abortedForSure(second)) {
      this.notApplied(
        going.map((d) => d.entry),
        firstError(second) ?? new Error('COMMIT was answered with ROLLBACK'),
      );
    } else {
      // The answer to COMMIT was lost. Finding out may take a while (the database may be out of
      // reach): the slot and the orders move on meanwhile, and a next command on one of these
      // orders waits for the row lock in PostgreSQL until this transaction has ended either way.
      for (const d of going) this.orders.leave(d.entry.job.orderId, d.entry);
      void this.settleCommit(xid, going.map((d) => d.entry)).then((committed) => {
        for (const d of going) answer(d.entry, committed === true ? { ok: true, value: d.result } : { ok: false, error: unknownOrNotApplied(committed) });
      });
    }
  }

  /** A round trip before COMMIT: on any failure the transaction is rolled back and the error thrown. */
  private async roundTrip(conn: Kysely<Database>, statements: CompiledQuery[]): Promise<StatementResult[]> {
    const results = await run(conn, statements);
    const failed = results.find((r) => !r.ok);
    if (failed) {
      await conn.executeQuery(ROLLBACK).catch(() => undefined);
      throw firstError(results);
    }
    return results;
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

async function decide<Row extends { order_id: string }, R>(
  conn: Kysely<Database>,
  entry: Entry<Row, R>,
  claimed: Map<Entry<Row, R>, boolean>,
  rows: Map<string, Row>,
): Promise<Decided<Row, R>> {
  try {
    const { writes, result } = await entry.job.decide(conn, claimed.get(entry) ?? true, rows.get(entry.job.orderId));
    return { entry, ok: true, writes: writes.map(sendable), result };
  } catch (error) {
    return { entry, ok: false, error };
  }
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

function rowsById<Row extends { order_id: string }>(result: StatementResult | undefined): Map<string, Row> {
  return new Map((result ? (rowsOf(result) as Row[]) : []).map((r) => [r.order_id, r]));
}

function firstError(results: StatementResult[]): unknown {
  return (results.find((r) => !r.ok) as { error: unknown } | undefined)?.error;
}

/**
 * Whether the server answered an error that aborted the transaction before its COMMIT could take
 * effect: an ERROR (not FATAL) on a connection that is still there. A lost connection, or a FATAL
 * (pg_terminate_backend during COMMIT), leaves the outcome open.
 */
function abortedForSure(results: StatementResult[]): boolean {
  return results.some((r) => !r.ok && (r.error as { severity?: unknown }).severity === 'ERROR');
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const waitedTooLong = () => new UnavailableError('the request waited for its turn on the order longer than its deadline');
