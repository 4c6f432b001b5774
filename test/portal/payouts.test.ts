// The portal's Payouts page (CONTRACT §11): the list, one payout with its transactions, and its CSV,
// which is the Settlements API's report to the byte; another merchant's payout is not found.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { merchantClock, readClock } from '../../src/store/clock.js';
import { formDuePayouts } from '../../src/store/payoutFormation.js';
import { call, capture, createMerchant, describeOnBothStores, refund } from '../support/harness.js';
import { merchantWithOrder, portalLogin } from '../support/portal.js';

describeOnBothStores('portal: payouts', (ctx) => {
  it('lists payouts, opens one with its transactions, downloads the same CSV as the API', async () => {
    const t = ctx();
    const { merchant, order, client } = await merchantWithOrder(t);
    assert.match((await client.get('/portal/payouts')).body, /No payouts yet/);
    assert.equal((await capture(t, merchant, order.order_id, { captured_amount: 10_000 })).statusCode, 201);
    assert.equal((await refund(t, merchant, order.order_id, { refunded_amount: 1_234 })).statusCode, 201);
    await call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: merchant, body: { seconds: 8 * 86_400 } });
    const { offset_seconds } = await readClock(t.store, merchant.merchant_id);
    const [formed] = await formDuePayouts(t.store, merchant.merchant_id, merchantClock(t.store, offset_seconds));
    const reference = formed!.payment_reference;

    const list = await client.get('/portal/payouts');
    assert.equal(list.statusCode, 200);
    assert.ok(list.body.includes(`/portal/payouts/${reference}`));
    assert.match(list.body, /aria-current="page">Payouts/);
    const one = await client.get(`/portal/payouts/${reference}`);
    assert.equal(one.statusCode, 200);
    assert.match(one.body, /PURCHASE_RETURN/);
    assert.match(one.body, /87\.66/); // 100.00 − 12.34 paid out

    const csv = await client.get(`/portal/payouts/${reference}/csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const api = await call(t, { method: 'GET', url: `/settlements/v1/reports/payout-with-transactions?payment_reference=${reference}`, auth: merchant });
    assert.equal(csv.body, api.body);

    const stranger = await portalLogin(t, await createMerchant(t, 'Stranger AB'));
    assert.equal((await stranger.get(`/portal/payouts/${reference}`)).statusCode, 404);
    assert.equal((await stranger.get(`/portal/payouts/${reference}/csv`)).statusCode, 404);
  });
});
