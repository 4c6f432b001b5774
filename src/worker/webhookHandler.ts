// 'webhook' jobs: POST the event body, signed, to the endpoint (CONTRACT §7). The payload is the
// body exactly as it was written with the event, so every attempt sends the same bytes and id.
import { callMerchant, recordOf } from '../outgoing/callMerchant.js';
import { webhookTarget } from '../store/webhooks.js';
import type { JobHandler } from './job.js';
import { retriedAsWebhooks } from './retrySchedule.js';
import { signatureHeader } from './signature.js';

export const deliverWebhook: JobHandler<'webhook'> = async (job, ctx) => {
  const target = job.webhook_id === null ? undefined : await webhookTarget(ctx.store, job.webhook_id);
  if (!target) return { status: 0, error: 'the webhook endpoint was deleted', next: { state: 'cancelled' } };
  const call = {
    url: target.url,
    headers: { 'Content-Type': 'application/json', 'OpenOM-Signature': signatureHeader(target.signing_secret, job.payload) },
    body: job.payload,
  };
  const answer = await callMerchant(call);
  return { ...retriedAsWebhooks(answer, target.url, job, ctx), call: recordOf('webhook', call, answer) };
};
