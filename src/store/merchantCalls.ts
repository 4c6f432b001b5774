// The calls OpenOM made to merchants' servers, kept for the sandbox (CONTRACT §15): the worker
// writes a job's call with its attempt, the checkout its validation callback on its own.
import type { Kysely, Selectable } from 'kysely';
import type { MerchantCallKind, RecordedCall } from '../domain/merchantCalls.js';
import { inShortWrite, type Store } from './dialect.js';
import type { Database, MerchantCallsTable } from './schema.js';

export type MerchantCallRow = Selectable<MerchantCallsTable>;

export function insertCall(db: Kysely<Database>, merchantId: string, orderId: string | null, call: RecordedCall, at: Date) {
  return db.insertInto('merchant_calls').values({ merchant_id: merchantId, order_id: orderId, ...call, called_at: at.toISOString() });
}

/** Keeps one call made outside any job (the checkout's validation callback). */
export async function recordCall(store: Store, merchantId: string, orderId: string | null, call: RecordedCall, at: Date): Promise<void> {
  await inShortWrite(store, (db) => insertCall(db, merchantId, orderId, call, at).execute());
}

export interface CallFilter {
  orderId?: string;
  kind?: MerchantCallKind;
  /** Calls after this id only (for following as they happen). */
  afterId?: number;
  limit: number;
}

/** The merchant's calls, newest first (or, after an id, oldest first: the order they happened in). */
export async function listCalls(store: Store, merchantId: string, filter: CallFilter): Promise<MerchantCallRow[]> {
  let query = store.reader.selectFrom('merchant_calls').selectAll().where('merchant_id', '=', merchantId);
  if (filter.orderId !== undefined) query = query.where('order_id', '=', filter.orderId);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
  return query
    .orderBy('id', filter.afterId === undefined ? 'desc' : 'asc')
    .limit(filter.limit)
    .execute();
}

/** An order's newest calls, newest first, for its timeline. */
export function orderCalls(db: Kysely<Database>, merchantId: string, orderId: string, limit: number) {
  return db.selectFrom('merchant_calls').selectAll().where('merchant_id', '=', merchantId).where('order_id', '=', orderId).orderBy('id', 'desc').limit(limit).execute();
}

/** The merchant's order events after an id, oldest first: what `openom listen` follows. */
export function eventsAfter(store: Store, merchantId: string, afterId: number, limit: number) {
  return store.reader
    .selectFrom('order_events')
    .select(['id', 'order_id', 'type', 'occurred_at'])
    .where('id', '>', afterId)
    .where('merchant_id', '=', merchantId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The id of the merchant's newest order event (0 without any): where following starts. */
export async function newestEventId(store: Store, merchantId: string): Promise<number> {
  const row = await store.reader
    .selectFrom('order_events')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}
