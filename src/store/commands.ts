// One transaction per command: begin → claim idempotency key → lock order (with its merchant's
// clock) → domain decision → write changes + event (+ the jobs it causes) → store the rendered
// response under the key → commit. On PostgreSQL concurrent commands share the transaction (group
// commit, pgCommands.ts); on SQLite they share the writer's batch (sqliteWrites.ts).
import { sql, type Compilable, type Kysely } from 'kysely';
import { problems, type Problem } from '../domain/errorCodes.js';
import { orderStateViolations, type OrderState } from '../domain/order.js';
import { toKlarnaTimestamp } from '../domain/time.js';
import { WEBHOOK_EVENT_OF, type OrderEventType } from '../domain/webhookEvents.js';
import { clockOffsetMs, clockTime } from './clock.js';
import { inWriteTransaction, type Store } from './dialect.js';
import { eventInsert } from './events.js';
import { jobInsert, signalJobsDue, webhookFanOut, type ScheduledJob } from './jobs.js';
import { OrderQueues } from './orderQueues.js';
import { isOrderId, orderStateOf } from './orders.js';
import { PgCommandQueue, type CommandJob } from './pgCommands.js';
import type { Database, OrdersTable } from './schema.js';

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string; // '' for 204
}

/** A command's response, and whether it came from an earlier request with the same idempotency key. */
export type CommandResponse = StoredResponse & { replayed?: true };

/** What a command did, before it is rendered as an HTTP response. */
export type Outcome =
  | { kind: 'created'; resource: 'captures' | 'refunds'; orderId: string; id: string }
  | { kind: 'no_content' }
  | { kind: 'refused'; problem: Problem };

export type Render = (outcome: Outcome) => StoredResponse;

export interface CommandContext {
  merchantId: string;
  correlationId: string;
  idempotencyKey: string | undefined;
  /** The request an idempotency key is bound to (CONTRACT §2): its method and path. */
  request: { method: string; path: string };
  render: Render;
  /**
   * Epoch ms until which the command may wait for its turn on the order and for a connection
   * (the request's own deadline); past it, it is answered as not applied (503). Default: 30 s.
   */
  deadline?: number;
}

export interface OrderTx {
  /** For reads: a command's writes go through write() and are sent together with the COMMIT. */
  db: Kysely<Database>;
  order: OrdersTable;
  state: OrderState;
  ctx: CommandContext;
  /** Now on the merchant's clock. */
  now: Date;
  write(query: Compilable<unknown>): void;
  /**
   * Appends to the order event log with the state before this command and the given state after,
   * and queues the webhook the event fires (if any) for every subscribed endpoint.
   */
  recordEvent(type: OrderEventType, after: OrderState, data?: Record<string, unknown>): void;
  /** Queues work to run later (an outgoing call, a timer on the merchant's clock). */
  schedule(job: ScheduledJob): void;
}

export type OrderCommand = (tx: OrderTx) => Promise<Outcome>;

export type Refused = Extract<Outcome, { kind: 'refused' }>;
export const refused = (problem: Problem): Refused => ({ kind: 'refused', problem });

/** What an idempotency key is bound to, and how a refusal of the key itself is rendered. */
export type KeyedRequest = Pick<CommandContext, 'merchantId' | 'idempotencyKey' | 'request'> & {
  render(outcome: Refused): StoredResponse;
};

function claimQuery(db: Kysely<Database>, ctx: KeyedRequest, key: string) {
  // On PostgreSQL a second request with the same key blocks on the primary key here until the first
  // commits (then it replays) or rolls back (then it proceeds); on SQLite the write lock serializes them.
  return db
    .insertInto('idempotency_keys')
    .values({
      merchant_id: ctx.merchantId,
      idempotency_key: key,
      status_code: 0,
      response_headers: null,
      response_body: null,
      created_at: new Date().toISOString(),
      request_method: ctx.request.method,
      request_path: ctx.request.path,
    })
    .onConflict((oc) => oc.columns(['merchant_id', 'idempotency_key']).doNothing())
    .returning('status_code');
}

/** The stored response for a used key, or a refusal when the key was used for another request. */
async function replayOf(db: Kysely<Database>, ctx: KeyedRequest, key: string): Promise<CommandResponse> {
  const stored = await db
    .selectFrom('idempotency_keys')
    .select(['status_code', 'response_headers', 'response_body', 'request_method', 'request_path'])
    .where('merchant_id', '=', ctx.merchantId)
    .where('idempotency_key', '=', key)
    .executeTakeFirstOrThrow();
  if (stored.status_code === 0) throw new Error('idempotency key is claimed by an uncommitted transaction');
  // Keys stored before requests were recorded (null) replay as before.
  if (stored.request_method !== null && (stored.request_method !== ctx.request.method || stored.request_path !== ctx.request.path)) {
    return ctx.render(
      refused(problems.badValue('Bad value: Klarna-Idempotency-Key (already used for a different request; use a new key for each operation)')),
    );
  }
  return {
    status: stored.status_code,
    headers: JSON.parse(stored.response_headers ?? '{}') as Record<string, string>,
    body: stored.response_body ?? '',
    replayed: true,
  };
}

function saveResponseQuery(db: Kysely<Database>, ctx: KeyedRequest, key: string, response: StoredResponse) {
  return db
    .updateTable('idempotency_keys')
    .set({ status_code: response.status, response_headers: JSON.stringify(response.headers), response_body: response.body })
    .where('merchant_id', '=', ctx.merchantId)
    .where('idempotency_key', '=', key);
}

/**
 * A write transaction under the request's idempotency key (CONTRACT §2) for commands that are not
 * order commands (the Checkout API's): a used key replays its stored response (or is refused when
 * it was used for another request); a new key is claimed first, and the response `fn` returns is
 * stored under it with fn's writes, in the same transaction. On PostgreSQL a second request with
 * the key waits on the claim until the first commits, then replays.
 */
export function inKeyedTransaction(
  store: Store,
  ctx: KeyedRequest,
  fn: (db: Kysely<Database>) => Promise<{ response: StoredResponse; writes: Compilable<unknown>[] }>,
): Promise<CommandResponse> {
  const key = ctx.idempotencyKey;
  return inWriteTransaction(store, async (db) => {
    if (key !== undefined && (await db.executeQuery(claimQuery(db, ctx, key).compile())).rows.length === 0) return replayOf(db, ctx, key);
    const { response, writes } = await fn(db);
    if (key !== undefined) writes.push(saveResponseQuery(db, ctx, key, response));
    for (const write of writes) await db.executeQuery(write.compile());
    return response;
  });
}

type LockedOrder = OrdersTable & { clock_offset_seconds: number };

/**
 * Order rows with their merchants' clock offsets, read in the same statement (a scalar subquery
 * costs PostgreSQL less planning than a join).
 */
function ordersWithClock(db: Kysely<Database>) {
  return db
    .selectFrom('orders')
    .selectAll('orders')
    .select(sql<number>`(select m.clock_offset_seconds from merchants m where m.merchant_id = orders.merchant_id)`.as('clock_offset_seconds'));
}

/**
 * PostgreSQL: the orders of a batch, locked in order_id order (the lock is taken above the sort),
 * so two batches that share orders lock them in the same order and never deadlock. One array
 * parameter keeps it one prepared statement whatever the batch size; a batch of one order (the
 * usual case below full load) uses `=` instead, whose plan is made once per connection, where the
 * array keeps PostgreSQL planning afresh on every execution.
 */
function lockOrdersQuery(db: Kysely<Database>, orderIds: readonly string[]) {
  const rows = ordersWithClock(db);
  const matching = orderIds.length === 1 ? rows.where('orders.order_id', '=', orderIds[0]!) : rows.where('orders.order_id', '=', sql<string>`any(${[...orderIds]})`);
  return matching.orderBy('orders.order_id').forUpdate('orders' as never);
}

/** Pair assertion: the store refuses to write an order state the domain's invariants reject. */
function assertWritable(next: OrderState): void {
  const violations = orderStateViolations(next);
  if (violations.length > 0) throw new Error(`refusing to write an invalid order state: ${violations.map((v) => `${v.rule} (${v.detail})`).join(', ')}`);
}

/** How long a command may wait for its turn and a connection when the caller set no deadline. */
const DEFAULT_WAIT_MS = 30_000;

export async function runOrderCommand(store: Store, ctx: CommandContext, orderIdParam: string, command: OrderCommand): Promise<CommandResponse> {
  const jobs: JobsWritten = { any: false };
  const response = await runCommandJob(store, commandJob(store, ctx, orderIdParam, command, jobs));
  if (jobs.any) signalJobsDue(store);
  return response;
}

async function runCommandJob(store: Store, job: CommandJob<LockedOrder, CommandResponse>): Promise<CommandResponse> {
  if (store.dialect === 'postgres') return pgCommandsOf(store).run(job);
  // SQLite: the one writer runs commands one after another; the order's queue only bounds how many wait.
  const queues = sqliteQueuesOf(store);
  queues.enter(job.orderId, job);
  try {
    return await store.writes.run(async (db) => {
      const claimed = job.claim === undefined || (await db.executeQuery(job.claim.compile())).rows.length > 0;
      const row = claimed && job.lock ? (await ordersWithClock(db).where('orders.order_id', '=', job.orderId).executeTakeFirst()) : undefined;
      const { writes, result } = await job.decide(db, claimed, row);
      for (const w of writes) await db.executeQuery(w.compile());
      return result;
    }, job.deadline);
  } finally {
    queues.leave(job.orderId, job);
  }
}

const pgCommands = new WeakMap<Store, PgCommandQueue<LockedOrder, CommandResponse>>();
const sqliteQueues = new WeakMap<Store, OrderQueues<unknown>>();

function pgCommandsOf(store: Extract<Store, { dialect: 'postgres' }>): PgCommandQueue<LockedOrder, CommandResponse> {
  let queue = pgCommands.get(store);
  if (!queue) {
    queue = new PgCommandQueue(store.writer, store.db, { slots: store.writeSlots, orderQueueLimit: store.orderQueueLimit, lockOrders: lockOrdersQuery });
    pgCommands.set(store, queue);
  }
  return queue;
}

function sqliteQueuesOf(store: Store): OrderQueues<unknown> {
  let queues = sqliteQueues.get(store);
  if (!queues) {
    queues = new OrderQueues(store.orderQueueLimit);
    sqliteQueues.set(store, queues);
  }
  return queues;
}

/** Set when a command queued outbox jobs, so the local worker is woken once they are committed. */
interface JobsWritten {
  any: boolean;
}

/**
 * The command as the store runs it: the key to claim, whether to lock the order, and the decision
 * between the two round trips. `decide` gets whether the key was claimed (false: replay the stored
 * response) and the locked order row; it returns the writes to send with the COMMIT and the response.
 */
function commandJob(store: Store, ctx: CommandContext, orderIdParam: string, command: OrderCommand, jobs: JobsWritten): CommandJob<LockedOrder, CommandResponse> {
  const orderId = orderIdParam.toLowerCase();
  const key = ctx.idempotencyKey;
  return {
    orderId,
    lock: isOrderId(orderId),
    claim: key === undefined ? undefined : claimQuery(store.db, ctx, key),
    claimKey: key === undefined ? undefined : `${ctx.merchantId}\u0000${key}`,
    deadline: ctx.deadline ?? Date.now() + DEFAULT_WAIT_MS,
    decide: async (db, claimed, row) => {
      if (!claimed && key !== undefined) return { writes: [], result: await replayOf(db, ctx, key) };
      const writes: Compilable<unknown>[] = [];
      // Another merchant's order answers exactly as an unknown one.
      const locked = row && row.merchant_id === ctx.merchantId ? row : undefined;
      const outcome = locked ? await command(orderTx(store, ctx, db, locked, writes, jobs)) : refused(problems.noSuchOrder(orderIdParam));
      const response = ctx.render(outcome);
      if (key !== undefined) writes.push(saveResponseQuery(db, ctx, key, response));
      return { writes, result: response };
    },
  };
}

/** What a command sees of its locked order; its writes are queued in `writes`. */
function orderTx(store: Store, ctx: CommandContext, db: Kysely<Database>, locked: LockedOrder, writes: Compilable<unknown>[], jobs: JobsWritten): OrderTx {
  const { clock_offset_seconds, ...order } = locked;
  const offsetMs = clockOffsetMs(store, Number(clock_offset_seconds));
  const now = clockTime(store, Number(clock_offset_seconds));
  const state = orderStateOf(order);
  return {
    db,
    order,
    state,
    ctx,
    now,
    write: (query) => writes.push(query),
    recordEvent: (type, after, data) => {
      writes.push(
        eventInsert(db, {
          order_id: order.order_id,
          merchant_id: ctx.merchantId,
          type,
          occurred_at: now,
          correlation_id: ctx.correlationId,
          idempotency_key: ctx.idempotencyKey ?? null,
          before: state,
          after,
          data,
        }),
      );
      const webhook = WEBHOOK_EVENT_OF[type];
      if (webhook) {
        jobs.any = true;
        const ids = { order_id: order.order_id, ...pickIds(data) };
        writes.push(webhookFanOut(db, { merchantId: ctx.merchantId, orderId: order.order_id, type: webhook, data: ids, occurredAt: now, runAt: now.getTime() - offsetMs }));
      }
    },
    schedule: (job) => {
      jobs.any = true;
      writes.push(jobInsert(db, ctx.merchantId, offsetMs, now, job));
    },
  };
}

/** The resource ids a webhook's data carries, taken from the event's data. */
function pickIds(data: Record<string, unknown> | undefined): { capture_id?: string; refund_id?: string } {
  const ids: { capture_id?: string; refund_id?: string } = {};
  if (typeof data?.capture_id === 'string') ids.capture_id = data.capture_id;
  if (typeof data?.refund_id === 'string') ids.refund_id = data.refund_id;
  return ids;
}

/** Writes the order's amount columns and flags from a new state, and bumps updated_at. */
export function updateOrderState(tx: OrderTx, next: OrderState, extra: Partial<OrdersTable> = {}): void {
  assertWritable(next);
  tx.write(
    tx.db
      .updateTable('orders')
      .set({
        order_amount: next.order_amount,
        captured_amount: next.captured_amount,
        refunded_amount: next.refunded_amount,
        cancelled: next.cancelled ? 1 : 0,
        released: next.released ? 1 : 0,
        fraud_status: next.fraud_status,
        expires_at: toKlarnaTimestamp(next.expires_at),
        updated_at: tx.now.toISOString(),
        ...extra,
      })
      .where('order_id', '=', tx.order.order_id),
  );
}
