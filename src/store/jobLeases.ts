// Leases on jobs: how an instance takes due jobs, keeps them while it works, and records an attempt.
// A lease is a random token and a short expiry on the job row; an instance that dies simply stops
// renewing, and its jobs fall due for the others once the lease has run out. An attempt's result is
// recorded only while the token still matches, so two instances never record the same attempt
// (and the unique index on job_attempts(job_id, attempt) would refuse it if they tried).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { merchantClock } from './clock.js';
import { inShortWrite, inWriteTransaction, skipLockedRows, type Store } from './dialect.js';
import type { AttemptResult, JobKind, LeasedJob } from './jobs.js';
import { insertCall } from './merchantCalls.js';

/** How long a lease lasts unless renewed: work of a dead instance is taken again within this (+ one poll). */
export const LEASE_MS = 5_000;

/**
 * Takes up to `limit` due jobs of the given kinds. A job is due when pending, its run_at has come
 * and no live lease holds it. Jobs sharing a sequence key make their first attempts in id order:
 * one waits while an earlier job of its sequence has not had its first attempt (a failing one
 * does not hold the later ones back after that).
 */
export async function leaseDueJobs(store: Store, kinds: readonly JobKind[], limit: number, realNowMs = Date.now()): Promise<LeasedJob[]> {
  const token = randomUUID();
  const rows = await inShortWrite(store, (db) => {
    const due = db
      .selectFrom('jobs as j')
      .select('j.id')
      .where('j.state', '=', 'pending')
      .where('j.run_at', '<=', realNowMs)
      .where((eb) => eb.or([eb('j.lease_until', 'is', null), eb('j.lease_until', '<', realNowMs)]))
      .where('j.kind', 'in', kinds)
      .where((eb) =>
        eb.or([
          eb('j.sequence_key', 'is', null),
          eb.not(
            eb.exists(
              eb
                .selectFrom('jobs as earlier')
                .select(sql`1`.as('one'))
                .whereRef('earlier.sequence_key', '=', 'j.sequence_key')
                .whereRef('earlier.id', '<', 'j.id')
                .where('earlier.state', '=', 'pending')
                .where('earlier.attempts', '=', 0),
            ),
          ),
        ]),
      )
      // Ordered by run_at alone, so PostgreSQL walks the (state, run_at) index and stops after
      // `limit` eligible rows instead of testing and sorting every due row.
      .orderBy('j.run_at')
      .limit(limit);
    return db
      .updateTable('jobs')
      .set({ lease_token: token, lease_until: realNowMs + LEASE_MS })
      .where('id', 'in', skipLockedRows(store, due))
      .returning((eb) => [
        'id',
        'kind',
        'merchant_id',
        'order_id',
        'webhook_id',
        'payload',
        'attempts',
        'run_at',
        'created_at',
        'lease_token',
        eb.selectFrom('merchants').select('clock_offset_seconds').whereRef('merchants.merchant_id', '=', 'jobs.merchant_id').as('clock_offset_seconds'),
      ])
      .execute();
  });
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    run_at: Number(r.run_at),
    lease_token: token,
    clock_offset_seconds: Number(r.clock_offset_seconds ?? 0),
  }));
}

/** Extends the leases this instance still holds; a lease taken over by another instance is left alone. */
export async function renewLeases(store: Store, held: readonly { id: number; lease_token: string }[], realNowMs = Date.now()): Promise<void> {
  if (held.length === 0) return;
  const byToken = new Map<string, number[]>();
  for (const h of held) byToken.set(h.lease_token, [...(byToken.get(h.lease_token) ?? []), h.id]);
  await inShortWrite(store, async (db) => {
    for (const [token, ids] of byToken) {
      await db.updateTable('jobs').set({ lease_until: realNowMs + LEASE_MS }).where('lease_token', '=', token).where('id', 'in', ids).execute();
    }
  });
}

/**
 * Records one attempt and what becomes of the job, in one transaction, if this instance still
 * holds the lease; returns whether it did. A retry's due time is on the merchant's clock, and the
 * new run_at is computed from the row's current run_at, so a clock advance made while the attempt
 * ran still moves the retry (the advance shifted run_at; this adds to that, never overwrites it).
 * A job cancelled meanwhile (its endpoint deleted) stays cancelled.
 */
export async function recordAttempt(store: Store, job: LeasedJob, result: AttemptResult, attemptedAt: Date, durationMs: number): Promise<boolean> {
  const next = result.next;
  // run_at as of the lease = merchant time then − offset then; due = the retry's merchant time.
  const shift = next.state === 'pending' ? merchantClock(store, job.clock_offset_seconds).toRealMs(next.dueAt) - job.run_at : 0;
  const at = attemptedAt.toISOString();
  return inWriteTransaction(store, async (db) => {
    const recorded = await db
      .updateTable('jobs')
      .set({
        state: sql`case when state = 'pending' then ${next.state} else state end`,
        attempts: sql`attempts + 1`,
        run_at: sql`run_at + ${shift}`,
        lease_token: null,
        lease_until: null,
        last_status: result.status,
        last_error: result.error ?? null,
        updated_at: at,
      })
      .where('id', '=', job.id)
      .where('lease_token', '=', job.lease_token)
      .returning('attempts')
      .execute();
    const attempt = recorded[0]?.attempts;
    if (attempt === undefined) return false;
    await db
      .insertInto('job_attempts')
      .values({
        job_id: job.id,
        merchant_id: job.merchant_id,
        order_id: job.order_id,
        webhook_id: job.webhook_id,
        kind: job.kind,
        attempt: Number(attempt),
        url: result.url ?? null,
        status: result.status,
        error: result.error?.slice(0, 1000) ?? null,
        duration_ms: durationMs,
        attempted_at: at,
      })
      .execute();
    if (result.call) await insertCall(db, job.merchant_id, job.order_id, result.call, attemptedAt).execute();
    return true;
  });
}
