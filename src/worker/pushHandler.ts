// 'push' jobs: the push of a checkout order (CONTRACT §7), an empty POST to merchant_urls.push.
// One job walks the whole schedule of src/domain/pushSchedule.ts: after each push, made whatever
// the merchant answered, it falls due again at the next scheduled time, until the merchant has the
// order (acknowledged, captured or cancelled) or the push at 48 hours has been made. A one-off from
// the sandbox's "push now" is made once, whatever the order's state.
import { merchantUrlFor } from '../domain/merchantCalls.js';
import { nextPushAt } from '../domain/pushSchedule.js';
import { callMerchant, recordOf } from '../outgoing/callMerchant.js';
import { payloadOf } from '../store/jobs.js';
import { pushTargetOf } from '../store/push.js';
import type { JobHandler } from './job.js';

export const sendPush: JobHandler<'push'> = async (job, ctx) => {
  const target = job.order_id === null ? undefined : await pushTargetOf(ctx.store, job.order_id);
  if (!job.order_id || !target?.url) return { status: 0, error: 'the order has no push URL', next: { state: 'dead' } };
  const payload = payloadOf(job);
  const scheduled = 'first_delay_seconds' in payload;
  if (scheduled && target.stopped) {
    return { status: 0, error: 'no push: the order is acknowledged, captured or cancelled', next: { state: 'cancelled' } };
  }
  const url = merchantUrlFor(target.url, job.order_id);
  const call = { url };
  const answer = await callMerchant(call);
  const next = scheduled ? nextPushAt(target.purchasedAt, payload.first_delay_seconds, ctx.attemptedAt) : undefined;
  return {
    status: answer.status,
    error: answer.error ?? null,
    url,
    next: next ? { state: 'pending', dueAt: next } : { state: 'done' },
    call: recordOf('push', call, answer),
  };
};
