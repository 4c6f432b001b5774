// One transaction per command: begin → claim idempotency key → lock order (with its merchant's
// clock) → domain decision → write changes + event (+ the jobs it causes) → store the rendered
// response under the key → commit. On PostgreSQL concurrent commands share the transaction (group
// commit, pgCommands.ts); on SQLite they share the writer's batch (sqliteWrites.ts).
//
// Order commands all run here, and no command can bypass it. Two other write paths exist, each
// for a reason: the Checkout API's commands run under their key with inKeyedTransaction
// (idempotency.ts), as they lock a checkout row, not an order; a shopper's purchase
// (checkoutOrders.ts: completeCheckout) has no key and writes a new order in a plain write transaction.
import { sql, type Compilable, type Kysely } from 'kysely';
import { problems } from '../domain/errorCodes.js';
import type { Store } from './dialect.js';
import { orderVersionQuery } from './events.js';
import { claimQuery, replayOf, saveResponseQuery } from './idempotency.js';
import { signalJobsDue } from './jobs.js';
import { OrderQueues } from './orderQueues.js';
import { isOrderId } from './orders.js';
import { orderTx, type CommandContext, type JobsWritten, type LockedOrder, type OrderCommand } from './orderTx.js';
import { refused, type CommandResult, type Decided, type Outcome } from './outcome.js';
import { PgCommandQueue, type CommandJob } from './pgCommands.js';
import type { Database } from './schema.js';
import { settlementFeesOfOrder } from './settlementFees.js';

/**
 * Order rows with their merchants' clock offsets and settlement fees, read in the same statement (a scalar subquery
 * costs PostgreSQL less planning than a join).
 */
function ordersWithClock(db: Kysely<Database>) {
  return db
    .selectFrom('orders')
    .selectAll('orders')
    .select(sql<number>`(select m.clock_offset_seconds from merchants m where m.merchant_id = orders.merchant_id)`.as('clock_offset_seconds'))
    .select(settlementFeesOfOrder);
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

/** How long a command may wait for its turn and a connection when the caller set no deadline. */
const DEFAULT_WAIT_MS = 30_000;

type Result = CommandResult<Outcome>;

/**
 * Runs an order command in its order's transaction and answers what it decided (with the response
 * stored under the key, if any) or, for a key used before, the response stored then.
 */
export async function runOrderCommand(store: Store, ctx: CommandContext & { idempotency?: undefined }, orderIdParam: string, command: OrderCommand): Promise<Decided<Outcome>>;
export async function runOrderCommand(store: Store, ctx: CommandContext, orderIdParam: string, command: OrderCommand): Promise<Result>;
export async function runOrderCommand(store: Store, ctx: CommandContext, orderIdParam: string, command: OrderCommand): Promise<Result> {
  const jobs: JobsWritten = { any: false };
  const result = await runCommandJob(store, commandJob(store, ctx, orderIdParam, command, jobs));
  store.readReplica?.recentWrites.mark(orderIdParam.toLowerCase());
  if (jobs.any) signalJobsDue(store);
  return result;
}

async function runCommandJob(store: Store, job: CommandJob<LockedOrder, Result>): Promise<Result> {
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

const pgCommands = new WeakMap<Store, PgCommandQueue<LockedOrder, Result>>();
const sqliteQueues = new WeakMap<Store, OrderQueues<unknown>>();

function pgCommandsOf(store: Extract<Store, { dialect: 'postgres' }>): PgCommandQueue<LockedOrder, Result> {
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

/**
 * The refusal of a command whose order is no longer at the version its caller expects. Read with
 * the order locked: a change that committed before the lock is seen, none can come after it, so
 * two commands expecting the same version cannot both pass (the second sees the first's event).
 */
async function changedSinceExpected(db: Kysely<Database>, ctx: CommandContext, orderId: string) {
  if (ctx.expectedVersion === undefined) return undefined;
  const { version } = await orderVersionQuery(db, orderId).executeTakeFirstOrThrow();
  return version === ctx.expectedVersion ? undefined : refused(problems.orderChanged(orderId));
}

/**
 * The command as the store runs it: the key to claim, whether to lock the order, and the decision
 * between the two round trips. `decide` gets whether the key was claimed (false: replay the stored
 * response) and the locked order row; it returns the writes to send with the COMMIT and the result.
 */
function commandJob(store: Store, ctx: CommandContext, orderIdParam: string, command: OrderCommand, jobs: JobsWritten): CommandJob<LockedOrder, Result> {
  const orderId = orderIdParam.toLowerCase();
  const binding = ctx.idempotency;
  return {
    orderId,
    lock: isOrderId(orderId),
    claim: binding && claimQuery(store.db, ctx.merchantId, binding),
    claimKey: binding && `${ctx.merchantId}\u0000${binding.key}`,
    deadline: ctx.deadline ?? Date.now() + DEFAULT_WAIT_MS,
    decide: async (db, claimed, row) => {
      if (!claimed && binding) return { writes: [], result: await replayOf(db, ctx.merchantId, binding) };
      const writes: Compilable<unknown>[] = [];
      // Another merchant's order answers exactly as an unknown one.
      const locked = row && row.merchant_id === ctx.merchantId ? row : undefined;
      const outcome = !locked
        ? refused(problems.noSuchOrder(orderIdParam))
        : (await changedSinceExpected(db, ctx, locked.order_id)) ?? (await command(orderTx(store, ctx, db, locked, writes, jobs)));
      const response = binding?.render(outcome);
      if (binding && response) writes.push(saveResponseQuery(db, ctx.merchantId, binding.key, response));
      return { writes, result: { replayed: false, outcome, response } };
    },
  };
}
