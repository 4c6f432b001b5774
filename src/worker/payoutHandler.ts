// 'payout' jobs: a merchant's one payout job (CONTRACT §11). Due every 00:00 of the merchant's
// clock (a clock advance makes it due at once), it forms every payout that has fallen due and is
// due again at the next midnight. It never ends: a merchant's later transactions rely on it.
import { nextPayoutRun } from '../domain/settlements.js';
import { merchantClock } from '../store/clock.js';
import { formDuePayouts } from '../store/payoutFormation.js';
import type { JobHandler } from './job.js';

export const formPayouts: JobHandler<'payout'> = async (job, ctx) => {
  const clock = merchantClock(ctx.store, job.clock_offset_seconds);
  try {
    const formed = await formDuePayouts(ctx.store, job.merchant_id, clock);
    if (formed.length > 0) ctx.log.info({ merchant_id: job.merchant_id, payouts: formed.map((p) => p.payment_reference) }, 'payouts formed');
    return { status: 200, next: { state: 'pending', dueAt: nextPayoutRun(clock.now) } };
  } catch (err) {
    // Tried again soon, never given up: the job must outlive any failure.
    return { status: 0, error: String(err), next: { state: 'pending', dueAt: new Date(clock.now.getTime() + 5_000) } };
  }
};
