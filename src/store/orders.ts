// Orders: intake, and the mapping from a stored row to the domain's OrderState. Reads: orderDocuments.ts.
import { randomInt, randomUUID } from 'node:crypto';
import type { OrderState } from '../domain/order.js';
import { DAY_MS, toKlarnaTimestamp } from '../domain/time.js';
import { inWriteTransaction, type Store } from './dialect.js';
import { appendEvent } from './events.js';
import type { OrdersTable } from './schema.js';

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
    shipping_info_count: 0,
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

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Klarna order ids are UUIDs; anything else cannot name an order and is simply not found. */
export function isOrderId(value: string): boolean {
  return UUID_RE.test(value);
}
