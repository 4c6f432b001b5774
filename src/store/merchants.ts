// Merchants, their credentials, and the store-kept settings (the generated admin token).
import { randomInt } from 'node:crypto';
import { randomSecret } from '../secrets.js';
import type { Store } from './dialect.js';

export interface MerchantRecord {
  merchant_id: string;
  name: string;
  username: string;
  password_hash: string;
  created_at: string;
}

/** Klarna-style API username: PK + digits + _ + hex, e.g. PK04211_3f9a1c2b7d6e. */
export function newMerchantUsername(): string {
  return `PK${String(randomInt(100_000)).padStart(5, '0')}_${randomSecret(9).replace(/[^A-Za-z0-9]/g, '').slice(0, 10).toLowerCase()}`;
}

export async function insertMerchant(store: Store, merchant: MerchantRecord): Promise<void> {
  await store.db.insertInto('merchants').values({ ...merchant, clock_offset_seconds: 0 }).execute();
}

export async function listMerchants(store: Store): Promise<Omit<MerchantRecord, 'password_hash'>[]> {
  return store.db
    .selectFrom('merchants')
    .select(['merchant_id', 'name', 'username', 'created_at'])
    .orderBy('created_at')
    .orderBy('merchant_id')
    .execute();
}

export async function findMerchantByUsername(store: Store, username: string): Promise<MerchantRecord | undefined> {
  return store.db.selectFrom('merchants').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function getSetting(store: Store, key: string): Promise<string | undefined> {
  const row = await store.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function merchantExists(store: Store, merchantId: string): Promise<boolean> {
  const row = await store.db.selectFrom('merchants').select('merchant_id').where('merchant_id', '=', merchantId).executeTakeFirst();
  return row !== undefined;
}
