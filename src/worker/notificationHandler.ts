// 'notification' jobs: the fraud notification of a decided pending order (CONTRACT §7), POSTed to
// merchant_urls.notification and retried as webhooks are. applyFraudDecision (src/store/orderCommands.ts)
// writes the job with the URL already resolved.
import { callMerchant, recordOf } from '../outgoing/callMerchant.js';
import { payloadOf } from '../store/jobs.js';
import type { JobHandler } from './job.js';
import { retriedAsWebhooks } from './retrySchedule.js';

export const sendFraudNotification: JobHandler<'notification'> = async (job, ctx) => {
  const { url, order_id, event_type } = payloadOf(job);
  const call = { url, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ order_id, event_type }) };
  const answer = await callMerchant(call);
  return { ...retriedAsWebhooks(answer, url, job, ctx), call: recordOf('notification', call, answer) };
};
