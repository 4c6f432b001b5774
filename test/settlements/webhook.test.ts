// openom.payout.created (CONTRACT §11): a payout queues one delivery per endpoint subscribed to it,
// in the payout's transaction, with the payout's reference, currency, date and amount; endpoints
// not subscribed get none.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { merchantClock, readClock } from '../../src/store/clock.js';
import { formDuePayouts } from '../../src/store/payoutFormation.js';
import { call, capture, createMerchant, createOrder, describeOnBothStores, type Json } from '../support/harness.js';

describeOnBothStores('settlements: openom.payout.created', (ctx) => {
  it('a formed payout queues its webhook for the endpoints subscribed to it', async () => {
    const t = ctx();
    const m = await createMerchant(t, 'Hooked AB');
    const subscribe = (events: string[]) => call(t, { method: 'POST', url: '/sandbox/v1/webhooks', auth: m, body: { url: 'http://127.0.0.1:9/hook', events } });
    const subscribed = (await subscribe(['openom.payout.created'])).json() as Json;
    assert.ok(subscribed.webhook_id, JSON.stringify(subscribed));
    await subscribe(['capture.created']);
    const order = await createOrder(t, m);
    assert.equal((await capture(t, m, order.order_id, { captured_amount: 4_200 })).statusCode, 201);
    await call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: m, body: { seconds: 8 * 86_400 } });
    const { offset_seconds } = await readClock(t.store, m.merchant_id);
    const [payout] = await formDuePayouts(t.store, m.merchant_id, merchantClock(t.store, offset_seconds));

    const jobs = await t.store.db.selectFrom('jobs').select(['webhook_id', 'payload', 'order_id']).where('merchant_id', '=', m.merchant_id).where('kind', '=', 'webhook').execute();
    const payoutJobs = jobs.filter((j) => (JSON.parse(j.payload) as Json).type === 'openom.payout.created');
    assert.equal(payoutJobs.length, 1);
    assert.equal(payoutJobs[0]!.webhook_id, subscribed.webhook_id);
    assert.equal(payoutJobs[0]!.order_id, null);
    const body = JSON.parse(payoutJobs[0]!.payload) as Json;
    assert.deepEqual(body.data, { payment_reference: payout!.payment_reference, currency_code: 'SEK', payout_date: payout!.payout_date, settlement_amount: 4_200 });
    assert.match(String(body.id), /^kevt_[0-9a-f]{24}$/);
  });
});
