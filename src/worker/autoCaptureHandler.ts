// 'auto_capture' jobs: Klarna Payments' auto_capture (CONTRACT §14), written in the transaction that
// makes the order from an authorization token, so the capture happens even if the request that
// also runs it at once dies first. Whichever runs second finds the capture and does nothing.
import { autoCapture } from '../store/payments.js';
import type { JobHandler } from './job.js';
import { runOrderCommandJob } from './orderCommandJob.js';

export const runAutoCapture: JobHandler<'auto_capture'> = (job, ctx) => runOrderCommandJob(job, ctx, autoCapture);
