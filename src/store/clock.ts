// "Now" for a merchant (CONTRACT §5). In sandbox mode every merchant has a clock: the real time
// plus the merchant's stored offset, which only moves forward. In production mode it is the real
// time. The offset lives in the store, so every instance sees the same time; commands read it with
// the order they lock, in the same statement, so the clock costs no extra round trip.
import { sql } from 'kysely';
import type { Store } from './dialect.js';
import { inJobsTransaction } from './jobs.js';

/**
 * A merchant's clock as read with a row: its now, and the conversions between its time and real
 * time, in which jobs fall due (run_at). In production mode it is the real clock.
 */
export interface MerchantClock {
  /** Now on the merchant's clock, as of the reading. */
  readonly now: Date;
  /** How far the merchant's clock runs ahead of real time. */
  readonly offsetMs: number;
  /** The real epoch ms of a time on the merchant's clock. */
  toRealMs(at: Date): number;
  /** The time on the merchant's clock of a real epoch ms. */
  fromRealMs(realMs: number): Date;
}

/** The clock of a merchant whose stored offset (clock_offset_seconds, as read) is offsetSeconds, read at realNowMs. */
export function merchantClock(store: Store, offsetSeconds: number, realNowMs = Date.now()): MerchantClock {
  const offsetMs = store.merchantClocks ? Number(offsetSeconds) * 1000 : 0;
  return {
    now: new Date(realNowMs + offsetMs),
    offsetMs,
    toRealMs: (at) => at.getTime() - offsetMs,
    fromRealMs: (realMs) => new Date(realMs + offsetMs),
  };
}

async function offsetOf(store: Store, merchantId: string): Promise<number | undefined> {
  const row = await store.db.selectFrom('merchants').select('clock_offset_seconds').where('merchant_id', '=', merchantId).executeTakeFirst();
  return row ? Number(row.clock_offset_seconds) : undefined;
}

/** Now for this merchant; the real time for an unknown merchant. */
export async function merchantNow(store: Store, merchantId: string): Promise<Date> {
  return merchantClock(store, (await offsetOf(store, merchantId)) ?? 0).now;
}

export interface ClockReading {
  now: Date;
  offset_seconds: number;
}

export async function readClock(store: Store, merchantId: string): Promise<ClockReading> {
  const offset = (await offsetOf(store, merchantId)) ?? 0;
  return { now: merchantClock(store, offset).now, offset_seconds: offset };
}

/** The most one advance may move a clock: a year (CONTRACT §5). */
export const MAX_ADVANCE_SECONDS = 31_536_000;

/**
 * Moves the merchant's clock forward. Work already scheduled on that clock falls due earlier in
 * real time by the same amount, in the same transaction, so nothing is skipped or run twice.
 */
export async function advanceClock(store: Store, merchantId: string, seconds: number): Promise<ClockReading> {
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_ADVANCE_SECONDS) {
    throw new RangeError(`clock advance must be a whole number of seconds from 1 to ${MAX_ADVANCE_SECONDS}`);
  }
  const offset = await inJobsTransaction(store, async (trx) => {
    await trx
      .updateTable('merchants')
      .set({ clock_offset_seconds: sql`clock_offset_seconds + ${seconds}` })
      .where('merchant_id', '=', merchantId)
      .execute();
    await trx
      .updateTable('jobs')
      .set({ run_at: sql`run_at - ${seconds * 1000}` })
      .where('merchant_id', '=', merchantId)
      .where('state', '=', 'pending')
      .execute();
    const row = await trx.selectFrom('merchants').select('clock_offset_seconds').where('merchant_id', '=', merchantId).executeTakeFirstOrThrow();
    return Number(row.clock_offset_seconds);
  });
  return { now: merchantClock(store, offset).now, offset_seconds: offset };
}
