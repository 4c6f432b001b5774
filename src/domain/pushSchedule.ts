// When OpenOM pushes a completed checkout order to merchant_urls.push (CONTRACT §7), as Klarna
// does: first a short delay after the purchase, then 5, 15, 30 and 60 minutes and every 4 hours up
// to 48 hours after it, whatever the merchant answered, until the merchant shows it has the order.
// Pure: the purchase time and now are arguments.
import { refuse, type Refusal } from './decision.js';

const MINUTE = 60;
const HOUR = 3_600;

/** Seconds after the purchase of the pushes that follow the first one. */
const LATER_PUSHES = [5 * MINUTE, 15 * MINUTE, 30 * MINUTE, 60 * MINUTE, ...Array.from({ length: 12 }, (_, i) => (i + 1) * 4 * HOUR)];

/** The last push is made 48 hours after the purchase. */
export const LAST_PUSH_SECONDS = 48 * HOUR;

/** Seconds after the purchase of every push; times before the first one are skipped. */
export function pushOffsets(firstDelaySeconds: number): number[] {
  return [firstDelaySeconds, ...LATER_PUSHES.filter((s) => s > firstDelaySeconds)];
}

export function firstPushAt(purchasedAt: Date, firstDelaySeconds: number): Date {
  return new Date(purchasedAt.getTime() + firstDelaySeconds * 1000);
}

/**
 * The push that follows one made at `now`: the first scheduled time after it. Every time up to now
 * is covered by the push just made, so pushes that a clock jump made due together go out as one.
 */
export function nextPushAt(purchasedAt: Date, firstDelaySeconds: number, now: Date): Date | undefined {
  for (const offset of pushOffsets(firstDelaySeconds)) {
    const at = purchasedAt.getTime() + offset * 1000;
    if (at > now.getTime()) return new Date(at);
  }
  return undefined;
}

export interface PushFacts {
  acknowledged: boolean;
  captured: boolean;
  cancelled: boolean;
}

/** The merchant has the order once it acknowledged or captured it; a cancelled order needs none. */
export function pushesStopped(order: PushFacts): boolean {
  return order.acknowledged || order.captured || order.cancelled;
}

/** The sandbox's "push now" needs a push URL: only checkout orders have one. */
export function checkManualPush(pushUrl: string | undefined): Refusal | undefined {
  return pushUrl === undefined ? refuse('NOT_ALLOWED', 'The order has no push URL: only orders made through the checkout are pushed.') : undefined;
}
