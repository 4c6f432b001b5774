// When a failed webhook or fraud notification is tried again (CONTRACT §7): each attempt after a
// failed one follows it by 1 min, 5 min, 30 min, 2 h, 6 h, 12 h, then 24 h, until 3 days after the
// event, all on the merchant's clock. A retry that would fall later than that is not made.
import { isDelivered, type MerchantAnswer } from '../outgoing/callMerchant.js';
import type { AttemptResult, JobKind, JobNext, LeasedJob } from '../store/jobs.js';
import type { AttemptContext } from './job.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const RETRY_DELAYS_MS = [MINUTE_MS, 5 * MINUTE_MS, 30 * MINUTE_MS, 2 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS];
const LATER_RETRY_DELAY_MS = 24 * HOUR_MS;
const RETRY_WINDOW_MS = 72 * HOUR_MS;

/** What follows failed attempt number `attempt` (1 = the first), made at attemptedAt, of an event that happened at eventAt. */
export function retryAfterFailure(attempt: number, attemptedAt: Date, eventAt: Date): JobNext {
  const delay = RETRY_DELAYS_MS[attempt - 1] ?? LATER_RETRY_DELAY_MS;
  const dueAt = new Date(attemptedAt.getTime() + delay);
  if (dueAt.getTime() > eventAt.getTime() + RETRY_WINDOW_MS) return { state: 'dead' };
  return { state: 'pending', dueAt };
}

/** A webhook or notification call's attempt: delivered on a 2xx, otherwise retried on the schedule above. */
export function retriedAsWebhooks(answer: MerchantAnswer, url: string, job: LeasedJob<JobKind>, ctx: AttemptContext): AttemptResult {
  return {
    status: answer.status,
    error: answer.error ?? null,
    url,
    next: isDelivered(answer) ? { state: 'done' } : retryAfterFailure(ctx.attempt, ctx.attemptedAt, new Date(job.created_at)),
  };
}
