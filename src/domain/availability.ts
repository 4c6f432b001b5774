// What an order lets a person do now (the portal's action buttons). Each operation is asked of its
// own decide* function with the smallest request it takes, so what is offered can never disagree
// with what the command would decide, and a refusal's reason is the decision's own message. Capture
// and refund also say the most they allow: the amounts their decisions compare a request with.
import { decideCancel, decideCapture, decideExtendAuthorization, decideRefund, decideRelease, type ApiProfile, type CaptureBalance } from './decisions.js';
import type { Decision } from './decision.js';
import { refundableAmount, remainingAuthorizedAmount, type OrderState } from './order.js';

export type Availability = { allowed: true } | { allowed: false; reason: string };
export type AmountAvailability = { allowed: true; maximum: number } | { allowed: false; reason: string };

export interface OrderAvailability {
  capture: AmountAvailability;
  refund: AmountAvailability;
  cancel: Availability;
  release: Availability;
  extend: Availability;
}

function availability(decision: Decision<unknown>): Availability {
  return decision.ok ? { allowed: true } : { allowed: false, reason: decision.message };
}

function upTo(decision: Decision<unknown>, maximum: number): AmountAvailability {
  return decision.ok ? { allowed: true, maximum } : { allowed: false, reason: decision.message };
}

export function orderAvailability(order: OrderState, captures: readonly CaptureBalance[], now: Date, profile: ApiProfile): OrderAvailability {
  return {
    capture: upTo(decideCapture(order, { captured_amount: 1 }, now), remainingAuthorizedAmount(order, now)),
    refund: upTo(decideRefund(order, captures, { refunded_amount: 1 }), refundableAmount(order)),
    cancel: availability(decideCancel(order)),
    release: availability(decideRelease(order, now)),
    extend: availability(decideExtendAuthorization(order, now, profile)),
  };
}
