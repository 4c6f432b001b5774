// Sandbox faults (CONTRACT §5), kept per merchant in the store so that every instance applies them
// and `times` counts requests across all instances: each use is one conditional decrement.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { accept, refuse, type Decision } from '../domain/decision.js';
import { FAULT_LIMITS, faultPathMatches, type FaultSpec } from '../domain/faults.js';
import { merchantClock } from './clock.js';
import { compiledOnce } from './compiledOnce.js';
import { inWriteTransaction, type Store } from './dialect.js';
import type { FaultsTable } from './schema.js';

export type Fault = Omit<FaultsTable, 'merchant_id'>;

const FAULT_COLUMNS = ['fault_id', 'method', 'path', 'status', 'error_code', 'delay_ms', 'times_left', 'created_at'] as const;

export async function createFault(store: Store, merchantId: string, spec: FaultSpec): Promise<Decision<Fault>> {
  return inWriteTransaction(store, async (trx) => {
    // Used-up faults stay until the merchant's next one is created: the read every request makes
    // then never covers more than the active limit plus what was used since.
    await trx.deleteFrom('faults').where('merchant_id', '=', merchantId).where('times_left', '=', 0).execute();
    const active = await trx.selectFrom('faults').select((eb) => eb.fn.countAll<number>().as('n')).where('merchant_id', '=', merchantId).executeTakeFirstOrThrow();
    if (Number(active.n) >= FAULT_LIMITS.maxActive) {
      return refuse('NOT_ALLOWED', `A merchant may have at most ${FAULT_LIMITS.maxActive} active faults. Delete one first.`);
    }
    const merchant = await trx.selectFrom('merchants').select('clock_offset_seconds').where('merchant_id', '=', merchantId).executeTakeFirstOrThrow();
    const fault: Fault = {
      fault_id: randomUUID(),
      method: spec.method,
      path: spec.path,
      status: spec.status,
      error_code: spec.error_code,
      delay_ms: spec.delay_ms,
      times_left: spec.times,
      // Millisecond precision: when several faults match a request, the oldest applies.
      created_at: merchantClock(store, merchant.clock_offset_seconds).now.toISOString(),
    };
    await trx.insertInto('faults').values({ ...fault, merchant_id: merchantId }).execute();
    return accept(fault);
  });
}

/** The merchant's active faults, oldest first (the order in which they apply). */
export async function listFaults(store: Store, merchantId: string): Promise<Fault[]> {
  return store.db
    .selectFrom('faults')
    .select(FAULT_COLUMNS)
    .where('merchant_id', '=', merchantId)
    .where('times_left', '>', 0)
    .orderBy('created_at')
    .orderBy('fault_id')
    .execute();
}

/** Deletes one of the merchant's active faults; false when it has none with this id. */
export async function deleteFault(store: Store, merchantId: string, faultId: string): Promise<boolean> {
  const result = await store.db
    .deleteFrom('faults')
    .where('fault_id', '=', faultId)
    .where('merchant_id', '=', merchantId)
    .where('times_left', '>', 0)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Runs on every merchant request in sandbox mode: compiled once, served by the faults_merchant index. */
const activeFaultsQuery = compiledOnce(['merchant_id', 'method'], (db, p) =>
  db
    .selectFrom('faults')
    .select(['fault_id', 'path'])
    .where('merchant_id', '=', p.merchant_id)
    .where('method', '=', p.method)
    .where('times_left', '>', 0)
    .orderBy('created_at')
    .orderBy('fault_id'),
);

export type AppliedFault = Pick<FaultsTable, 'fault_id' | 'status' | 'error_code' | 'delay_ms'>;

/**
 * Uses up one application of the oldest active fault matching this request, if any. The common
 * case, a merchant without faults for this method, is one indexed read. A fault another request
 * (on any instance) used up in the meantime is skipped, so exactly `times` requests are faulted.
 */
export async function takeFault(store: Store, merchantId: string, method: string, path: string): Promise<AppliedFault | undefined> {
  const { rows: candidates } = await store.reader.executeQuery(activeFaultsQuery(store, { merchant_id: merchantId, method }));
  for (const candidate of candidates) {
    if (!faultPathMatches(candidate.path, path)) continue;
    const taken = await store.db
      .updateTable('faults')
      .set({ times_left: sql`times_left - 1` })
      .where('fault_id', '=', candidate.fault_id)
      .where('times_left', '>', 0)
      .returning(['fault_id', 'status', 'error_code', 'delay_ms'])
      .executeTakeFirst();
    if (taken) return taken;
  }
  return undefined;
}
