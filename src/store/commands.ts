// One transaction per command: begin → claim idempotency key → lock order → domain decision →
// write changes + event → store the rendered response under the key → commit.
import type { Compilable, Kysely } from 'kysely';
import type { OrderState } from '../domain/order.js';
import { toKlarnaTimestamp } from '../domain/time.js';
import { inWriteSession, type Store } from './dialect.js';
import { eventInsert } from './events.js';
import { isOrderId, orderStateOf } from './orders.js';
import type { Database, OrdersTable } from './schema.js';

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string; // '' for 204
}

/** What a command did, before it is rendered as an HTTP response. */
export type Outcome =
  | { kind: 'created'; resource: 'captures' | 'refunds'; orderId: string; id: string }
  | { kind: 'no_content' }
  | { kind: 'refused'; status: 403 | 404 | 400; code: string; message: string };

export type Render = (outcome: Outcome) => StoredResponse;

export interface CommandContext {
  merchantId: string;
  correlationId: string;
  idempotencyKey: string | undefined;
  now: Date;
  render: Render;
}

export interface OrderTx {
  /** For reads: a command's writes go through write() and are sent together with the COMMIT. */
  db: Kysely<Database>;
  order: OrdersTable;
  state: OrderState;
  ctx: CommandContext;
  write(query: Compilable<unknown>): void;
  /** Appends to the order event log with the state before this command and the given state after. */
  recordEvent(type: string, after: OrderState, data?: unknown): void;
}

export type OrderCommand = (tx: OrderTx) => Promise<Outcome>;

export const refused = (status: 403 | 404 | 400, code: string, message: string): Outcome => ({ kind: 'refused', status, code, message });
export const noSuchOrder = (orderId: string): Outcome => refused(404, 'NO_SUCH_ORDER', `Order ${orderId} cannot be found.`);

function claimQuery(db: Kysely<Database>, ctx: CommandContext, key: string) {
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
      created_at: ctx.now.toISOString(),
    })
    .onConflict((oc) => oc.columns(['merchant_id', 'idempotency_key']).doNothing())
    .returning('status_code');
}

async function storedResponse(db: Kysely<Database>, ctx: CommandContext, key: string): Promise<StoredResponse> {
  const stored = await db
    .selectFrom('idempotency_keys')
    .select(['status_code', 'response_headers', 'response_body'])
    .where('merchant_id', '=', ctx.merchantId)
    .where('idempotency_key', '=', key)
    .executeTakeFirstOrThrow();
  if (stored.status_code === 0) throw new Error('idempotency key is claimed by an uncommitted transaction');
  return {
    status: stored.status_code,
    headers: JSON.parse(stored.response_headers ?? '{}') as Record<string, string>,
    body: stored.response_body ?? '',
  };
}

function saveResponseQuery(db: Kysely<Database>, ctx: CommandContext, key: string, response: StoredResponse) {
  return db
    .updateTable('idempotency_keys')
    .set({ status_code: response.status, response_headers: JSON.stringify(response.headers), response_body: response.body })
    .where('merchant_id', '=', ctx.merchantId)
    .where('idempotency_key', '=', key);
}

function lockQuery(db: Kysely<Database>, store: Store, merchantId: string, orderId: string) {
  const query = db.selectFrom('orders').selectAll().where('order_id', '=', orderId).where('merchant_id', '=', merchantId);
  // SQLite already holds the database write lock (BEGIN IMMEDIATE); FOR UPDATE is PostgreSQL's row lock.
  return store.dialect === 'postgres' ? query.forUpdate() : query;
}

export async function runOrderCommand(store: Store, ctx: CommandContext, orderIdParam: string, command: OrderCommand): Promise<StoredResponse> {
  const orderId = orderIdParam.toLowerCase();
  const key = ctx.idempotencyKey;
  return inWriteSession(store, async (session) => {
    const { db } = session;
    if (key !== undefined && (await session.first(claimQuery(db, ctx, key))).length === 0) {
      return storedResponse(db, ctx, key);
    }
    let order: OrdersTable | undefined;
    if (isOrderId(orderId)) {
      const lock = lockQuery(db, store, ctx.merchantId, orderId);
      order = key === undefined ? (await session.first(lock))[0] : await lock.executeTakeFirst();
    }
    const writes: Compilable<unknown>[] = [];
    let outcome: Outcome;
    if (!order) {
      outcome = noSuchOrder(orderIdParam);
    } else {
      const state = orderStateOf(order);
      const locked = order;
      outcome = await command({
        db,
        order,
        state,
        ctx,
        write: (query) => writes.push(query),
        recordEvent: (type, after, data) =>
          writes.push(
            eventInsert(db, {
              order_id: locked.order_id,
              merchant_id: ctx.merchantId,
              type,
              occurred_at: ctx.now,
              correlation_id: ctx.correlationId,
              idempotency_key: key ?? null,
              before: state,
              after,
              data,
            }),
          ),
      });
    }
    const response = ctx.render(outcome);
    if (key !== undefined) writes.push(saveResponseQuery(db, ctx, key, response));
    if (writes.length > 0) await session.commitWith(writes);
    return response;
  });
}

/** Writes the order's amount columns and flags from a new state, and bumps updated_at. */
export function updateOrderState(tx: OrderTx, next: OrderState, extra: Partial<OrdersTable> = {}): void {
  tx.write(
    tx.db
      .updateTable('orders')
      .set({
        order_amount: next.order_amount,
        captured_amount: next.captured_amount,
        refunded_amount: next.refunded_amount,
        cancelled: next.cancelled ? 1 : 0,
        released: next.released ? 1 : 0,
        expires_at: toKlarnaTimestamp(next.expires_at),
        updated_at: tx.ctx.now.toISOString(),
        ...extra,
      })
      .where('order_id', '=', tx.order.order_id),
  );
}
