// `openom ledger check` (and `npm run ledger:check`): verifies every invariant of every order in the
// store DATABASE_URL names, with the server's own rules (src/store/ledger.ts), and prints the report.
// Exit 0 = consistent, 1 = violations (each in the report), 2 = the store cannot be read or the
// configuration is wrong.
import { existsSync } from 'node:fs';
import { ConfigError, parseStoreUrl, redactDatabaseSecrets, storeForDisplay, withFileVariables, type StoreConfig } from '../config.js';
import { openStore } from '../store/dialect.js';
import { checkLedger } from '../store/ledger.js';
import type { Env } from './api.js';
import { CliFailure, EXIT_FAILED, oneLine, printJson, usageError } from './output.js';

export async function checkLedgerCommand(env: Env): Promise<number> {
  let storeConfig: StoreConfig;
  try {
    storeConfig = parseStoreUrl(withFileVariables(env).DATABASE_URL);
  } catch (err) {
    if (err instanceof ConfigError) throw usageError(err.message);
    throw err;
  }
  const where = storeForDisplay(storeConfig);
  // Opening a missing SQLite file would create an empty one: refuse instead.
  if (storeConfig.kind === 'sqlite' && storeConfig.path !== ':memory:' && !existsSync(storeConfig.path)) {
    throw usageError(`SQLite file ${storeConfig.path} does not exist (DATABASE_URL)`);
  }
  const store = openStore(storeConfig, { pgPoolSize: 2 });
  let report;
  try {
    report = await checkLedger(store);
  } catch (err) {
    throw usageError(oneLine(`cannot read the store ${where}: ${redactDatabaseSecrets((err as Error).message, storeConfig)}`));
  } finally {
    await store.close().catch(() => undefined);
  }
  printJson({ store: where, ...report });
  if (report.violations.length > 0) {
    throw new CliFailure(EXIT_FAILED, `ledger check: ${report.violations.length} violation(s) in ${where}, listed on standard output`);
  }
  return 0;
}
