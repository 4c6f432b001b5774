// Merchants, their credentials, and the store-kept settings (the generated admin token).
import { randomInt } from 'node:crypto';
import { randomSecret } from '../secrets.js';
import { inWriteTransaction, type Store } from './dialect.js';

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

export async function findMerchantById(store: Store, merchantId: string): Promise<MerchantRecord | undefined> {
  return store.db.selectFrom('merchants').select(['merchant_id', 'name', 'username', 'password_hash', 'created_at']).where('merchant_id', '=', merchantId).executeTakeFirst();
}

export async function findMerchantByUsername(store: Store, username: string): Promise<MerchantRecord | undefined> {
  return store.db.selectFrom('merchants').selectAll().where('username', '=', username).executeTakeFirst();
}

/**
 * What a cached credential is checked against on every use: a new password means a new hash (a
 * new salt, even for the same password), a new username a new username.
 */
export const credentialStamp = (merchant: Pick<MerchantRecord, 'username' | 'password_hash'>) => `${merchant.username}\u0000${merchant.password_hash}`;

export async function merchantCredentialStamp(store: Store, merchantId: string): Promise<string | undefined> {
  const row = await store.reader.selectFrom('merchants').select(['username', 'password_hash']).where('merchant_id', '=', merchantId).executeTakeFirst();
  return row ? credentialStamp(row) : undefined;
}

/**
 * A merchant's new credentials (CONTRACT §3): its password hash, and username if given, replaced
 * and its portal sessions ended, in one transaction. Its username; undefined when there is no such merchant.
 */
export async function replaceMerchantCredentials(store: Store, merchantId: string, change: { passwordHash: string; username?: string }): Promise<string | undefined> {
  return inWriteTransaction(store, async (trx) => {
    const updated = await trx
      .updateTable('merchants')
      .set({ password_hash: change.passwordHash, ...(change.username !== undefined ? { username: change.username } : {}) })
      .where('merchant_id', '=', merchantId)
      .returning('username')
      .executeTakeFirst();
    if (!updated) return undefined;
    await trx.deleteFrom('portal_sessions').where('merchant_id', '=', merchantId).execute();
    return updated.username;
  });
}

export async function countMerchants(store: Store): Promise<number> {
  const row = await store.db.selectFrom('merchants').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function getSetting(store: Store, key: string): Promise<string | undefined> {
  const row = await store.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function merchantExists(store: Store, merchantId: string): Promise<boolean> {
  const row = await store.db.selectFrom('merchants').select('merchant_id').where('merchant_id', '=', merchantId).executeTakeFirst();
  return row !== undefined;
}
