// What an order is, as far as money and state go. Pure: time is always an argument.
import { MAX_AMOUNT } from './money.js';

export type OrderStatus = 'AUTHORIZED' | 'PART_CAPTURED' | 'CAPTURED' | 'CANCELLED' | 'EXPIRED' | 'CLOSED';

/** Klarna's fraud review of the purchase; the merchant must not ship while it is PENDING. */
export type FraudStatus = 'ACCEPTED' | 'PENDING' | 'REJECTED';

export interface OrderState {
  order_amount: number;
  original_order_amount: number;
  captured_amount: number;
  refunded_amount: number;
  /** The order was cancelled (nothing captured). */
  cancelled: boolean;
  /** The merchant released the remaining authorization after capturing part of the order. */
  released: boolean;
  /** When the authorization lapses; nothing can be captured after it. */
  expires_at: Date;
  /** expires_at as authorized, before any extension (the Kustom extension cap counts from it). */
  initial_expires_at: Date;
  created_at: Date;
  fraud_status: FraudStatus;
  /** The merchant has acknowledged the order (it stops the checkout's pushes). */
  acknowledged: boolean;
  /** ORDER_EXPIRED is recorded: it is written once. */
  expiry_recorded: boolean;
}

function isAuthorizationExpired(order: OrderState, now: Date): boolean {
  return now.getTime() >= order.expires_at.getTime();
}

/** Nothing more can ever be captured: cancelled, released, fully captured or lapsed. */
function authorizationEnded(order: OrderState, now: Date): boolean {
  return order.cancelled || order.released || order.captured_amount >= order.order_amount || isAuthorizationExpired(order, now);
}

/**
 * Status is derived from amounts, flags and time, never stored, so it cannot drift from them.
 * - CAPTURED: fully captured, or part captured and the rest released. Klarna keeps an order
 *   CAPTURED after a full refund, so refunds never change the status.
 * - EXPIRED: the authorization lapsed while some of it was still uncaptured and not released.
 * - CLOSED: an end-of-life state Klarna sets by itself (e.g. after a fraud stop); no merchant
 *   operation leads to it, so OpenOM never derives it.
 */
export function statusOf(order: OrderState, now: Date): OrderStatus {
  if (order.cancelled) return 'CANCELLED';
  if (order.captured_amount > 0 && (order.captured_amount >= order.order_amount || order.released)) return 'CAPTURED';
  if (isAuthorizationExpired(order, now)) return 'EXPIRED';
  return order.captured_amount > 0 ? 'PART_CAPTURED' : 'AUTHORIZED';
}

/** What may still be captured: zero once the authorization has ended. */
export function remainingAuthorizedAmount(order: OrderState, now: Date): number {
  if (authorizationEnded(order, now)) return 0;
  return order.order_amount - order.captured_amount;
}

/** What may still be refunded. */
export function refundableAmount(order: OrderState): number {
  return order.captured_amount - order.refunded_amount;
}

export interface InvariantViolation {
  rule: string;
  detail: string;
}

/** The invariants of an order's own row: cheap enough to assert before every write (STYLE: pair assertions). */
export function orderStateViolations(order: OrderState): InvariantViolation[] {
  const v: InvariantViolation[] = [];
  const fail = (rule: string, detail: string) => v.push({ rule, detail });
  const amounts = {
    order_amount: order.order_amount,
    original_order_amount: order.original_order_amount,
    captured_amount: order.captured_amount,
    refunded_amount: order.refunded_amount,
  };
  for (const [name, value] of Object.entries(amounts)) {
    if (!Number.isSafeInteger(value) || value < 0 || value > MAX_AMOUNT) fail('amount_range', `${name}=${value}`);
  }
  if (order.captured_amount > order.order_amount) fail('captured_le_order', `${order.captured_amount} > ${order.order_amount}`);
  if (order.refunded_amount > order.captured_amount) fail('refunded_le_captured', `${order.refunded_amount} > ${order.captured_amount}`);
  if (order.cancelled && order.captured_amount > 0) fail('cancelled_without_captures', `captured ${order.captured_amount}`);
  if (Number.isNaN(order.expires_at.getTime())) fail('expires_at_valid', 'expires_at is not a valid time');
  return v;
}

/**
 * The one invariant checker: property tests, the ledger check and the store's pre-write assertion
 * (through orderStateViolations) all call this. Amount lists are the per-capture and per-refund
 * amounts stored for the order.
 */
export function checkInvariants(
  order: OrderState,
  captures: readonly { captured_amount: number; refunded_amount: number }[],
  refunds: readonly { refunded_amount: number }[],
  now: Date,
): InvariantViolation[] {
  const v = orderStateViolations(order);
  const fail = (rule: string, detail: string) => v.push({ rule, detail });
  const remaining = remainingAuthorizedAmount(order, now);
  if (remaining < 0 || remaining + order.captured_amount > order.order_amount) fail('remaining_consistent', `remaining ${remaining}`);
  const captureSum = captures.reduce((s, c) => s + c.captured_amount, 0);
  if (captureSum !== order.captured_amount) fail('captures_sum', `sum of captures ${captureSum} != captured_amount ${order.captured_amount}`);
  const refundSum = refunds.reduce((s, r) => s + r.refunded_amount, 0);
  if (refundSum !== order.refunded_amount) fail('refunds_sum', `sum of refunds ${refundSum} != refunded_amount ${order.refunded_amount}`);
  const allocatedSum = captures.reduce((s, c) => s + c.refunded_amount, 0);
  if (allocatedSum !== order.refunded_amount) fail('refund_allocation_sum', `refunds allocated to captures ${allocatedSum} != refunded_amount ${order.refunded_amount}`);
  captures.forEach((c, i) => {
    if (c.captured_amount <= 0) fail('capture_positive', `captures[${i}].captured_amount=${c.captured_amount}`);
    if (c.refunded_amount < 0 || c.refunded_amount > c.captured_amount) fail('capture_refund_le_captured', `captures[${i}] refunded ${c.refunded_amount} of ${c.captured_amount}`);
  });
  refunds.forEach((r, i) => {
    if (r.refunded_amount <= 0) fail('refund_positive', `refunds[${i}].refunded_amount=${r.refunded_amount}`);
  });
  return v;
}
