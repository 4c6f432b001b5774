// What each Order Management operation may do, and what it changes. One function per operation:
// current state + request (+ time) → refusal or the change to write. No I/O, no clock.
import { accept, refuse, type Decision } from './decision.js';
import { amountProblem } from './money.js';
import { refundableAmount, remainingAuthorizedAmount, statusOf, type OrderState } from './order.js';
import { checkAddressCountry } from './intake.js';
import { checkLineArithmetic, checkLinesSum, type OrderLineAmounts } from './orderLines.js';

import { DAY_MS } from './time.js';

/** A decision that changes the order: the state to write, and what the operation amounted to. */
export type Change<T = object> = { next: OrderState } & T;

export function decideCapture(
  order: OrderState,
  req: { captured_amount: number; order_lines?: readonly OrderLineAmounts[] },
  now: Date,
): Decision<Change<{ captured_amount: number }>> {
  const badAmount = amountProblem(req.captured_amount, 'captured_amount', 1);
  if (badAmount) return refuse('BAD_VALUE', badAmount);
  const status = statusOf(order, now);
  if (status === 'CANCELLED') return refuse('CAPTURE_NOT_ALLOWED', 'Capture not allowed: the order is cancelled.');
  // Klarna: the merchant must not ship (so not capture) before the fraud review has accepted the purchase.
  if (order.fraud_status === 'PENDING') return refuse('CAPTURE_NOT_ALLOWED', 'Capture not allowed: the order is pending fraud review.');
  if (order.fraud_status === 'REJECTED') return refuse('CAPTURE_NOT_ALLOWED', 'Capture not allowed: the order was rejected by fraud review.');
  if (status === 'EXPIRED') return refuse('CAPTURE_NOT_ALLOWED', 'Capture not allowed: the authorization has expired.');
  if (status === 'CAPTURED' || status === 'CLOSED') {
    return refuse('CAPTURE_NOT_ALLOWED', 'Capture not allowed: the order has no remaining authorized amount.');
  }
  const remaining = remainingAuthorizedAmount(order, now);
  if (req.captured_amount > remaining) {
    return refuse(
      'CAPTURE_NOT_ALLOWED',
      `Captured amount ${req.captured_amount} is higher than the remaining authorized amount ${remaining}. Capture not possible.`,
    );
  }
  const lines = req.order_lines && checkLineArithmetic(req.order_lines);
  if (lines) return lines;
  return accept({
    next: { ...order, captured_amount: order.captured_amount + req.captured_amount },
    captured_amount: req.captured_amount,
  });
}

export interface CaptureBalance {
  capture_id: string;
  captured_amount: number;
  refunded_amount: number;
}

export interface RefundAllocation {
  capture_id: string;
  amount: number;
}

/**
 * A refund draws on the captures oldest first, so every capture's refunded_amount stays within
 * what it captured and their sum equals the order's refunded_amount.
 */
export function decideRefund(
  order: OrderState,
  captures: readonly CaptureBalance[],
  req: { refunded_amount: number; order_lines?: readonly OrderLineAmounts[] },
): Decision<Change<{ refunded_amount: number; allocations: RefundAllocation[] }>> {
  const badAmount = amountProblem(req.refunded_amount, 'refunded_amount', 1);
  if (badAmount) return refuse('BAD_VALUE', badAmount);
  const refundable = refundableAmount(order);
  if (order.captured_amount === 0) return refuse('REFUND_NOT_ALLOWED', 'Order has no captures. Refund not possible.');
  if (req.refunded_amount > refundable) {
    return refuse(
      'REFUND_NOT_ALLOWED',
      `Over refund is not allowed: refunded_amount ${req.refunded_amount} exceeds the refundable amount ${refundable}. Refund not possible.`,
    );
  }
  const lines = req.order_lines && checkLineArithmetic(req.order_lines);
  if (lines) return lines;
  const allocations: RefundAllocation[] = [];
  let left = req.refunded_amount;
  for (const c of captures) {
    if (left === 0) break;
    const take = Math.min(left, c.captured_amount - c.refunded_amount);
    if (take > 0) {
      allocations.push({ capture_id: c.capture_id, amount: take });
      left -= take;
    }
  }
  // Only reachable if stored captures disagree with the order's totals: never write through that.
  if (left !== 0) throw new Error('captures do not cover the order captured_amount');
  return accept({
    next: { ...order, refunded_amount: order.refunded_amount + req.refunded_amount },
    refunded_amount: req.refunded_amount,
    allocations,
  });
}

export function decideCancel(order: OrderState): Decision<Change> {
  if (order.cancelled) return refuse('CANCEL_NOT_ALLOWED', 'Order is already cancelled. Cancel not possible.');
  if (order.captured_amount > 0) return refuse('CANCEL_NOT_ALLOWED', 'Order has previous captures. Cancel not possible.');
  return accept({ next: { ...order, cancelled: true } });
}

export function decideRelease(order: OrderState, now: Date): Decision<Change<{ released_amount: number }>> {
  if (order.cancelled) return refuse('NOT_ALLOWED', 'Order is cancelled. Remaining authorization cannot be released.');
  if (order.captured_amount === 0) {
    return refuse('NOT_ALLOWED', 'Order has no captures. Remaining authorization cannot be released; cancel the order instead.');
  }
  if (order.released) return refuse('NOT_ALLOWED', 'Remaining authorization was already released.');
  if (statusOf(order, now) === 'EXPIRED') return refuse('NOT_ALLOWED', 'Order is expired. Remaining authorization cannot be released.');
  const remaining = remainingAuthorizedAmount(order, now);
  if (remaining === 0) return refuse('NOT_ALLOWED', 'Order is fully captured. Remaining authorization cannot be released.');
  return accept({ next: { ...order, released: true }, released_amount: remaining });
}

/**
 * Which provider's rules OpenOM follows where Kustom and Klarna differ (CONTRACT §8). Kustom caps
 * authorization extensions at 90 days beyond the first expires_at and removed the capture
 * due-date and send-out operations; Klarna caps at 180 days after the purchase.
 */
export type ApiProfile = 'kustom' | 'klarna';

/** An extension moves expires_at to "now + the authorization period", never past the profile's cap. */
export const AUTHORIZATION_PERIOD_DAYS = 28;
const EXTENSION_CAP: Record<ApiProfile, { from: 'initial_expires_at' | 'created_at'; days: number }> = {
  kustom: { from: 'initial_expires_at', days: 90 },
  klarna: { from: 'created_at', days: 180 },
};

export function extensionCap(order: OrderState, profile: ApiProfile): Date {
  const cap = EXTENSION_CAP[profile];
  return new Date(order[cap.from].getTime() + cap.days * DAY_MS);
}

export function decideExtendAuthorization(order: OrderState, now: Date, profile: ApiProfile): Decision<Change<{ expires_at: Date }>> {
  const status = statusOf(order, now);
  if (status === 'CANCELLED') return refuse('NOT_ALLOWED', 'Order is cancelled. Authorization time cannot be extended.');
  if (status === 'EXPIRED') return refuse('NOT_ALLOWED', 'Order is expired. Authorization time cannot be extended.');
  if (remainingAuthorizedAmount(order, now) === 0) {
    return refuse('NOT_ALLOWED', 'Order has no remaining authorized amount. Authorization time cannot be extended.');
  }
  const limit = extensionCap(order, profile).getTime();
  if (order.expires_at.getTime() >= limit) {
    return refuse('NOT_ALLOWED', 'Authorization time cannot be extended any further: the maximum authorization time is reached.');
  }
  // Klarna's timestamps have whole seconds; the new expiry is exact to the second of "now".
  const nowSecond = Math.floor(now.getTime() / 1000) * 1000;
  const target = Math.min(nowSecond + AUTHORIZATION_PERIOD_DAYS * DAY_MS, limit);
  const expires_at = new Date(Math.max(target, order.expires_at.getTime()));
  return accept({ next: { ...order, expires_at }, expires_at });
}

/** Acknowledging is always allowed, and repeatable; only the first one sets the flag. */
export function decideAcknowledge(order: OrderState): Decision<Change<{ first: boolean }>> {
  return accept({ next: { ...order, acknowledged: true }, first: !order.acknowledged });
}

/** Updates of references, addresses and shipping info: any order but a cancelled one. Its amounts and flags stay as they are. */
function decideDetailsUpdate(order: OrderState, what: string): Decision<Change> {
  if (order.cancelled) return refuse('NOT_ALLOWED', `Order is cancelled. ${what} cannot be updated.`);
  return accept({ next: order });
}

export type MerchantReferences = {
  merchant_reference1?: string;
  merchant_reference2?: string;
};

/** The references sent replace the stored ones; one left out stays as it is. */
export function decideMerchantReferencesUpdate(order: OrderState, req: MerchantReferences): Decision<Change<{ references: MerchantReferences }>> {
  const d = decideDetailsUpdate(order, 'Merchant references');
  if (!d.ok) return d;
  const references: MerchantReferences = {};
  if (req.merchant_reference1 !== undefined) references.merchant_reference1 = req.merchant_reference1;
  if (req.merchant_reference2 !== undefined) references.merchant_reference2 = req.merchant_reference2;
  return accept({ ...d.value, references });
}

export function decideShippingInfoUpdate(order: OrderState): Decision<Change> {
  return decideDetailsUpdate(order, 'Shipping info');
}

/** Klarna lets a merchant change the shipping address; the billing address is the customer's. */
export function decideCustomerDetailsUpdate(
  order: OrderState,
  req: { shipping_address?: { country?: string }; billing_address?: unknown },
): Decision<Change> {
  const d = decideDetailsUpdate(order, 'Customer details');
  if (!d.ok) return d;
  if (req.billing_address !== undefined) return refuse('NOT_ALLOWED', 'Billing address cannot be updated. Customer details cannot be updated.');
  return checkAddressCountry(req.shipping_address, 'shipping_address') ?? d;
}

export function decideUpdateAuthorization(
  order: OrderState,
  req: { order_amount: number; order_lines: readonly OrderLineAmounts[] },
  now: Date,
): Decision<Change<{ order_amount: number }>> {
  const badAmount = amountProblem(req.order_amount, 'order_amount', 0);
  if (badAmount) return refuse('BAD_VALUE', badAmount);
  const lineError = checkLineArithmetic(req.order_lines) ?? checkLinesSum(req.order_lines, req.order_amount, 'order_amount');
  if (lineError) return lineError;
  const status = statusOf(order, now);
  if (status === 'CANCELLED' || status === 'EXPIRED' || status === 'CLOSED') {
    return refuse('NOT_ALLOWED', `Order is ${status.toLowerCase()}. Order authorization cannot be updated.`);
  }
  if (order.released) return refuse('NOT_ALLOWED', 'Remaining authorization was released. Order authorization cannot be updated.');
  // Klarna: "Fully captured orders cannot have their order amount updated."
  if (status === 'CAPTURED') return refuse('NOT_ALLOWED', 'Order is fully captured. Order authorization cannot be updated.');
  if (req.order_amount < order.captured_amount) {
    return refuse(
      'NOT_ALLOWED',
      `Resulting authorization amount ${req.order_amount} cannot be less than the captured amount ${order.captured_amount}. Order authorization cannot be updated.`,
    );
  }
  return accept({ next: { ...order, order_amount: req.order_amount }, order_amount: req.order_amount });
}

/** Sandbox due-date extension offers: days, and the fee the merchant pays (minor units). */
const DUE_DATE_EXTENSION_OPTIONS: readonly { number_of_days: number; amount: number }[] = [
  { number_of_days: 7, amount: 0 },
  { number_of_days: 14, amount: 100 },
  { number_of_days: 30, amount: 250 },
];

/** Options for a capture: none once it is fully refunded or already extended (one extension per capture). */
export function dueDateExtensionOptions(capture: { captured_amount: number; refunded_amount: number; due_date_extension_days: number }) {
  if (capture.refunded_amount >= capture.captured_amount || capture.due_date_extension_days > 0) return [];
  return DUE_DATE_EXTENSION_OPTIONS.map((o) => ({ ...o }));
}

export function decideExtendDueDate(
  capture: { captured_amount: number; refunded_amount: number; due_date_extension_days: number },
  numberOfDays: number,
): Decision<{ number_of_days: number }> {
  const options = dueDateExtensionOptions(capture);
  if (options.length === 0) return refuse('NOT_ALLOWED', 'Extension of due date is not possible for this capture.');
  if (!options.some((o) => o.number_of_days === numberOfDays)) {
    return refuse('NOT_ALLOWED', `Extension of due date is not possible by ${numberOfDays} days; available: ${options.map((o) => o.number_of_days).join(', ')}.`);
  }
  return accept({ number_of_days: numberOfDays });
}

/** How a pending fraud review can end (CONTRACT §5). */
export const FRAUD_DECISIONS = ['ACCEPTED', 'REJECTED', 'STOPPED'] as const;
export type FraudDecision = (typeof FRAUD_DECISIONS)[number];

/**
 * The end of a pending fraud review (CONTRACT §5): ACCEPTED lets the merchant capture; REJECTED and
 * STOPPED set fraud_status REJECTED and cancel the order, as Klarna does.
 */
export function decideFraudDecision(order: OrderState, decision: FraudDecision): Decision<Change<{ cancelled: boolean }>> {
  if (order.fraud_status !== 'PENDING') return refuse('NOT_ALLOWED', `Order fraud_status is ${order.fraud_status}, not PENDING. No fraud decision can be made.`);
  if (decision === 'ACCEPTED') return accept({ next: { ...order, fraud_status: 'ACCEPTED' }, cancelled: false });
  return accept({ next: { ...order, fraud_status: 'REJECTED', cancelled: true }, cancelled: !order.cancelled });
}

export type ExpiryDecision = ({ action: 'record' } & Change) | { action: 'wait'; until: Date } | { action: 'none' };

/**
 * What the expiry job does when it runs: record ORDER_EXPIRED once the clock has passed
 * expires_at while some authorization is unused; wait if expires_at moved later (an extension);
 * nothing for cancelled, released or fully captured orders, or once it is recorded. Never a refusal:
 * the job asks, it does not demand.
 */
export function decideExpiry(order: OrderState, now: Date): ExpiryDecision {
  if (order.expiry_recorded || order.cancelled || order.released || order.captured_amount >= order.order_amount) return { action: 'none' };
  if (now.getTime() < order.expires_at.getTime()) return { action: 'wait', until: order.expires_at };
  return { action: 'record', next: { ...order, expiry_recorded: true } };
}
