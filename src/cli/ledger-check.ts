// `npm run ledger:check`: verifies every invariant of every order in the store named by
// DATABASE_URL (same rules as the server). Exit 0 = ledger consistent, 1 = violations found
// (each printed on one line), 2 = the store cannot be read or the configuration is bad.
import { existsSync } from 'node:fs';
import { ConfigError, parseStoreUrl, type StoreConfig } from '../config.js';
import { openStore } from '../store/dialect.js';
import { checkLedger } from '../store/ledger.js';

async function main(): Promise<number> {
  let storeConfig: StoreConfig;
  try {
    storeConfig = parseStoreUrl(process.env.DATABASE_URL);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ledger check: configuration error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  // Opening a missing SQLite file would create an empty one: refuse instead.
  if (storeConfig.kind === 'sqlite' && storeConfig.path !== ':memory:' && !existsSync(storeConfig.path)) {
    process.stderr.write(`ledger check: SQLite file ${storeConfig.path} does not exist\n`);
    return 2;
  }
  const store = openStore(storeConfig, { pgPoolSize: 2 });
  try {
    const report = await checkLedger(store);
    const where = storeConfig.kind === 'sqlite' ? `sqlite:${storeConfig.path}` : 'postgres';
    for (const v of report.violations) {
      process.stdout.write(`VIOLATION ${v.rule}${v.order_id ? ` order ${v.order_id}` : ''}: ${v.detail}\n`);
    }
    process.stdout.write(
      `ledger check (${where}): ${report.orders} orders, ${report.captures} captures, ${report.refunds} refunds, ` +
        `${report.events} events, ${report.idempotency_keys} idempotency keys: ` +
        (report.violations.length === 0 ? 'OK\n' : `${report.violations.length} violation(s)\n`),
    );
    return report.violations.length === 0 ? 0 : 1;
  } catch (err) {
    process.stderr.write(`ledger check: cannot read the store: ${(err as Error).message}\n`);
    return 2;
  } finally {
    await store.close().catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`ledger check: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  },
);
