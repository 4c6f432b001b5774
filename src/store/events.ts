// The append-only order event log: every change to an order, with its amounts before and after.
import type { Kysely } from 'kysely';
import type { OrderEventType } from '../domain/webhookEvents.js';
import { remainingAuthorizedAmount, statusOf, type OrderState } from '../domain/order.js';
import type { Database } from './schema.js';

export interface AmountsSnapshot {
  status: string;
  order_amount: number;
  captured_amount: number;
  refunded_amount: number;
  remaining_authorized_amount: number;
  expires_at: string;
}

function snapshotOf(state: OrderState, now: Date): AmountsSnapshot {
  return {
    status: statusOf(state, now),
    order_amount: state.order_amount,
    captured_amount: state.captured_amount,
    refunded_amount: state.refunded_amount,
    remaining_authorized_amount: remainingAuthorizedAmount(state, now),
    expires_at: state.expires_at.toISOString(),
  };
}

export interface OrderEvent {
  order_id: string;
  merchant_id: string;
  type: OrderEventType;
  occurred_at: Date;
  correlation_id: string;
  idempotency_key: string | null;
  before: OrderState | null;
  after: OrderState;
  data?: unknown;
}

/** The insert of one event, sent with a command's other writes. */
export function eventInsert(db: Kysely<Database>, e: OrderEvent) {
  return db.insertInto('order_events').values({
    order_id: e.order_id,
    merchant_id: e.merchant_id,
    type: e.type,
    occurred_at: e.occurred_at.toISOString(),
    correlation_id: e.correlation_id,
    idempotency_key: e.idempotency_key,
    amounts_before: e.before ? JSON.stringify(snapshotOf(e.before, e.occurred_at)) : null,
    amounts_after: JSON.stringify(snapshotOf(e.after, e.occurred_at)),
    data: e.data === undefined ? null : JSON.stringify(e.data),
  });
}

/**
 * An order's version: the id of its newest event (0 before any). Every change to an order appends
 * an event while the order is locked, so any change moves it, and a version once seen never comes back.
 */
export function orderVersionQuery(db: Kysely<Database>, orderId: string) {
  return db
    .selectFrom('order_events')
    .select((eb) => eb.fn.coalesce(eb.fn.max('id'), eb.lit(0)).as('version'))
    .where('order_id', '=', orderId);
}

/** The version of an order whose events were read newest first (as orderVersionQuery counts it). */
export function versionOfNewest(newestFirst: readonly { id: number }[]): number {
  return newestFirst[0]?.id ?? 0;
}
