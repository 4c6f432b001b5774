// Leases on jobs: how an instance takes due jobs, keeps them while it works, and records an attempt.
// A lease is a random token and a short expiry on the job row; an instance that dies simply stops
// renewing, and its jobs fall due for the others once the lease has run out. An attempt's result is
// recorded only while the token still matches, so two instances never record the same attempt
// (and the unique index on job_attempts(job_id, attempt) would refuse it if they tried).
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { merchantClock } from './clock.js';
import { inShortWrite, inWriteTransaction, skipLockedRows, type Store } from './dialect.js';
import type { Database } from './schema.js';
import type { AttemptResult, JobKind, LeasedJob } from './jobs.js';
import { insertCall } from './merchantCalls.js';

/** How long a lease lasts unless renewed: work of a dead instance is taken again within this (+ one poll). */
export const LEASE_MS = 5_000;

export interface LeaseRequest {
  kinds: readonly JobKind[];
  /** Free worker slots: at most this many jobs are leased. */
  limit: number;
  /** Most jobs of these kinds one merchant may hold leased at once, across all instances (default: no cap). */
  perMerchantCap?: number;
}

export interface Lease {
  jobs: LeasedJob[];
  /**
   * Whether a merchant has more due work than its cap let it take: a slot it frees can be used at
   * once, so the worker looks again as soon as one of its attempts ends.
   */
  capped: boolean;
}

/** Two-key advisory locks (PostgreSQL) of this class serialize leasing for one merchant across instances. */
const MERCHANT_LEASE_LOCK_CLASS = 0x4f4d4c; // "OML"

/**
 * Takes up to `limit` due jobs of the given kinds, shared round-robin among the merchants that have
 * due work (fewest jobs in flight first, then oldest due), each merchant capped at perMerchantCap
 * leased at once: so one merchant's backlog or hanging endpoints never take the slots another
 * merchant's work needs (CONTRACT §7). What is in flight is read from the leases in the store, so
 * the cap holds across instances; on PostgreSQL a merchant's leasing is serialized by an advisory
 * lock (a merchant another instance is leasing for right now is skipped, as SKIP LOCKED skips rows).
 * A job is due when pending, its run_at has come and no live lease holds it. Jobs sharing a
 * sequence key make their first attempts in id order: one waits while an earlier job of its
 * sequence has not had its first attempt (a failing one does not hold the later ones back after that).
 */
export async function leaseDueJobs(store: Store, request: LeaseRequest, realNowMs = Date.now()): Promise<Lease> {
  const { kinds, limit } = request;
  const cap = request.perMerchantCap ?? Infinity;
  if (kinds.length === 0 || limit <= 0) return { jobs: [], capped: false };
  const token = randomUUID();
  let capped = false;
  const rows = await inWriteTransaction(store, async (db) => {
    const merchants = await merchantsWithDueJobs(db, kinds, realNowMs, limit);
    const shares = roundRobinShares(
      merchants.map((m) => Math.max(0, Math.min(m.free_due, cap - m.in_flight))),
      limit,
    );
    capped = merchants.some((m) => m.in_flight + m.free_due > cap);
    const leased: LeaseRow[] = [];
    for (const [i, m] of merchants.entries()) {
      let share = shares[i]!;
      if (share === 0) continue;
      if (Number.isFinite(cap) && store.dialect === 'postgres') {
        const locked = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${MERCHANT_LEASE_LOCK_CLASS}, hashtext(${m.merchant_id})) as locked`.execute(db);
        if (!locked.rows[0]?.locked) continue;
        // Counted again under the lock: another instance may have leased since the first look.
        share = Math.min(share, cap - (await inFlightOf(db, m.merchant_id, kinds, realNowMs)));
        if (share <= 0) continue;
      }
      leased.push(...(await leaseOfMerchant(store, db, m.merchant_id, kinds, share, token, realNowMs)));
    }
    return leased;
  });
  const jobs = rows.map((r) => ({
    ...r,
    id: Number(r.id),
    run_at: Number(r.run_at),
    lease_token: token,
    clock_offset_seconds: Number(r.clock_offset_seconds ?? 0),
  }));
  return { jobs, capped };
}

/**
 * Shares `slots` out one at a time to each merchant in turn, never more than its room: with more
 * slots than merchants, each gets an equal part (as far as its room goes) before any gets more.
 */
export function roundRobinShares(rooms: readonly number[], slots: number): number[] {
  const shares = rooms.map(() => 0);
  let left = slots;
  let gave = true;
  while (left > 0 && gave) {
    gave = false;
    for (let i = 0; i < rooms.length && left > 0; i++) {
      if (shares[i]! < rooms[i]!) {
        shares[i]!++;
        left--;
        gave = true;
      }
    }
  }
  return shares;
}

type Db = Kysely<Database>;

/** Pending jobs of these kinds whose time has come: the free ones are due, the leased ones in flight. */
function pendingAndCome(db: Db, kinds: readonly JobKind[], realNowMs: number) {
  return db.selectFrom('jobs').where('state', '=', 'pending').where('run_at', '<=', realNowMs).where('kind', 'in', kinds);
}

/**
 * The merchants with due jobs of these kinds, fewest in flight first (the merchant served least
 * gets the first turn; one at its cap comes last), then the one waiting longest; at most `limit`.
 */
async function merchantsWithDueJobs(db: Db, kinds: readonly JobKind[], realNowMs: number, limit: number) {
  const inFlight = sql<number>`sum(case when lease_until >= ${realNowMs} then 1 else 0 end)`;
  const freeDue = sql<number>`sum(case when lease_until is null or lease_until < ${realNowMs} then 1 else 0 end)`;
  const query = pendingAndCome(db, kinds, realNowMs)
    .select(['merchant_id', inFlight.as('in_flight'), freeDue.as('free_due')])
    .groupBy('merchant_id')
    .having(freeDue, '>', 0);
  const rows = await query.orderBy(inFlight).orderBy(sql`min(run_at)`).limit(limit).execute();
  return rows.map((r) => ({ merchant_id: r.merchant_id, in_flight: Number(r.in_flight), free_due: Number(r.free_due) }));
}

async function inFlightOf(db: Db, merchantId: string, kinds: readonly JobKind[], realNowMs: number): Promise<number> {
  const row = await pendingAndCome(db, kinds, realNowMs)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('merchant_id', '=', merchantId)
    .where('lease_until', '>=', realNowMs)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Leases up to `share` of one merchant's due jobs, oldest first, skipping rows another instance holds. */
function leaseOfMerchant(store: Store, db: Db, merchantId: string, kinds: readonly JobKind[], share: number, token: string, realNowMs: number) {
  const due = db
    .selectFrom('jobs as j')
    .select('j.id')
    .where('j.merchant_id', '=', merchantId)
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
    .orderBy('j.run_at')
    .limit(share);
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
}

type LeaseRow = Awaited<ReturnType<typeof leaseOfMerchant>>[number];

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
