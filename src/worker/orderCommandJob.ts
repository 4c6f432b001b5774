// Time-driven order work (expiry, the automatic fraud decision) runs as an ordinary order command:
// through runOrderCommand, with the order locked and the merchant's clock read with it, so it
// follows the same rules and writes the same events as a merchant's request would.
import { randomUUID } from 'node:crypto';
import { statusOfErrorCode } from '../domain/errorCodes.js';
import { runOrderCommand } from '../store/commandRunner.js';
import type { OrderCommand } from '../store/orderTx.js';
import type { Render } from '../store/outcome.js';
import type { AttemptContext, AttemptResult, LeasedJob } from './job.js';

/** Outcomes as statuses for the attempt log: nothing is stored for replay (no idempotency key). */
const render: Render = (outcome) => {
  if (outcome.kind === 'refused') return { status: statusOfErrorCode(outcome.problem.code), headers: {}, body: outcome.problem.message };
  return { status: outcome.kind === 'created' ? 201 : 204, headers: {}, body: '' };
};

/**
 * Runs command on the job's order. A refusal is final (the order moved on, e.g. a fraud review
 * decided by hand first): the attempt records it and the job is done.
 */
export async function runOrderCommandJob(job: LeasedJob, ctx: AttemptContext, command: OrderCommand): Promise<AttemptResult> {
  if (job.order_id === null) return { status: 0, error: `a ${job.kind} job needs an order`, next: { state: 'dead' } };
  const response = await runOrderCommand(
    ctx.store,
    {
      merchantId: job.merchant_id,
      correlationId: `worker-${randomUUID()}`,
      idempotencyKey: undefined,
      request: { method: 'JOB', path: `/jobs/${job.id}` },
      render,
    },
    job.order_id,
    command,
  );
  return { status: response.status, error: response.status >= 400 ? response.body : null, next: { state: 'done' } };
}
