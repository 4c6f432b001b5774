// 'notification' jobs: the fraud notification of a decided pending order (CONTRACT §7), POSTed to
// merchant_urls.notification and retried as webhooks are. applyFraudDecision (src/store/orderCommands.ts)
// writes the job with the URL already resolved.
import { callMerchant } from '../outgoing/callMerchant.js';
import type { JobHandler } from './job.js';
import { retriedAsWebhooks } from './retrySchedule.js';

interface NotificationPayload {
  url: string;
  order_id: string;
  event_type: string;
}

export const sendFraudNotification: JobHandler = async (job, ctx) => {
  const { url, order_id, event_type } = JSON.parse(job.payload) as NotificationPayload;
  const answer = await callMerchant({ url, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ order_id, event_type }) });
  return retriedAsWebhooks(answer, url, job, ctx);
};
