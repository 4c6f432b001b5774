// Several OpenOM instances on one PostgreSQL form each payout once (CONTRACT §11): the payout job's
// lease makes one instance run a merchant's formation at a time, and the unique (merchant,
// currency, day) payout and the claim of unpaid rows make even formations run side by side (as a
// lease that ran out would allow) form it once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { openStore, type Store } from '../../src/store/dialect.js';
import { merchantClock, readClock } from '../../src/store/clock.js';
import { checkLedger } from '../../src/store/ledger.js';
import { formDuePayouts } from '../../src/store/payoutFormation.js';
import { startWorker, type Worker } from '../../src/worker/worker.js';
import { call, capture, createMerchant, createOrder, postgresOrSkip, startTestApp, type MerchantCredentials, type TestApp } from '../support/harness.js';

const DAY = 86_400;

async function merchantsWithSales(t: TestApp, n: number): Promise<MerchantCredentials[]> {
  const merchants: MerchantCredentials[] = [];
  for (let i = 0; i < n; i++) {
    const m = await createMerchant(t, `Shop ${i}`);
    for (const currency of ['SEK', 'EUR']) {
      const order = await createOrder(t, m, currency === 'EUR' ? { purchase_currency: 'EUR', purchase_country: 'DE', locale: 'de-DE' } : {});
      assert.equal((await capture(t, m, order.order_id, { captured_amount: 1_000 + i })).statusCode, 201);
    }
    merchants.push(m);
  }
  return merchants;
}

describe('payouts formed by three instances on one PostgreSQL', { concurrency: false }, async () => {
  if (!(await postgresOrSkip())) return;
  let t: TestApp;
  const stores: Store[] = [];
  const workers: Worker[] = [];
  before(async () => {
    t = await startTestApp('postgres', { OPENOM_WORKER_CONCURRENCY: '4' });
    if (t.storeConfig.kind !== 'postgres') throw new Error('postgres expected');
    for (let i = 0; i < 2; i++) stores.push(openStore(t.storeConfig, { merchantClocks: true }));
  });
  after(async () => {
    for (const w of workers) await w.stop(5_000);
    for (const s of stores) await s.close();
    await t.close();
  });

  it('three workers: every merchant, currency and day paid out once, every transaction in one payout', async () => {
    const merchants = await merchantsWithSales(t, 8);
    for (const s of stores) workers.push(startWorker(s, { concurrency: 4, log: pino({ level: 'silent' }) }));
    for (const m of merchants) await call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: m, body: { seconds: 8 * DAY } });
    const expected = merchants.length * 2;
    let count = 0;
    for (let i = 0; i < 300 && count < expected; i++) {
      await sleep(100);
      count = Number((await t.store.db.selectFrom('payouts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    }
    assert.equal(count, expected);
    const unpaid = await t.store.db.selectFrom('settlement_transactions').select('transaction_id').where('payment_reference', 'is', null).execute();
    assert.equal(unpaid.length, 0);
    assert.deepEqual((await checkLedger(t.store)).violations, []);
    const attempts = await t.store.db.selectFrom('job_attempts').select('merchant_id').where('kind', '=', 'payout').execute();
    assert.ok(attempts.length >= merchants.length, 'each merchant’s job ran');
  });

  it('formations racing on one merchant from three stores form each payout once', async () => {
    const [m] = await merchantsWithSales(t, 1);
    await call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: m!, body: { seconds: 8 * DAY } });
    const { offset_seconds } = await readClock(t.store, m!.merchant_id);
    const clock = merchantClock(t.store, offset_seconds);
    const results = await Promise.allSettled([t.store, ...stores].map((s) => formDuePayouts(s, m!.merchant_id, clock)));
    const payouts = await t.store.db.selectFrom('payouts').selectAll().where('merchant_id', '=', m!.merchant_id).execute();
    assert.equal(payouts.length, 2, JSON.stringify(results.map((r) => r.status)));
    const formed = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    assert.ok(formed.length <= 2, 'no payout reported twice');
    assert.deepEqual((await checkLedger(t.store)).violations, []);
  });
});
