// The merchant's orders as a list, newest first: keyset pagination on (created_at, order_id), a
// status filter and exact-match search. Status is derived, never stored (src/domain/order.ts
// statusOf); statusCondition is the same rule as a SQL condition, for one merchant's "now".
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import type { OrderStatus } from '../domain/order.js';
import { toKlarnaTimestamp } from '../domain/time.js';
import type { Store } from './dialect.js';
import { STATE_COLUMNS, isOrderId } from './orders.js';
import type { Database, OrdersTable } from './schema.js';
import { laggingReader } from './readReplica.js';

/** The statuses OpenOM derives (CLOSED never is: see statusOf). */
export const LISTED_STATUSES = ['AUTHORIZED', 'PART_CAPTURED', 'CAPTURED', 'CANCELLED', 'EXPIRED'] as const satisfies readonly OrderStatus[];
export type ListedStatus = (typeof LISTED_STATUSES)[number];

/** Checkout orders the merchant has not acknowledged yet (Klarna keeps pushing those). */
export const NOT_ACKNOWLEDGED = 'NOT_ACKNOWLEDGED';
export type OrderListFilter = ListedStatus | typeof NOT_ACKNOWLEDGED;

type OrdersExpressions = ExpressionBuilder<Database, 'orders'>;

/**
 * statusOf(order, now) = status, as SQL. Timestamps are stored as whole-second ISO text
 * (toKlarnaTimestamp), so comparing them with now truncated to the second is the same test as
 * statusOf's `now >= expires_at`.
 */
function statusCondition(eb: OrdersExpressions, status: ListedStatus, now: Date): Expression<SqlBool> {
  const nowText = toKlarnaTimestamp(now);
  const notCancelled = eb('cancelled', '=', 0);
  const expired = eb('expires_at', '<=', nowText);
  const unexpired = eb('expires_at', '>', nowText);
  // Part captured with the rest still open: neither fully captured nor released.
  const partCaptured = eb.and([eb('captured_amount', '>', 0), eb('captured_amount', '<', eb.ref('order_amount')), eb('released', '=', 0)]);
  switch (status) {
    case 'CANCELLED':
      return eb('cancelled', '=', 1);
    case 'CAPTURED':
      return eb.and([notCancelled, eb('captured_amount', '>', 0), eb.or([eb('captured_amount', '>=', eb.ref('order_amount')), eb('released', '=', 1)])]);
    case 'EXPIRED':
      return eb.and([notCancelled, eb.or([eb('captured_amount', '=', 0), partCaptured]), expired]);
    case 'AUTHORIZED':
      return eb.and([notCancelled, eb('captured_amount', '=', 0), unexpired]);
    case 'PART_CAPTURED':
      return eb.and([notCancelled, partCaptured, unexpired]);
  }
}

function filterCondition(eb: OrdersExpressions, filter: OrderListFilter, now: Date): Expression<SqlBool> {
  if (filter === NOT_ACKNOWLEDGED) return eb.and([eb('acknowledged', '=', 0), eb('merchant_urls', 'is not', null)]);
  return statusCondition(eb, filter, now);
}

/** Exact match on any of the ids a merchant may have at hand; each has its own index. */
function searchCondition(eb: OrdersExpressions, text: string): Expression<SqlBool> {
  const terms = [eb('klarna_reference', '=', text.toUpperCase()), eb('merchant_reference1', '=', text), eb('merchant_reference2', '=', text)];
  if (isOrderId(text)) terms.push(eb('order_id', '=', text.toLowerCase()));
  return eb.or(terms);
}

/** A position in the list: the (created_at, order_id) of a row. */
export interface OrderCursor {
  created_at: string;
  order_id: string;
}

export interface OrderListRequest {
  merchantId: string;
  /** The merchant's now (its clock), which decides EXPIRED. */
  now: Date;
  filter?: OrderListFilter;
  search?: string;
  /** Rows older than the cursor (the next page), or newer (the previous page). */
  page?: { direction: 'older' | 'newer'; cursor: OrderCursor };
  pageSize: number;
}

/** What a list row shows: the ids and references, the currency, and what its status is derived from. */
const LIST_COLUMNS = [
  ...STATE_COLUMNS,
  'order_id',
  'klarna_reference',
  'merchant_reference1',
  'merchant_reference2',
  'purchase_currency',
  'locale',
] as const;

export type OrderListRow = Pick<OrdersTable, (typeof LIST_COLUMNS)[number]>;

export interface OrderListPage {
  rows: OrderListRow[];
  /** Where the previous (newer) page ends, if there is one. */
  newer?: OrderCursor;
  /** Where the next (older) page starts, if there is one. */
  older?: OrderCursor;
}

const cursorOf = (row: OrderListRow): OrderCursor => ({ created_at: row.created_at, order_id: row.order_id });

export async function listOrders(store: Store, req: OrderListRequest): Promise<OrderListPage> {
  const newerPage = req.page?.direction === 'newer';
  // A list may lag: from the read replica, if there is one (readReplica.ts).
  let query = laggingReader(store.readReplica, store.reader)
    .selectFrom('orders')
    .select(LIST_COLUMNS)
    .where('merchant_id', '=', req.merchantId);
  const { filter, search, page } = req;
  if (filter !== undefined) query = query.where((eb) => filterCondition(eb, filter, req.now));
  if (search !== undefined && search !== '') query = query.where((eb) => searchCondition(eb, search));
  if (page) {
    query = query.where((eb) =>
      eb(eb.refTuple('created_at', 'order_id'), newerPage ? '>' : '<', eb.tuple(page.cursor.created_at, page.cursor.order_id)),
    );
  }
  const direction = newerPage ? 'asc' : 'desc';
  // One row more than a page tells whether there is another page beyond it.
  const fetched = await query.orderBy('created_at', direction).orderBy('order_id', direction).limit(req.pageSize + 1).execute();
  const more = fetched.length > req.pageSize;
  const rows = fetched.slice(0, req.pageSize);
  if (newerPage) rows.reverse();
  const first = rows[0];
  const last = rows[rows.length - 1];
  return {
    rows,
    newer: first && (newerPage ? more : page !== undefined) ? cursorOf(first) : undefined,
    older: last && (newerPage ? true : more) ? cursorOf(last) : undefined,
  };
}
