// Races across processes on PostgreSQL (issue 5, items 1 and 2): four OpenOM processes on one
// database, 1,000 concurrent requests at one order, spread over all four. No amount moves wrongly,
// every refusal is the right 403, and an idempotency key performs its operation exactly once.
import { after, before, describe, it } from 'node:test';
import { createTempPostgresDatabase, postgresOrSkip } from '../support/harness.js';
import {
  assertLedgerClean,
  captureRace,
  createMerchant,
  idempotentRace,
  instanceEnv,
  mixedRace,
  refundRace,
  startCluster,
  stopAll,
  storeConfigOf,
  type Instance,
  type Merchant,
} from './cluster.js';

describe('races: 4 OpenOM processes on one PostgreSQL database', { concurrency: false }, async () => {
  if (!(await postgresOrSkip())) return;
  let db: { url: string; drop: () => Promise<void> };
  let instances: Instance[] = [];
  let merchant: Merchant;
  before(async () => {
    db = await createTempPostgresDatabase();
    instances = await startCluster(4, instanceEnv(db.url));
    merchant = await createMerchant(instances[0]!.base);
  });
  after(async () => {
    await stopAll(instances);
    await db?.drop();
  });

  it('1,000 concurrent captures of random amounts: acknowledged amounts add up to captured_amount ≤ order_amount, the rest are 403 CAPTURE_NOT_ALLOWED', async () => {
    await captureRace(instances, merchant, 1_000, 'postgres ×4');
  });

  it('1,000 concurrent refunds on a captured order: acknowledged amounts add up to refunded_amount ≤ captured_amount, the rest are 403 REFUND_NOT_ALLOWED', async () => {
    await refundRace(instances, merchant, 1_000, 'postgres ×4');
  });

  it('1,000 concurrent captures, refunds, cancels and releases on one order: every amount matches what was acknowledged', async () => {
    await mixedRace(instances, merchant, 1_000, 'postgres ×4');
  });

  it('100 concurrent requests with one Klarna-Idempotency-Key over 4 processes: one capture, 100 identical responses', async () => {
    await idempotentRace(instances, merchant, 100, 'postgres ×4');
  });

  it('the ledger check passes over the whole database afterwards', async () => {
    await assertLedgerClean(storeConfigOf(db.url), 'postgres ×4');
  });
});
