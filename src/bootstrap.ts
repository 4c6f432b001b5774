// First-start duties against the store: the admin token and the sandbox merchant (CONTRACT §1).
// Both are claimed through the settings table so that instances starting together do it once.
import { randomUUID } from 'node:crypto';
import type { Config } from './config.js';
import { toKlarnaTimestamp } from './domain/time.js';
import { hashPassword, randomSecret, sha256 } from './secrets.js';
import { inWriteTransaction, type Store } from './store/dialect.js';
import { getSetting, newMerchantUsername } from './store/merchants.js';

export interface BootstrapResult {
  adminTokenDigest: Buffer;
  /** The merchant made on the first start against an empty store, if this store had one. */
  sandboxMerchantId: string | undefined;
  /** Secrets generated on this start, to print once. */
  generated: { adminToken?: string; sandboxUsername?: string; sandboxPassword?: string };
}

const ADMIN_TOKEN_KEY = 'admin_token_sha256';
const SANDBOX_KEY = 'sandbox_merchant_id';

async function claimSetting(store: Store, key: string, value: string, then?: (trx: Parameters<Parameters<typeof inWriteTransaction>[1]>[0]) => Promise<void>): Promise<boolean> {
  return inWriteTransaction(store, async (trx) => {
    const res = await trx
      .insertInto('settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    const claimed = Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
    if (claimed && then) await then(trx);
    return claimed;
  });
}

export async function bootstrap(store: Store, config: Config): Promise<BootstrapResult> {
  const generated: BootstrapResult['generated'] = {};
  let adminTokenDigest: Buffer;
  if (config.adminToken) {
    adminTokenDigest = sha256(config.adminToken);
  } else {
    const token = `openom_admin_${randomSecret(24)}`;
    if (await claimSetting(store, ADMIN_TOKEN_KEY, sha256(token).toString('hex'))) generated.adminToken = token;
    adminTokenDigest = Buffer.from((await getSetting(store, ADMIN_TOKEN_KEY))!, 'hex');
  }

  const merchantCount = await store.db.selectFrom('merchants').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (Number(merchantCount.n) === 0) {
    const merchantId = randomUUID();
    const username = config.sandboxUsername ?? newMerchantUsername();
    const password = config.sandboxPassword ?? randomSecret(24);
    const passwordHash = await hashPassword(password);
    const created = await claimSetting(store, SANDBOX_KEY, merchantId, async (trx) => {
      await trx
        .insertInto('merchants')
        .values({ merchant_id: merchantId, name: 'Sandbox merchant', username, password_hash: passwordHash, created_at: toKlarnaTimestamp(new Date()), clock_offset_seconds: 0 })
        .execute();
    });
    if (created) {
      generated.sandboxUsername = username;
      if (!config.sandboxPassword) generated.sandboxPassword = password;
    }
  }
  return { adminTokenDigest, sandboxMerchantId: await getSetting(store, SANDBOX_KEY), generated };
}
