// Migration 007 on a store with history (CONTRACT §11): its captures and refunds start the
// settlements (a SALE and a RETURN each, on their days), its merchants get default terms and a payout
// job, and the ledger check holds at once; the job then pays out the old days.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/dialect.js';
import { checkLedger } from '../../src/store/ledger.js';
import { migrate } from '../../src/store/migrations.js';
import { formDuePayouts } from '../../src/store/payoutFormation.js';
import { merchantClock } from '../../src/store/clock.js';
import { createTempPostgresDatabase, postgresOrSkip } from '../support/harness.js';
import { insertOrderRow } from '../support/portal.js';

for (const backend of ['sqlite', 'postgres'] as const) {
describe(`migration 007 on a store with history [${backend}]`, async () => {
if (backend === 'postgres' && !(await postgresOrSkip())) return;

it('an older store migrates to settlements that match its ledger, and pays out its old days', async () => {
  const pgDb = backend === 'postgres' ? await createTempPostgresDatabase() : undefined;
  const store = openStore(pgDb ? { kind: 'postgres', url: pgDb.url } : { kind: 'sqlite', path: ':memory:' }, { merchantClocks: true });
  try {
    await migrate(store, { through: '006_state_checks' });
    const merchantId = randomUUID();
    await store.db.insertInto('merchants').values({ merchant_id: merchantId, name: 'Old AB', username: 'old', password_hash: 'x', created_at: '2026-01-01T00:00:00Z', clock_offset_seconds: 0 }).execute();
    const order = await insertOrderRow(store, merchantId, { captured_amount: 7_000, refunded_amount: 1_500, capture_count: 1, refund_count: 1 });
    const captureId = randomUUID();
    await store.db
      .insertInto('captures')
      .values({ capture_id: captureId, order_id: order.order_id, seq: 1, klarna_reference: 'X-1', captured_amount: 7_000, refunded_amount: 1_500, description: null, reference: 'OLD-C', order_lines: null, billing_address: null, shipping_address: null, shipping_delay: null, due_date_extension_days: 0, captured_at: '2026-03-01T10:00:00Z' })
      .execute();
    await store.db
      .insertInto('refunds')
      .values({ refund_id: randomUUID(), order_id: order.order_id, seq: 1, refunded_amount: 1_500, description: null, reference: null, order_lines: null, allocations: JSON.stringify([{ capture_id: captureId, amount: 1_500 }]), refunded_at: '2026-03-02T10:00:00Z' })
      .execute();

    assert.ok((await migrate(store)).includes('007_settlements'));
    const rows = await store.db.selectFrom('settlement_transactions').select(['type', 'amount', 'day', 'merchant_capture_reference']).orderBy('transaction_id').execute();
    assert.deepEqual(rows.map((r) => [r.type, Number(r.amount), r.day, r.merchant_capture_reference]), [
      ['SALE', 7_000, '2026-03-01', 'OLD-C'],
      ['RETURN', -1_500, '2026-03-02', null],
    ]);
    const jobs = await store.db.selectFrom('jobs').select(['kind', 'state']).where('merchant_id', '=', merchantId).execute();
    assert.deepEqual(jobs, [{ kind: 'payout', state: 'pending' }]);
    // The order row as insertOrderRow writes it has no events, so only the settlement rules are asked here.
    const settlementRules = (await checkLedger(store)).violations.filter((v) => /settlement|payout|transaction/.test(v.rule));
    assert.deepEqual(settlementRules, []);
    const formed = await formDuePayouts(store, merchantId, merchantClock(store, 0));
    assert.deepEqual(formed.map((p) => p.settlement_amount).sort(), [-1_500, 7_000]);
  } finally {
    await store.close();
    await pgDb?.drop();
  }
});
});
}
