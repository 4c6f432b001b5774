// The read model: orders, captures and refunds as GET returns them, rendered as JSON text.
// Order lines, addresses and shipping info are stored as the JSON text that passed the request
// schemas, so they are spliced in as they are rather than parsed and serialized again on every
// read. The field set is the one of the response schemas in src/http/schemas/orders.ts (a test
// checks every rendered document against them); absent optional values are omitted.
import type { Kysely } from 'kysely';
import { remainingAuthorizedAmount, statusOf } from '../domain/order.js';
import { merchantClock } from './clock.js';
import { compiledOnce } from './compiledOnce.js';
import { inReadSnapshot, type Store } from './dialect.js';
import { isOrderId, isUuid, orderStateOf } from './orders.js';
import { laggingReader } from './readReplica.js';
import type { CapturesTable, Database, OrdersTable, RefundsTable, ShippingInfoTable } from './schema.js';

/** Builds a JSON object from already-encoded values, skipping absent ones. */
class JsonObject {
  private readonly parts: string[] = [];
  raw(key: string, json: string | null | undefined): this {
    if (json !== null && json !== undefined) this.parts.push(`"${key}":${json}`);
    return this;
  }
  str(key: string, value: string | null | undefined): this {
    return this.raw(key, value === null || value === undefined ? undefined : JSON.stringify(value));
  }
  num(key: string, value: number | null | undefined): this {
    return this.raw(key, value === null || value === undefined ? undefined : String(value));
  }
  toString(): string {
    return `{${this.parts.join(',')}}`;
  }
}

/** Concatenates stored JSON arrays ("[…]" texts) into one array text. */
function concatArrays(arrays: readonly string[]): string {
  const items: string[] = [];
  for (const a of arrays) {
    const inner = a.slice(1, -1);
    if (inner.trim() !== '') items.push(inner);
  }
  return `[${items.join(',')}]`;
}

type ShippingRow = Pick<ShippingInfoTable, 'capture_id' | 'items'>;

function shippingByCapture(rows: readonly ShippingRow[]): Map<string | null, string[]> {
  const byCapture = new Map<string | null, string[]>();
  for (const row of rows) {
    const list = byCapture.get(row.capture_id);
    if (list) list.push(row.items);
    else byCapture.set(row.capture_id, [row.items]);
  }
  return byCapture;
}

function captureJson(row: CapturesTable, shippingInfo: readonly string[]): string {
  return new JsonObject()
    .str('capture_id', row.capture_id)
    .str('klarna_reference', row.klarna_reference)
    .num('captured_amount', row.captured_amount)
    .str('captured_at', row.captured_at)
    .str('description', row.description)
    .str('reference', row.reference)
    .raw('order_lines', row.order_lines ?? '[]')
    .num('refunded_amount', row.refunded_amount)
    .raw('billing_address', row.billing_address)
    .raw('shipping_address', row.shipping_address)
    .raw('shipping_info', concatArrays(shippingInfo))
    .toString();
}

function refundJson(row: RefundsTable): string {
  return new JsonObject()
    .str('refund_id', row.refund_id)
    .num('refunded_amount', row.refunded_amount)
    .str('refunded_at', row.refunded_at)
    .str('description', row.description)
    .str('reference', row.reference)
    .raw('order_lines', row.order_lines ?? '[]')
    // Klarna's refund carries it (CONTRACT §4); OpenOM issues no invoices, so no credit invoice either.
    .raw('credit_invoice', 'false')
    .toString();
}

function orderJson(row: OrdersTable, captures: readonly CapturesTable[], refunds: readonly RefundsTable[], shipping: readonly ShippingRow[], now: Date): string {
  const state = orderStateOf(row);
  const byCapture = shippingByCapture(shipping);
  return new JsonObject()
    .str('order_id', row.order_id)
    .str('status', statusOf(state, now))
    .str('fraud_status', row.fraud_status)
    .num('order_amount', row.order_amount)
    .num('original_order_amount', row.original_order_amount)
    .num('captured_amount', row.captured_amount)
    .num('refunded_amount', row.refunded_amount)
    .num('remaining_authorized_amount', remainingAuthorizedAmount(state, now))
    .str('purchase_country', row.purchase_country)
    .str('purchase_currency', row.purchase_currency)
    .str('locale', row.locale)
    .str('klarna_reference', row.klarna_reference)
    .str('merchant_reference1', row.merchant_reference1)
    .str('merchant_reference2', row.merchant_reference2)
    .str('merchant_data', row.merchant_data)
    .raw('billing_address', row.billing_address)
    .raw('shipping_address', row.shipping_address)
    .raw('customer', row.customer)
    .raw('initial_payment_method', row.initial_payment_method)
    .raw('selected_shipping_option', row.selected_shipping_option)
    .raw('order_lines', row.order_lines)
    .raw('captures', `[${captures.map((c) => captureJson(c, byCapture.get(c.capture_id) ?? [])).join(',')}]`)
    .raw('refunds', `[${refunds.map(refundJson).join(',')}]`)
    .raw('shipping_info', concatArrays(byCapture.get(null) ?? []))
    .str('created_at', row.created_at)
    .str('expires_at', row.expires_at)
    .toString();
}

function selectOwnedOrder(db: Kysely<Database>, merchantId: string, orderId: string) {
  return db.selectFrom('orders').where('order_id', '=', orderId.toLowerCase()).where('merchant_id', '=', merchantId);
}

async function readChildren(db: Kysely<Database>, orderId: string, what: { captures: boolean; refunds: boolean; shipping: boolean }) {
  return {
    captures: what.captures ? await db.selectFrom('captures').selectAll().where('order_id', '=', orderId).orderBy('seq').execute() : [],
    refunds: what.refunds ? await db.selectFrom('refunds').selectAll().where('order_id', '=', orderId).orderBy('seq').execute() : [],
    shipping: what.shipping
      ? await db.selectFrom('shipping_info').select(['capture_id', 'items']).where('order_id', '=', orderId).orderBy('id').execute()
      : [],
  };
}

/** The order with its merchant's clock offset: status and remaining amount depend on the merchant's now. */
export function selectOwnedOrderWithClock(db: Kysely<Database>, merchantId: string, orderId: string) {
  return db
    .selectFrom('orders')
    .innerJoin('merchants', 'merchants.merchant_id', 'orders.merchant_id')
    .selectAll('orders')
    .select('merchants.clock_offset_seconds')
    .where('orders.order_id', '=', orderId.toLowerCase())
    .where('orders.merchant_id', '=', merchantId);
}

/** The hottest query: GET's lookup of one order. */
// Lower-case slot names: the builder lower-cases the order id, placeholder included.
const ownedOrderQuery = compiledOnce(['merchant_id', 'order_id'], (db, p) => selectOwnedOrderWithClock(db, p.merchant_id, p.order_id));

/**
 * The order as GET returns it, or undefined when this merchant has no such order. mayLag: it may be
 * read from a read replica (readReplica.ts), unless this instance changed it recently; an order the
 * replica does not have (yet) is read from the primary.
 */
export async function readOrderJson(store: Store, merchantId: string, orderId: string, options: { mayLag?: boolean } = {}): Promise<string | undefined> {
  if (!isOrderId(orderId)) return undefined;
  const db = options.mayLag ? laggingReader(store.readReplica, store.reader, orderId.toLowerCase()) : store.reader;
  const found = await readOrderJsonOn(store, db, merchantId, orderId);
  return found === undefined && db !== store.reader ? readOrderJsonOn(store, store.reader, merchantId, orderId) : found;
}

async function readOrderJsonOn(store: Store, db: Kysely<Database>, merchantId: string, orderId: string): Promise<string | undefined> {
  // Most orders read have nothing but their own row: one statement, which is its own snapshot.
  const [row] = (await db.executeQuery(ownedOrderQuery(store, { merchant_id: merchantId, order_id: orderId.toLowerCase() }))).rows;
  if (!row) return undefined;
  if (row.capture_count === 0 && row.refund_count === 0 && row.shipping_info_count === 0) {
    return orderJson(row, [], [], [], merchantClock(store, row.clock_offset_seconds).now);
  }
  // Otherwise read the row again with its children on one snapshot, so amounts and lists agree.
  return inReadSnapshot(
    store,
    async (trx) => {
      const order = await selectOwnedOrderWithClock(trx, merchantId, orderId).executeTakeFirstOrThrow();
      const now = merchantClock(store, order.clock_offset_seconds).now;
      const children = await readChildren(trx, order.order_id, {
        captures: order.capture_count > 0,
        refunds: order.refund_count > 0,
        shipping: order.capture_count > 0 || order.shipping_info_count > 0,
      });
      return orderJson(order, children.captures, children.refunds, children.shipping, now);
    },
    db,
  );
}

/** All captures of an order as a JSON array, or undefined when the merchant has no such order. */
export async function readCapturesJson(store: Store, merchantId: string, orderId: string, captureId?: string): Promise<string[] | undefined> {
  if (!isOrderId(orderId)) return undefined;
  return inReadSnapshot(store, async (db) => {
    const order = await selectOwnedOrder(db, merchantId, orderId).select(['order_id', 'capture_count']).executeTakeFirst();
    if (!order) return undefined;
    if (order.capture_count === 0 || (captureId !== undefined && !isUuid(captureId))) return [];
    let captures = db.selectFrom('captures').selectAll().where('order_id', '=', order.order_id);
    let shipping = db.selectFrom('shipping_info').select(['capture_id', 'items']).where('order_id', '=', order.order_id);
    if (captureId !== undefined) {
      captures = captures.where('capture_id', '=', captureId.toLowerCase());
      shipping = shipping.where('capture_id', '=', captureId.toLowerCase());
    } else {
      shipping = shipping.where('capture_id', 'is not', null);
    }
    const rows = await captures.orderBy('seq').execute();
    const byCapture = shippingByCapture(rows.length > 0 ? await shipping.orderBy('id').execute() : []);
    return rows.map((c) => captureJson(c, byCapture.get(c.capture_id) ?? []));
  });
}

export type Lookup = { found: 'order' } | { found: 'item'; json: string } | undefined;

/** One capture: undefined if the order is unknown, {found:'order'} if only the capture is. */
export async function readCaptureJson(store: Store, merchantId: string, orderId: string, captureId: string): Promise<Lookup> {
  const captures = await readCapturesJson(store, merchantId, orderId, captureId);
  if (!captures) return undefined;
  return captures[0] === undefined ? { found: 'order' } : { found: 'item', json: captures[0] };
}

export async function readRefundJson(store: Store, merchantId: string, orderId: string, refundId: string): Promise<Lookup> {
  if (!isOrderId(orderId)) return undefined;
  return inReadSnapshot(store, async (db) => {
    const order = await selectOwnedOrder(db, merchantId, orderId).select('order_id').executeTakeFirst();
    if (!order) return undefined;
    if (!isUuid(refundId)) return { found: 'order' };
    const refund = await db
      .selectFrom('refunds')
      .selectAll()
      .where('order_id', '=', order.order_id)
      .where('refund_id', '=', refundId.toLowerCase())
      .executeTakeFirst();
    return refund ? { found: 'item', json: refundJson(refund) } : { found: 'order' };
  });
}

export type DueDateLookup =
  | { found: 'order' }
  | { found: 'capture'; currency: string; capture: Pick<CapturesTable, 'captured_amount' | 'refunded_amount' | 'due_date_extension_days'> }
  | undefined;

/** What the due-date options of a capture depend on. */
export async function readCaptureForDueDate(store: Store, merchantId: string, orderId: string, captureId: string): Promise<DueDateLookup> {
  if (!isOrderId(orderId)) return undefined;
  return inReadSnapshot(store, async (db) => {
    const order = await selectOwnedOrder(db, merchantId, orderId).select(['order_id', 'purchase_currency']).executeTakeFirst();
    if (!order) return undefined;
    if (!isUuid(captureId)) return { found: 'order' };
    const capture = await db
      .selectFrom('captures')
      .select(['captured_amount', 'refunded_amount', 'due_date_extension_days'])
      .where('order_id', '=', order.order_id)
      .where('capture_id', '=', captureId.toLowerCase())
      .executeTakeFirst();
    return capture ? { found: 'capture', currency: order.purchase_currency, capture } : { found: 'order' };
  });
}
