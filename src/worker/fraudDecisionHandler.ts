// 'fraud_decision' jobs: the automatic end of a pending checkout's fraud review (CONTRACT §6:
// decided 1 hour after the purchase on the merchant's clock), payload {"decision": …}. An order
// decided earlier by hand is no longer PENDING: the command refuses and nothing changes.
import { FRAUD_DECISIONS } from '../domain/decisions.js';
import { payloadOf } from '../store/jobs.js';
import { applyFraudDecision } from '../store/orderCommands.js';
import type { JobHandler } from './job.js';
import { runOrderCommandJob } from './orderCommandJob.js';

export const runFraudDecision: JobHandler<'fraud_decision'> = (job, ctx) => {
  const { decision } = payloadOf(job);
  // Anything but a known decision would end the review as a rejection: a row is data, checked here.
  if (!FRAUD_DECISIONS.includes(decision)) {
    return Promise.resolve({ status: 0, error: `unknown fraud decision ${JSON.stringify(decision)}`, next: { state: 'dead' } });
  }
  return runOrderCommandJob(job, ctx, applyFraudDecision(decision));
};
