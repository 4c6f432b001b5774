// Orders: intake, and the mapping from a stored row to the domain's OrderState. Reads: orderDocuments.ts.
import { randomInt, randomUUID } from 'node:crypto';
import type { Compilable, Kysely } from 'kysely';
import { orderStateViolations, type FraudStatus, type OrderState } from '../domain/order.js';
import { AUTHORIZATION_PERIOD_DAYS } from '../domain/decisions.js';
import { DAY_MS, toKlarnaTimestamp } from '../domain/time.js';
import { merchantClock, type MerchantClock } from './clock.js';
import type { Store } from './dialect.js';
import { eventInsert } from './events.js';
import { inJobsTransaction, jobInsert, webhookFanOut } from './jobs.js';
import type { Database, OrdersTable } from './schema.js';

type Json = Record<string, unknown>;

export interface OrderIntake {
  purchase_country: string;
  purchase_currency: string;
  locale?: string;
  order_amount: number;
  order_tax_amount?: number;
  order_lines: Json[];
  billing_address?: Json;
  shipping_address?: Json;
  customer?: Json;
  merchant_reference1?: string;
  merchant_reference2?: string;
  merchant_data?: string;
  initial_payment_method?: Json;
  selected_shipping_option?: Json;
  fraud_status?: FraudStatus;
  expires_at?: string;
}

const REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A customer-friendly reference like Klarna's: 7 upper-case letters and digits. */
function newKlarnaReference(): string {
  let ref = '';
  for (let i = 0; i < 7; i++) ref += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return ref;
}

const jsonOrNull = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

/** The columns an OrderState is made of (orderStateOf). */
export const STATE_COLUMNS = [
  'order_amount',
  'original_order_amount',
  'captured_amount',
  'refunded_amount',
  'cancelled',
  'released',
  'expires_at',
  'initial_expires_at',
  'created_at',
  'fraud_status',
  'acknowledged',
  'expiry_recorded',
] as const;
type StateColumns = (typeof STATE_COLUMNS)[number];

export function orderStateOf(row: Pick<OrdersTable, StateColumns>): OrderState {
  const expiresAt = new Date(row.expires_at);
  return {
    order_amount: row.order_amount,
    original_order_amount: row.original_order_amount,
    captured_amount: row.captured_amount,
    refunded_amount: row.refunded_amount,
    cancelled: row.cancelled === 1,
    released: row.released === 1,
    expires_at: expiresAt,
    initial_expires_at: row.initial_expires_at ? new Date(row.initial_expires_at) : expiresAt,
    created_at: new Date(row.created_at),
    fraud_status: row.fraud_status,
    acknowledged: row.acknowledged === 1,
    expiry_recorded: row.expiry_recorded === 1,
  };
}

/** Pair assertion: the store refuses to write an order state the domain's invariants reject (the CHECKs are the other half). */
export function assertWritable(next: OrderState): void {
  const violations = orderStateViolations(next);
  if (violations.length > 0) throw new Error(`refusing to write an invalid order state: ${violations.map((v) => `${v.rule} (${v.detail})`).join(', ')}`);
}

/** What a new order's row takes besides the intake: when it is made, on the merchant's clock. */
export interface NewOrderRowContext {
  now: Date;
  /** A checkout order keeps its id in Order Management. */
  orderId?: string;
  merchantUrls?: Json | null;
}

export interface NewOrderContext extends Omit<NewOrderRowContext, 'now'> {
  /** The merchant's clock, read in the transaction that writes the order. */
  clock: MerchantClock;
  correlationId: string;
}

/**
 * The writes of a new authorized order, to send with a transaction's other writes: the row, its
 * ORDER_CREATED event (and order.created webhooks), and the job that notices its expiry on the
 * merchant's clock.
 */
export function newOrderWrites(db: Kysely<Database>, merchantId: string, intake: OrderIntake, c: NewOrderContext): { row: OrdersTable; writes: Compilable<unknown>[] } {
  const { clock } = c;
  const row = newOrderRow(merchantId, intake, { ...c, now: clock.now });
  const state = orderStateOf(row);
  assertWritable(state);
  const writes: Compilable<unknown>[] = [
    db.insertInto('orders').values(row),
    eventInsert(db, {
      order_id: row.order_id,
      merchant_id: merchantId,
      type: 'ORDER_CREATED',
      occurred_at: clock.now,
      correlation_id: c.correlationId,
      idempotency_key: null,
      before: null,
      after: state,
      data: { order_amount: intake.order_amount },
    }),
    webhookFanOut(db, {
      merchantId,
      orderId: row.order_id,
      type: 'order.created',
      data: { order_id: row.order_id },
      occurredAt: clock.now,
      runAt: clock.toRealMs(clock.now),
    }),
    jobInsert(db, merchantId, clock, { kind: 'expiry', orderId: row.order_id, payload: {}, dueAt: new Date(row.expires_at) }),
  ];
  return { row, writes };
}

/** Writes a new authorized order inside a write transaction (newOrderWrites, run now). */
export async function insertOrder(trx: Kysely<Database>, merchantId: string, intake: OrderIntake, c: NewOrderContext): Promise<OrdersTable> {
  const { row, writes } = newOrderWrites(trx, merchantId, intake, c);
  for (const write of writes) await trx.executeQuery(write.compile());
  return row;
}

/** The row intake writes for a new order (also what tests and the bench insert directly). */
export function newOrderRow(merchantId: string, intake: OrderIntake, c: NewOrderRowContext): OrdersTable {
  const createdAt = toKlarnaTimestamp(c.now);
  const expiresAt = intake.expires_at
    ? toKlarnaTimestamp(new Date(intake.expires_at))
    : toKlarnaTimestamp(new Date(c.now.getTime() + AUTHORIZATION_PERIOD_DAYS * DAY_MS));
  return {
    order_id: c.orderId ?? randomUUID(),
    merchant_id: merchantId,
    klarna_reference: newKlarnaReference(),
    purchase_country: intake.purchase_country,
    purchase_currency: intake.purchase_currency,
    locale: intake.locale ?? 'en-US',
    order_amount: intake.order_amount,
    original_order_amount: intake.order_amount,
    captured_amount: 0,
    refunded_amount: 0,
    order_tax_amount: intake.order_tax_amount ?? null,
    cancelled: 0,
    released: 0,
    acknowledged: 0,
    fraud_status: intake.fraud_status ?? 'ACCEPTED',
    merchant_reference1: intake.merchant_reference1 ?? null,
    merchant_reference2: intake.merchant_reference2 ?? null,
    merchant_data: intake.merchant_data ?? null,
    billing_address: jsonOrNull(intake.billing_address),
    shipping_address: jsonOrNull(intake.shipping_address),
    customer: jsonOrNull(intake.customer),
    initial_payment_method: jsonOrNull(intake.initial_payment_method),
    selected_shipping_option: jsonOrNull(intake.selected_shipping_option),
    order_lines: JSON.stringify(intake.order_lines),
    capture_count: 0,
    refund_count: 0,
    shipping_info_count: 0,
    created_at: createdAt,
    expires_at: expiresAt,
    updated_at: createdAt,
    merchant_urls: jsonOrNull(c.merchantUrls),
    initial_expires_at: expiresAt,
    expiry_recorded: 0,
  };
}

/** Admin intake: a new order on the merchant's clock. Returns its id and the time it was created. */
export async function createOrder(store: Store, merchantId: string, intake: OrderIntake, correlationId: string, orderId?: string): Promise<{ orderId: string; now: Date }> {
  return inJobsTransaction(store, async (trx) => {
    const merchant = await trx.selectFrom('merchants').select('clock_offset_seconds').where('merchant_id', '=', merchantId).executeTakeFirstOrThrow();
    const clock = merchantClock(store, merchant.clock_offset_seconds);
    const row = await insertOrder(trx, merchantId, intake, { clock, correlationId, orderId });
    return { orderId: row.order_id, now: clock.now };
  });
}

/** One of a checkout order's merchant_urls as the merchant sent it; undefined for admin intake orders. */
export function merchantUrlOf(merchantUrls: string | null, name: 'push' | 'notification'): string | undefined {
  const url = merchantUrls === null ? undefined : (JSON.parse(merchantUrls) as Record<string, unknown>)[name];
  return typeof url === 'string' ? url : undefined;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** OpenOM's ids (orders, captures, refunds, merchants, webhook endpoints) are UUIDs: anything else names nothing and is not looked up. */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** Klarna order ids are UUIDs; anything else cannot name an order and is simply not found. */
export function isOrderId(value: string): boolean {
  return isUuid(value);
}
