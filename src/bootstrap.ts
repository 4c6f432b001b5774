// Start-up duties against the store: the admin token and, in sandbox mode, the sandbox merchant
// (CONTRACT §1, §5). Both are claimed through the settings table so that instances starting
// together make them once.
import { randomUUID } from 'node:crypto';
import { ConfigError, type Config } from './config.js';
import { toKlarnaTimestamp } from './domain/time.js';
import { hashPassword, randomSecret, sha256, verifyPassword } from './secrets.js';
import { inWriteTransaction, type Store } from './store/dialect.js';
import { countMerchants, findMerchantById, findMerchantByUsername, getSetting, newMerchantUsername, replaceMerchantCredentials } from './store/merchants.js';

export interface BootstrapResult {
  adminTokenDigest: Buffer;
  /** The sandbox merchant (sandbox mode): made on the first start against an empty store. */
  sandboxMerchantId: string | undefined;
  /** Secrets generated on this start, to print once. */
  generated: { adminToken?: string; sandboxUsername?: string; sandboxPassword?: string };
  /**
   * The OPENOM_SANDBOX_* variables that changed the existing sandbox merchant's credentials on this
   * start (main.ts logs their names, never their values).
   */
  sandboxCredentialsApplied: ('OPENOM_SANDBOX_USERNAME' | 'OPENOM_SANDBOX_PASSWORD')[];
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
  // Production mode is a ledger: its merchants come from the admin API or the CLI (CONTRACT §5).
  if (config.mode === 'production') return { adminTokenDigest, sandboxMerchantId: undefined, generated, sandboxCredentialsApplied: [] };

  let sandboxCredentialsApplied: BootstrapResult['sandboxCredentialsApplied'] = [];
  if ((await countMerchants(store)) === 0) {
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
  } else {
    sandboxCredentialsApplied = await applySandboxCredentials(store, config);
  }
  return { adminTokenDigest, sandboxMerchantId: await getSetting(store, SANDBOX_KEY), generated, sandboxCredentialsApplied };
}

/**
 * OPENOM_SANDBOX_USERNAME / _PASSWORD set on a store whose sandbox merchant exists already are
 * applied to it (CONTRACT §5), not ignored: whoever sets them expects them to work.
 */
async function applySandboxCredentials(store: Store, config: Config): Promise<BootstrapResult['sandboxCredentialsApplied']> {
  const merchantId = await getSetting(store, SANDBOX_KEY);
  if (!merchantId || (config.sandboxUsername === undefined && config.sandboxPassword === undefined)) return [];
  const merchant = await findMerchantById(store, merchantId);
  if (!merchant) return [];
  const applied: BootstrapResult['sandboxCredentialsApplied'] = [];
  if (config.sandboxUsername !== undefined && config.sandboxUsername !== merchant.username) {
    const holder = await findMerchantByUsername(store, config.sandboxUsername);
    if (holder) throw new ConfigError(`OPENOM_SANDBOX_USERNAME "${config.sandboxUsername}" is the username of another merchant (${holder.merchant_id})`);
    applied.push('OPENOM_SANDBOX_USERNAME');
  }
  if (config.sandboxPassword !== undefined && !(await verifyPassword(config.sandboxPassword, merchant.password_hash))) applied.push('OPENOM_SANDBOX_PASSWORD');
  if (applied.length === 0) return [];
  // The password hash is replaced either way: a changed username also ends the merchant's sessions.
  const passwordHash = config.sandboxPassword !== undefined ? await hashPassword(config.sandboxPassword) : merchant.password_hash;
  await replaceMerchantCredentials(store, merchantId, { passwordHash, ...(config.sandboxUsername !== undefined ? { username: config.sandboxUsername } : {}) });
  return applied;
}
