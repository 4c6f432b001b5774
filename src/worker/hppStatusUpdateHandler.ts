// 'hpp_status_update' jobs: a Hosted Payment Page session's status change, POSTed to its
// merchant_urls.status_update as {"event_id", "session"} (CONTRACT §13) and retried as webhooks
// are. The body was written with the change, so every attempt sends the same event.
import { callMerchant, recordOf } from '../outgoing/callMerchant.js';
import { payloadOf } from '../store/jobs.js';
import type { JobHandler } from './job.js';
import { retriedAsWebhooks } from './retrySchedule.js';

export const sendHppStatusUpdate: JobHandler<'hpp_status_update'> = async (job, ctx) => {
  const { url, body } = payloadOf(job);
  const call = { url, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
  const answer = await callMerchant(call);
  return { ...retriedAsWebhooks(answer, url, job, ctx), call: recordOf('hpp_status_update', call, answer) };
};
