// Pushes of checkout orders (CONTRACT §7) as jobs in the outbox: the first one written with the
// purchase and run again on its schedule by the worker (src/worker/pushHandler.ts;
// src/domain/pushSchedule.ts says when), and the sandbox's "push now" as a one-off.
import { checkManualPush, firstPushAt, pushesStopped } from '../domain/pushSchedule.js';
import type { OrderCommand } from './orderTx.js';
import { refused } from './outcome.js';
import type { Store } from './dialect.js';
import type { PushPayload, ScheduledJob } from './jobs.js';
import { merchantUrlOf } from './orders.js';

export function firstPushJob(orderId: string, purchasedAt: Date, firstDelaySeconds: number): ScheduledJob<'push'> {
  const payload: PushPayload = { first_delay_seconds: firstDelaySeconds };
  return { kind: 'push', orderId, payload, dueAt: firstPushAt(purchasedAt, firstDelaySeconds) };
}

/** Sandbox: one push now, whatever the schedule (CONTRACT §5). */
export const pushNow: OrderCommand = async (tx) => {
  const refusal = checkManualPush(merchantUrlOf(tx.order.merchant_urls, 'push'));
  if (refusal) return refused(refusal);
  const payload: PushPayload = { manual: true };
  tx.schedule({ kind: 'push', orderId: tx.order.order_id, payload, dueAt: tx.now });
  return { kind: 'no_content' };
};

export interface PushTarget {
  /** merchant_urls.push as the merchant sent it. */
  url: string | undefined;
  /** The purchase: when the Order Management order was created, on the merchant's clock. */
  purchasedAt: Date;
  /** The merchant has the order (acknowledged, captured or cancelled): scheduled pushes end. */
  stopped: boolean;
}

export async function pushTargetOf(store: Store, orderId: string): Promise<PushTarget | undefined> {
  const order = await store.db
    .selectFrom('orders')
    .select(['merchant_urls', 'acknowledged', 'capture_count', 'cancelled', 'created_at'])
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  if (!order) return undefined;
  return {
    url: merchantUrlOf(order.merchant_urls, 'push'),
    purchasedAt: new Date(order.created_at),
    stopped: pushesStopped({ acknowledged: order.acknowledged === 1, captured: order.capture_count > 0, cancelled: order.cancelled === 1 }),
  };
}
