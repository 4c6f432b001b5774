// 'expiry' jobs: one per order, due at its expires_at on the merchant's clock. recordExpiry writes
// ORDER_EXPIRED once (its webhook fans out with it) or, after an extension, waits with a new job.
import { recordExpiry } from '../store/orderCommands.js';
import type { JobHandler } from './job.js';
import { runOrderCommandJob } from './orderCommandJob.js';

export const runExpiry: JobHandler<'expiry'> = (job, ctx) => runOrderCommandJob(job, ctx, recordExpiry);
