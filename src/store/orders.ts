// Orders: intake, the read model served by GET, and the mapping to the domain's OrderState.
import { randomInt, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { remainingAuthorizedAmount, statusOf, type OrderState, type OrderStatus } from '../domain/order.js';
import { DAY_MS, toKlarnaTimestamp } from '../domain/time.js';
import { inReadSnapshot, inWriteTransaction, type Store } from './dialect.js';
import { appendEvent } from './events.js';
import type { CapturesTable, Database, OrdersTable, RefundsTable, ShippingInfoTable } from './schema.js';

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
  fraud_status?: string;
  expires_at?: string;
}

export const DEFAULT_AUTHORIZATION_DAYS = 28;
const REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A customer-friendly reference like Klarna's: 7 upper-case letters and digits. */
export function newKlarnaReference(): string {
  let ref = '';
  for (let i = 0; i < 7; i++) ref += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return ref;
}

const jsonOrNull = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
export const parseJson = <T>(v: string | null): T | undefined => (v === null ? undefined : (JSON.parse(v) as T));
const orUndefined = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export function orderStateOf(row: Pick<OrdersTable, 'order_amount' | 'original_order_amount' | 'captured_amount' | 'refunded_amount' | 'cancelled' | 'released' | 'expires_at' | 'created_at'>): OrderState {
  return {
    order_amount: row.order_amount,
    original_order_amount: row.original_order_amount,
    captured_amount: row.captured_amount,
    refunded_amount: row.refunded_amount,
    cancelled: row.cancelled === 1,
    released: row.released === 1,
    expires_at: new Date(row.expires_at),
    created_at: new Date(row.created_at),
  };
}

export async function createOrder(
  store: Store,
  merchantId: string,
  intake: OrderIntake,
  now: Date,
  correlationId: string,
): Promise<string> {
  const orderId = randomUUID();
  const createdAt = toKlarnaTimestamp(now);
  const expiresAt = intake.expires_at
    ? toKlarnaTimestamp(new Date(intake.expires_at))
    : toKlarnaTimestamp(new Date(now.getTime() + DEFAULT_AUTHORIZATION_DAYS * DAY_MS));
  const row: OrdersTable = {
    order_id: orderId,
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
    created_at: createdAt,
    expires_at: expiresAt,
    updated_at: createdAt,
  };
  await inWriteTransaction(store, async (trx) => {
    await trx.insertInto('orders').values(row).execute();
    await appendEvent(trx, {
      order_id: orderId,
      merchant_id: merchantId,
      type: 'ORDER_CREATED',
      occurred_at: now,
      correlation_id: correlationId,
      idempotency_key: null,
      before: null,
      after: orderStateOf(row),
      data: { order_amount: intake.order_amount },
    });
  });
  return orderId;
}

export interface CaptureView {
  capture_id: string;
  klarna_reference: string;
  captured_amount: number;
  captured_at: string;
  description?: string;
  reference?: string;
  order_lines: Json[];
  refunded_amount: number;
  billing_address?: Json;
  shipping_address?: Json;
  shipping_info: Json[];
}

export interface RefundView {
  refund_id: string;
  refunded_amount: number;
  refunded_at: string;
  description?: string;
  reference?: string;
  order_lines: Json[];
}

export interface OrderView {
  order_id: string;
  status: OrderStatus;
  fraud_status: string;
  order_amount: number;
  original_order_amount: number;
  captured_amount: number;
  refunded_amount: number;
  remaining_authorized_amount: number;
  order_tax_amount?: number;
  purchase_country: string;
  purchase_currency: string;
  locale: string;
  klarna_reference: string;
  merchant_reference1?: string;
  merchant_reference2?: string;
  merchant_data?: string;
  billing_address?: Json;
  shipping_address?: Json;
  customer?: Json;
  initial_payment_method?: Json;
  selected_shipping_option?: Json;
  order_lines: Json[];
  captures: CaptureView[];
  refunds: RefundView[];
  shipping_info: Json[];
  created_at: string;
  expires_at: string;
}

function shippingItemsByCapture(rows: Pick<ShippingInfoTable, 'capture_id' | 'items'>[]): Map<string | null, Json[]> {
  const byCapture = new Map<string | null, Json[]>();
  for (const row of rows) {
    const list = byCapture.get(row.capture_id) ?? [];
    list.push(...(JSON.parse(row.items) as Json[]));
    byCapture.set(row.capture_id, list);
  }
  return byCapture;
}

export function captureView(row: CapturesTable, shippingInfo: Json[]): CaptureView {
  return {
    capture_id: row.capture_id,
    klarna_reference: row.klarna_reference,
    captured_amount: row.captured_amount,
    captured_at: row.captured_at,
    description: orUndefined(row.description),
    reference: orUndefined(row.reference),
    order_lines: parseJson<Json[]>(row.order_lines) ?? [],
    refunded_amount: row.refunded_amount,
    billing_address: parseJson<Json>(row.billing_address),
    shipping_address: parseJson<Json>(row.shipping_address),
    shipping_info: shippingInfo,
  };
}

export function refundView(row: RefundsTable): RefundView {
  return {
    refund_id: row.refund_id,
    refunded_amount: row.refunded_amount,
    refunded_at: row.refunded_at,
    description: orUndefined(row.description),
    reference: orUndefined(row.reference),
    order_lines: parseJson<Json[]>(row.order_lines) ?? [],
  };
}

function orderView(row: OrdersTable, captures: CapturesTable[], refunds: RefundsTable[], shipping: Map<string | null, Json[]>, now: Date): OrderView {
  const state = orderStateOf(row);
  return {
    order_id: row.order_id,
    status: statusOf(state, now),
    fraud_status: row.fraud_status,
    order_amount: row.order_amount,
    original_order_amount: row.original_order_amount,
    captured_amount: row.captured_amount,
    refunded_amount: row.refunded_amount,
    remaining_authorized_amount: remainingAuthorizedAmount(state, now),
    order_tax_amount: orUndefined(row.order_tax_amount),
    purchase_country: row.purchase_country,
    purchase_currency: row.purchase_currency,
    locale: row.locale,
    klarna_reference: row.klarna_reference,
    merchant_reference1: orUndefined(row.merchant_reference1),
    merchant_reference2: orUndefined(row.merchant_reference2),
    merchant_data: orUndefined(row.merchant_data),
    billing_address: parseJson<Json>(row.billing_address),
    shipping_address: parseJson<Json>(row.shipping_address),
    customer: parseJson<Json>(row.customer),
    initial_payment_method: parseJson<Json>(row.initial_payment_method),
    selected_shipping_option: parseJson<Json>(row.selected_shipping_option),
    order_lines: JSON.parse(row.order_lines) as Json[],
    captures: captures.map((c) => captureView(c, shipping.get(c.capture_id) ?? [])),
    refunds: refunds.map(refundView),
    shipping_info: shipping.get(null) ?? [],
    created_at: row.created_at,
    expires_at: row.expires_at,
  };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Klarna order ids are UUIDs; anything else cannot name an order and is simply not found. */
export function isOrderId(value: string): boolean {
  return UUID_RE.test(value);
}

async function readOrder(db: Kysely<Database>, merchantId: string, orderId: string, now: Date): Promise<OrderView | undefined> {
  const row = await db
    .selectFrom('orders')
    .selectAll()
    .where('order_id', '=', orderId.toLowerCase())
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst();
  if (!row) return undefined;
  const [captures, refunds, shipping] = [
    await db.selectFrom('captures').selectAll().where('order_id', '=', row.order_id).orderBy('seq').execute(),
    await db.selectFrom('refunds').selectAll().where('order_id', '=', row.order_id).orderBy('seq').execute(),
    await db.selectFrom('shipping_info').select(['capture_id', 'items']).where('order_id', '=', row.order_id).orderBy('id').execute(),
  ];
  return orderView(row, captures, refunds, shippingItemsByCapture(shipping), now);
}

export async function getOrderView(store: Store, merchantId: string, orderId: string, now: Date): Promise<OrderView | undefined> {
  if (!isOrderId(orderId)) return undefined;
  return inReadSnapshot(store, (db) => readOrder(db, merchantId, orderId, now));
}

/** Captures of an order, or undefined when the merchant has no such order. */
export async function listCaptureViews(store: Store, merchantId: string, orderId: string): Promise<CaptureView[] | undefined> {
  if (!isOrderId(orderId)) return undefined;
  return inReadSnapshot(store, async (db) => {
    const order = await db
      .selectFrom('orders')
      .select('order_id')
      .where('order_id', '=', orderId.toLowerCase())
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst();
    if (!order) return undefined;
    const captures = await db.selectFrom('captures').selectAll().where('order_id', '=', order.order_id).orderBy('seq').execute();
    const shipping = await db
      .selectFrom('shipping_info')
      .select(['capture_id', 'items'])
      .where('order_id', '=', order.order_id)
      .where('capture_id', 'is not', null)
      .orderBy('id')
      .execute();
    const byCapture = shippingItemsByCapture(shipping);
    return captures.map((c) => captureView(c, byCapture.get(c.capture_id) ?? []));
  });
}

export type CaptureLookup = { found: 'order' } | { found: 'capture'; capture: CaptureView } | undefined;

/** One capture: undefined if the order is unknown, {found:'order'} if only the capture is. */
export async function getCaptureView(store: Store, merchantId: string, orderId: string, captureId: string): Promise<CaptureLookup> {
  const captures = await listCaptureViews(store, merchantId, orderId);
  if (!captures) return undefined;
  const capture = captures.find((c) => c.capture_id === captureId.toLowerCase());
  return capture ? { found: 'capture', capture } : { found: 'order' };
}

export type RefundLookup = { found: 'order' } | { found: 'refund'; refund: RefundView } | undefined;

export async function getRefundView(store: Store, merchantId: string, orderId: string, refundId: string): Promise<RefundLookup> {
  if (!isOrderId(orderId)) return undefined;
  return inReadSnapshot(store, async (db) => {
    const order = await db
      .selectFrom('orders')
      .select('order_id')
      .where('order_id', '=', orderId.toLowerCase())
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst();
    if (!order) return undefined;
    const refund = await db
      .selectFrom('refunds')
      .selectAll()
      .where('order_id', '=', order.order_id)
      .where('refund_id', '=', refundId.toLowerCase())
      .executeTakeFirst();
    return refund ? { found: 'refund', refund: refundView(refund) } : { found: 'order' };
  });
}

export type DueDateLookup =
  | { found: 'order' }
  | { found: 'capture'; currency: string; capture: Pick<CapturesTable, 'captured_amount' | 'refunded_amount' | 'due_date_extension_days'> }
  | undefined;

export async function getCaptureForDueDate(store: Store, merchantId: string, orderId: string, captureId: string): Promise<DueDateLookup> {
  if (!isOrderId(orderId)) return undefined;
  return inReadSnapshot(store, async (db) => {
    const order = await db
      .selectFrom('orders')
      .select(['order_id', 'purchase_currency'])
      .where('order_id', '=', orderId.toLowerCase())
      .where('merchant_id', '=', merchantId)
      .executeTakeFirst();
    if (!order) return undefined;
    const capture = await db
      .selectFrom('captures')
      .select(['captured_amount', 'refunded_amount', 'due_date_extension_days'])
      .where('order_id', '=', order.order_id)
      .where('capture_id', '=', captureId.toLowerCase())
      .executeTakeFirst();
    return capture ? { found: 'capture', currency: order.purchase_currency, capture } : { found: 'order' };
  });
}
