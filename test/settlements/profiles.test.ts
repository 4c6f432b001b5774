// The deprecated installment fields of a settlement transaction (CONTRACT §11): present (null) under
// the klarna profile, in the JSON and as CSV columns; absent under kustom (the other suites' profile).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { call, capture, createMerchant, createOrder, describeOnBothStores, type Json } from '../support/harness.js';

const DEPRECATED = ['initial_number_of_installments', 'initial_payment_method_monthly_downpayments'];

for (const profile of ['klarna', 'kustom'] as const) {
  describeOnBothStores(
    `settlements under the ${profile} profile`,
    (ctx) => {
      it(`${profile === 'klarna' ? 'has' : 'has no'} the deprecated installment fields`, async () => {
        const t = ctx();
        const m = await createMerchant(t);
        const order = await createOrder(t, m);
        assert.equal((await capture(t, m, order.order_id, { captured_amount: 100 })).statusCode, 201);
        const res = await call(t, { method: 'GET', url: `/settlements/v1/transactions?order_id=${order.order_id}`, auth: m });
        const [tx] = (res.json() as { transactions: Json[] }).transactions;
        for (const field of DEPRECATED) assert.equal(field in tx!, profile === 'klarna', field);
        if (profile === 'klarna') for (const field of DEPRECATED) assert.equal(tx![field], null);
      });
    },
    { OPENOM_PROFILE: profile },
  );
}
