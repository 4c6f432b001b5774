// Pushes of checkout orders (CONTRACT §7) as jobs in the outbox: the first one written with the
// purchase, each later one by the push before it (src/domain/pushSchedule.ts says when), and the
// sandbox's "push now" as a one-off.
import { checkManualPush, firstPushAt } from '../domain/pushSchedule.js';
import { refused, type OrderCommand } from './commands.js';
import type { ScheduledJob } from './jobs.js';
import type { OrdersTable } from './schema.js';

/** A scheduled push carries what its schedule is counted from; a one-off is not followed by another. */
export type PushPayload = { first_delay_seconds: number } | { manual: true };

export function firstPushJob(orderId: string, purchasedAt: Date, firstDelaySeconds: number): ScheduledJob {
  const payload: PushPayload = { first_delay_seconds: firstDelaySeconds };
  return { kind: 'push', orderId, payload, dueAt: firstPushAt(purchasedAt, firstDelaySeconds) };
}

/** merchant_urls.push of a checkout order, as the merchant sent it; undefined for admin intake. */
export function pushUrlOf(order: Pick<OrdersTable, 'merchant_urls'>): string | undefined {
  if (order.merchant_urls === null) return undefined;
  const urls = JSON.parse(order.merchant_urls) as { push?: unknown };
  return typeof urls.push === 'string' ? urls.push : undefined;
}

/** Sandbox: one push now, whatever the schedule (CONTRACT §5). */
export const pushNow: OrderCommand = async (tx) => {
  const refusal = checkManualPush(pushUrlOf(tx.order));
  if (refusal) return refused(refusal);
  const payload: PushPayload = { manual: true };
  tx.schedule({ kind: 'push', orderId: tx.order.order_id, payload, dueAt: tx.now });
  return { kind: 'no_content' };
};
