// What the worker hands a job handler. The job and what an attempt answers are the outbox's own
// row types (src/store/jobs.ts); a handler of one kind gets that kind's payload type.
import type { Logger } from 'pino';
import type { Store } from '../store/dialect.js';
import type { AttemptResult, JobKind, LeasedJob } from '../store/jobs.js';

export interface AttemptContext {
  store: Store;
  log: Logger;
  /** This attempt's number: 1 for the first. */
  attempt: number;
  /** When it started, on the merchant's clock. */
  attemptedAt: Date;
}

export type JobHandler<K extends JobKind> = (job: LeasedJob<K>, ctx: AttemptContext) => Promise<AttemptResult>;
