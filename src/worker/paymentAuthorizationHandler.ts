// 'payment_authorization' jobs: Klarna Payments' authorization callback (CONTRACT §14), POSTed to
// merchant_urls.authorization when a session is authorized and retried as webhooks are.
// authorizePaymentSession (src/store/payments.ts) writes the job with the authorization.
import { callMerchant, recordOf } from '../outgoing/callMerchant.js';
import { payloadOf } from '../store/jobs.js';
import type { JobHandler } from './job.js';
import { retriedAsWebhooks } from './retrySchedule.js';

export const sendAuthorizationCallback: JobHandler<'payment_authorization'> = async (job, ctx) => {
  const { url, authorization_token, session_id } = payloadOf(job);
  const call = { url, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ authorization_token, session_id }) };
  const answer = await callMerchant(call);
  return { ...retriedAsWebhooks(answer, url, job, ctx), call: recordOf('payment_authorization', call, answer) };
};
