// One transaction per command: begin → claim idempotency key → lock order → domain decision →
// write changes + event → store the rendered response under the key → commit.
import type { Kysely } from 'kysely';
import type { OrderState } from '../domain/order.js';
import { toKlarnaTimestamp } from '../domain/time.js';
import { inWriteTransaction, type Store } from './dialect.js';
import { appendEvent } from './events.js';
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
  db: Kysely<Database>;
  order: OrdersTable;
  state: OrderState;
  ctx: CommandContext;
  /** Appends to the order event log with the state before this command and the given state after. */
  recordEvent(type: string, after: OrderState, data?: unknown): Promise<void>;
}

export type OrderCommand = (tx: OrderTx) => Promise<Outcome>;

export const refused = (status: 403 | 404 | 400, code: string, message: string): Outcome => ({ kind: 'refused', status, code, message });
export const noSuchOrder = (orderId: string): Outcome => refused(404, 'NO_SUCH_ORDER', `Order ${orderId} cannot be found.`);

async function claimKey(db: Kysely<Database>, ctx: CommandContext, key: string): Promise<StoredResponse | undefined> {
  // On PostgreSQL a second request with the same key blocks on the primary key here until the first
  // commits (then it replays) or rolls back (then it proceeds); on SQLite the write lock serializes them.
  const inserted = await db
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
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return undefined;
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

async function saveResponse(db: Kysely<Database>, ctx: CommandContext, key: string, response: StoredResponse): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status_code: response.status, response_headers: JSON.stringify(response.headers), response_body: response.body })
    .where('merchant_id', '=', ctx.merchantId)
    .where('idempotency_key', '=', key)
    .execute();
}

async function lockOrder(db: Kysely<Database>, store: Store, merchantId: string, orderId: string): Promise<OrdersTable | undefined> {
  let query = db.selectFrom('orders').selectAll().where('order_id', '=', orderId).where('merchant_id', '=', merchantId);
  // SQLite already holds the database write lock (BEGIN IMMEDIATE); FOR UPDATE is PostgreSQL's row lock.
  if (store.dialect === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function runOrderCommand(store: Store, ctx: CommandContext, orderIdParam: string, command: OrderCommand): Promise<StoredResponse> {
  const orderId = orderIdParam.toLowerCase();
  return inWriteTransaction(store, async (db) => {
    const key = ctx.idempotencyKey;
    if (key !== undefined) {
      const replay = await claimKey(db, ctx, key);
      if (replay) return replay;
    }
    const order = isOrderId(orderId) ? await lockOrder(db, store, ctx.merchantId, orderId) : undefined;
    let outcome: Outcome;
    if (!order) {
      outcome = noSuchOrder(orderIdParam);
    } else {
      const state = orderStateOf(order);
      outcome = await command({
        db,
        order,
        state,
        ctx,
        recordEvent: (type, after, data) =>
          appendEvent(db, {
            order_id: order.order_id,
            merchant_id: ctx.merchantId,
            type,
            occurred_at: ctx.now,
            correlation_id: ctx.correlationId,
            idempotency_key: key ?? null,
            before: state,
            after,
            data,
          }),
      });
    }
    const response = ctx.render(outcome);
    if (key !== undefined) await saveResponse(db, ctx, key, response);
    return response;
  });
}

/** Writes the order's amount columns and flags from a new state, and bumps updated_at. */
export async function updateOrderState(tx: OrderTx, next: OrderState, extra: Partial<OrdersTable> = {}): Promise<void> {
  await tx.db
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
    .where('order_id', '=', tx.order.order_id)
    .execute();
}
