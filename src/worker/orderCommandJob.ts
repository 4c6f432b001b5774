// Time-driven order work (expiry, the automatic fraud decision) runs as an ordinary order command:
// through runOrderCommand, with the order locked and the merchant's clock read with it, so it
// follows the same rules and writes the same events as a merchant's request would.
import { randomUUID } from 'node:crypto';
import { statusOfErrorCode } from '../domain/errorCodes.js';
import { runOrderCommand } from '../store/commandRunner.js';
import type { OrderCommand } from '../store/orderTx.js';
import type { AttemptResult, JobKind, LeasedJob } from '../store/jobs.js';
import type { AttemptContext } from './job.js';

/**
 * Runs command on the job's order, without an idempotency key (nothing is stored for replay). A
 * refusal is final (the order moved on, e.g. a fraud review decided by hand first): the attempt
 * records it, with the status the API would have answered, and the job is done.
 */
export async function runOrderCommandJob(job: LeasedJob<JobKind>, ctx: AttemptContext, command: OrderCommand): Promise<AttemptResult> {
  if (job.order_id === null) return { status: 0, error: `a ${job.kind} job needs an order`, next: { state: 'dead' } };
  const { outcome } = await runOrderCommand(ctx.store, { merchantId: job.merchant_id, correlationId: `worker-${randomUUID()}` }, job.order_id, command);
  if (outcome.kind === 'refused') return { status: statusOfErrorCode(outcome.problem.code), error: outcome.problem.message, next: { state: 'done' } };
  return { status: outcome.kind === 'created' ? 201 : 204, error: null, next: { state: 'done' } };
}
