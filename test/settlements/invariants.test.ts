// Settlement invariants under random work (CONTRACT §11): random captures, refunds and clock
// advances on several orders and currencies, payouts formed after each advance; then the ledger
// check (Σ SALE = captured, −Σ RETURN = refunded, payouts = their transactions, one payout each)
// holds, every transaction is paid out once the delay has passed, and payouts add up to the money.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { readClock, merchantClock } from '../../src/store/clock.js';
import { checkLedger } from '../../src/store/ledger.js';
import { formDuePayouts } from '../../src/store/payoutFormation.js';
import { call, capture, createMerchant, createOrder, describeOnBothStores, refund, type TestApp } from '../support/harness.js';

const HOUR = 3_600;

type Step = { kind: 'capture'; order: number; amount: number } | { kind: 'refund'; order: number; amount: number } | { kind: 'advance'; seconds: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('capture' as const), order: fc.nat(3), amount: fc.integer({ min: 1, max: 4_000 }) }),
  fc.record({ kind: fc.constant('refund' as const), order: fc.nat(3), amount: fc.integer({ min: 1, max: 4_000 }) }),
  fc.record({ kind: fc.constant('advance' as const), seconds: fc.integer({ min: 1, max: 60 * HOUR }) }),
);

async function formNow(t: TestApp, merchantId: string): Promise<void> {
  const { offset_seconds } = await readClock(t.store, merchantId);
  await formDuePayouts(t.store, merchantId, merchantClock(t.store, offset_seconds));
}

describeOnBothStores('settlement invariants under random captures, refunds and clock advances', (ctx) => {
  it('hold after every sequence', async () => {
    const t = ctx();
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 25 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 500 }), async (steps, delay, bp) => {
        const m = await createMerchant(t, 'Random AB');
        await call(t, { method: 'PATCH', url: `/admin/v1/merchants/${m.merchant_id}`, auth: 'admin', body: { settlement: { fee_rate_bp: bp, fee_fixed: 7, payout_delay_days: delay } } });
        const orders = await Promise.all([0, 1, 2, 3].map((i) => createOrder(t, m, i % 2 === 0 ? {} : { purchase_currency: 'EUR', purchase_country: 'DE', locale: 'de-DE' })));
        let fees = 0;
        for (const s of steps) {
          if (s.kind === 'advance') {
            await call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: m, body: { seconds: s.seconds } });
            await formNow(t, m.merchant_id);
          } else if (s.kind === 'capture') {
            const res = await capture(t, m, orders[s.order]!.order_id, { captured_amount: s.amount });
            if (res.statusCode === 201) fees += Math.floor((s.amount * bp + 5_000) / 10_000) + 7;
          } else {
            await refund(t, m, orders[s.order]!.order_id, { refunded_amount: s.amount });
          }
        }
        // Long after the last transaction, everything is paid out.
        await call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: m, body: { seconds: (delay + 2) * 24 * HOUR } });
        await formNow(t, m.merchant_id);

        assert.deepEqual((await checkLedger(t.store)).violations, []);
        const unpaid = await t.store.db.selectFrom('settlement_transactions').select('transaction_id').where('merchant_id', '=', m.merchant_id).where('payment_reference', 'is', null).execute();
        assert.equal(unpaid.length, 0, 'every transaction is paid out');
        const orderRows = await t.store.db.selectFrom('orders').select(['captured_amount', 'refunded_amount']).where('merchant_id', '=', m.merchant_id).execute();
        const net = orderRows.reduce((s, o) => s + Number(o.captured_amount) - Number(o.refunded_amount), 0) - fees;
        const payouts = await t.store.db.selectFrom('payouts').select(['settlement_amount', 'currency_code', 'day']).where('merchant_id', '=', m.merchant_id).execute();
        assert.equal(payouts.reduce((s, p) => s + Number(p.settlement_amount), 0), net, 'payouts add up to captures − refunds − fees');
        assert.equal(new Set(payouts.map((p) => `${p.currency_code}/${p.day}`)).size, payouts.length, 'one payout per currency and day');
      }),
      { numRuns: 6 },
    );
  });
});
