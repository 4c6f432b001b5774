// 'fraud_decision' jobs: the automatic end of a pending checkout's fraud review (CONTRACT §6:
// decided 1 hour after the purchase on the merchant's clock), payload {"decision": …}. An order
// decided earlier by hand is no longer PENDING: the command refuses and nothing changes.
import type { FraudDecision } from '../domain/decisions.js';
import { applyFraudDecision } from '../store/orderCommands.js';
import type { JobHandler } from './job.js';
import { runOrderCommandJob } from './orderCommandJob.js';

const DECISIONS: readonly FraudDecision[] = ['ACCEPTED', 'REJECTED', 'STOPPED'];

export const runFraudDecision: JobHandler = (job, ctx) => {
  const { decision } = JSON.parse(job.payload) as { decision?: unknown };
  if (!DECISIONS.includes(decision as FraudDecision)) {
    return Promise.resolve({ status: 0, error: `unknown fraud decision ${JSON.stringify(decision)}`, next: { state: 'dead' } });
  }
  return runOrderCommandJob(job, ctx, applyFraudDecision(decision as FraudDecision));
};
