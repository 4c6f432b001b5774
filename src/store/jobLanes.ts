// Which lane each kind of job runs in (CONTRACT §7: one merchant's slow endpoints never delay
// another merchant's calls or timers). Outgoing calls may hang for their full 10 s timeout;
// timers (expiry, fraud decisions) are short store work that must never wait behind them, so each
// lane has its own worker slots. The map is exhaustive: a new job kind must say which lane it is.
import type { JobKind } from './jobs.js';

export type JobLane = 'call' | 'timer';

export const JOB_LANES: Record<JobKind, JobLane> = {
  webhook: 'call',
  notification: 'call',
  push: 'call',
  expiry: 'timer',
  fraud_decision: 'timer',
  payment_authorization: 'call',
  auto_capture: 'timer',
  hpp_status_update: 'call',
  payout: 'timer',
};

/** The kinds of one lane, among those given (the kinds this instance has handlers for). */
export function kindsOfLane(lane: JobLane, kinds: readonly JobKind[]): JobKind[] {
  return kinds.filter((k) => JOB_LANES[k] === lane);
}

/**
 * Most calls of one merchant in flight at once, across all instances, for a worker with `slots`
 * call slots: a quarter of them (at least one), so no merchant can occupy the whole lane.
 */
export function perMerchantCallCap(slots: number): number {
  return Math.max(1, Math.floor(slots / 4));
}
