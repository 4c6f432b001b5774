// What the worker hands a job handler, and what a handler answers about one attempt.
import type { Logger } from 'pino';
import type { Store } from '../store/dialect.js';
import type { JobKind } from '../store/jobs.js';

/** A job this instance holds the lease of, as the lease statement returned it. */
export interface LeasedJob {
  id: number;
  kind: JobKind;
  merchant_id: string;
  order_id: string | null;
  webhook_id: string | null;
  payload: string;
  /** Attempts made before this one. */
  attempts: number;
  /** Real epoch ms it was due at when leased. */
  run_at: number;
  /** Merchant-clock ISO time the job was written (the event's time, for webhooks). */
  created_at: string;
  lease_token: string;
  clock_offset_seconds: number;
}

/** What becomes of the job after an attempt. */
export type JobNext = { state: 'done' | 'dead' | 'cancelled' } | { state: 'pending'; dueAt: Date /* merchant clock */ };

export interface AttemptResult {
  /** HTTP status answered (or the command's status); 0 when there was no answer. */
  status: number;
  error?: string | null;
  /** The URL called, if any. */
  url?: string | null;
  next: JobNext;
}

export interface AttemptContext {
  store: Store;
  log: Logger;
  /** This attempt's number: 1 for the first. */
  attempt: number;
  /** When it started, on the merchant's clock. */
  attemptedAt: Date;
}

export type JobHandler = (job: LeasedJob, ctx: AttemptContext) => Promise<AttemptResult>;
