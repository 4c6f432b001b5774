// Which handler runs which kind of job. A handler (job.ts: JobHandler) gets the leased job and
// answers what the attempt did and what becomes of the job: done, dead, cancelled, or pending again
// at a time on the merchant's clock; the worker records that with the attempt. It should not throw
// for a failed call (callMerchant never does). A kind without a handler here is never leased, so
// an instance that does not know a kind yet (an older version in a rolling update) leaves it to
// the others instead of failing it.
import type { AttemptResult, JobKind, LeasedJob } from '../store/jobs.js';
import { runExpiry } from './expiryHandler.js';
import { runFraudDecision } from './fraudDecisionHandler.js';
import type { AttemptContext, JobHandler } from './job.js';
import { sendFraudNotification } from './notificationHandler.js';
import { formPayouts } from './payoutHandler.js';
import { sendPush } from './pushHandler.js';
import { deliverWebhook } from './webhookHandler.js';
import { sendAuthorizationCallback } from './paymentAuthorizationHandler.js';
import { runAutoCapture } from './autoCaptureHandler.js';
import { sendHppStatusUpdate } from './hppStatusUpdateHandler.js';

export type JobHandlers = { [K in JobKind]?: JobHandler<K> };

export const JOB_HANDLERS: JobHandlers = {
  webhook: deliverWebhook,
  notification: sendFraudNotification,
  expiry: runExpiry,
  fraud_decision: runFraudDecision,
  push: sendPush,
  payment_authorization: sendAuthorizationCallback,
  auto_capture: runAutoCapture,
  hpp_status_update: sendHppStatusUpdate,
  payout: formPayouts,
};

/** Runs the job's kind's handler (the map pairs each kind with its own, so the payload types agree). */
export function runHandler<K extends JobKind>(handlers: JobHandlers, job: LeasedJob<K>, ctx: AttemptContext): Promise<AttemptResult> {
  const handler = handlers[job.kind];
  if (!handler) throw new Error(`no handler for ${job.kind} jobs`);
  return handler(job, ctx);
}
