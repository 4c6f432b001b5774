// One order with everything the portal shows about it, read on one snapshot: the row, its
// captures and refunds, and its event log (the timeline).
import { merchantClock } from './clock.js';
import { versionOfNewest } from './events.js';
import { inReadSnapshot, type Store } from './dialect.js';
import { selectOwnedOrderWithClock } from './orderDocuments.js';
import { isOrderId } from './orders.js';
import type { Selectable } from 'kysely';
import { orderCalls, type MerchantCallRow } from './merchantCalls.js';
import type { CapturesTable, OrderEventsTable, OrdersTable, RefundsTable } from './schema.js';
import { tokenOfOrder, type OrderToken } from './customerTokens.js';

/** Enough for any order a person reads; the API has the rest. */
const TIMELINE_LIMIT = 500;

export interface OrderRecord {
  order: OrdersTable;
  captures: CapturesTable[];
  refunds: RefundsTable[];
  /** Oldest first, at most TIMELINE_LIMIT (the newest ones). */
  events: Selectable<OrderEventsTable>[];
  eventsLeftOut: boolean;
  /** The calls made to the merchant's server about the order (sandbox, CONTRACT §15), oldest first, at most TIMELINE_LIMIT. */
  calls: MerchantCallRow[];
  /** The order's version as read (events.ts: the id of its newest event): what a confirmation is bound to. */
  version: number;
  /** The merchant's now when it was read. */
  now: Date;
  /** The customer token this order's checkout made, or that paid for it (CONTRACT §12). */
  customerToken?: OrderToken;
}

export async function readOrderRecord(store: Store, merchantId: string, orderId: string): Promise<OrderRecord | undefined> {
  if (!isOrderId(orderId)) return undefined;
  return inReadSnapshot(store, async (db) => {
    const row = await selectOwnedOrderWithClock(db, merchantId, orderId).executeTakeFirst();
    if (!row) return undefined;
    const { clock_offset_seconds, ...order } = row;
    const captures = await db.selectFrom('captures').selectAll().where('order_id', '=', order.order_id).orderBy('seq').execute();
    const refunds = await db.selectFrom('refunds').selectAll().where('order_id', '=', order.order_id).orderBy('seq').execute();
    const newest = await db
      .selectFrom('order_events')
      .selectAll()
      .where('order_id', '=', order.order_id)
      .orderBy('id', 'desc')
      .limit(TIMELINE_LIMIT + 1)
      .execute();
    const events = newest.slice(0, TIMELINE_LIMIT).reverse();
    const calls = (await orderCalls(db, merchantId, order.order_id, TIMELINE_LIMIT)).reverse();
    return {
      order,
      captures,
      refunds,
      events,
      eventsLeftOut: newest.length > TIMELINE_LIMIT,
      calls,
      version: versionOfNewest(newest),
      now: merchantClock(store, clock_offset_seconds).now,
      customerToken: await tokenOfOrder(db, merchantId, order.order_id),
    };
  });
}
