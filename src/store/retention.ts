// Retention (CONTRACT §9): finished jobs (delivered, failed, cancelled) and their attempts, and
// the recorded calls to merchants (merchantCalls.ts, with their bodies), are deleted once they are
// older than OPENOM_RETENTION_DAYS, so neither the outbox nor its record grows forever.
// A job's age is its run_at, real time: for a finished job, when its last attempt fell due (a
// clock advance moves only pending jobs, so a merchant's clock cannot make its history vanish
// early). The jobs_due index (state, run_at) finds them. Deleted in small batches, each its own
// transaction, so pruning never holds the store for long; every instance may run it (deletes of
// rows already gone delete nothing).
import { inWriteTransaction, type Store } from './dialect.js';
import type { JobState } from './schema.js';

const FINISHED: JobState[] = ['done', 'dead', 'cancelled'];
const BATCH = 500;

/**
 * Deletes recorded calls to merchants made before `beforeRealMs`. A call's time is on its
 * merchant's clock, which runs at or ahead of real time, so a call is never pruned early.
 */
export async function pruneRecordedCalls(store: Store, beforeRealMs: number): Promise<number> {
  const cutoff = new Date(beforeRealMs).toISOString();
  let pruned = 0;
  for (;;) {
    const batch = await inWriteTransaction(store, async (trx) => {
      const ids = (await trx.selectFrom('merchant_calls').select('id').where('called_at', '<', cutoff).orderBy('id').limit(BATCH).execute()).map((r) => Number(r.id));
      if (ids.length > 0) await trx.deleteFrom('merchant_calls').where('id', 'in', ids).execute();
      return ids.length;
    });
    pruned += batch;
    if (batch < BATCH) return pruned;
  }
}

/** Deletes finished jobs whose run_at is before `beforeRealMs`, and their attempts; returns how many jobs. */
export async function pruneFinishedJobs(store: Store, beforeRealMs: number): Promise<number> {
  let pruned = 0;
  for (;;) {
    const batch = await inWriteTransaction(store, async (trx) => {
      const ids = (await trx.selectFrom('jobs').select('id').where('state', 'in', FINISHED).where('run_at', '<', beforeRealMs).orderBy('run_at').limit(BATCH).execute()).map((r) => Number(r.id));
      if (ids.length === 0) return 0;
      await trx.deleteFrom('job_attempts').where('job_id', 'in', ids).execute();
      await trx.deleteFrom('jobs').where('id', 'in', ids).where('state', 'in', FINISHED).execute();
      return ids.length;
    });
    pruned += batch;
    if (batch < BATCH) return pruned;
  }
}
