// A recurring checkout leaves a customer token (CONTRACT §12), made in the completion's transaction.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { checkoutBody, complete, createCheckout, readCheckoutOrder } from '../support/checkout.js';
import { call, createMerchant, describeOnBothStores } from '../support/harness.js';
import { decidePendingFraud, deliveriesOf, registerWebhook } from '../support/webhooks.js';
import { readToken, recurringPurchase } from './support.js';

describeOnBothStores('recurring checkout', (ctx) => {
  it('a completed recurring checkout carries a recurring_token, and fires openom.customer_token.created naming it', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const hook = await registerWebhook(t, m, 'https://shop.example/hooks', ['openom.customer_token.created']);
    const checkout = await createCheckout(t, m, checkoutBody({ recurring: true, recurring_description: 'Tomato box, monthly' }));
    assert.equal(checkout.recurring, true);
    assert.equal(checkout.recurring_description, 'Tomato box, monthly');
    assert.equal(checkout.recurring_token, undefined, 'no token before the purchase');
    const page = await call(t, { method: 'GET', url: `/sandbox/checkout/${checkout.order_id}`, auth: 'none' });
    assert.match(page.body, /<strong>Subscription:<\/strong> completing this purchase lets the shop charge you again later without asking \(Tomato box, monthly\)/);
    assert.equal((await complete(t, m, checkout.order_id, 'accepted')).statusCode, 200);
    const read = await readCheckoutOrder(t, m, checkout.order_id);
    assert.match(String(read.recurring_token), /^[0-9a-f-]{36}$/);
    const deliveries = await deliveriesOf(t, m, hook);
    assert.deepEqual(deliveries.map((d) => [d.event_type, d.order_id]), [['openom.customer_token.created', checkout.order_id]]);
  });

  it('a checkout without recurring, or a denied purchase, makes no token', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const plain = await createCheckout(t, m);
    assert.doesNotMatch((await call(t, { method: 'GET', url: `/sandbox/checkout/${plain.order_id}`, auth: 'none' })).body, /Subscription/);
    await complete(t, m, plain.order_id, 'accepted');
    assert.equal((await readCheckoutOrder(t, m, plain.order_id)).recurring_token, undefined);
    const denied = await createCheckout(t, m, checkoutBody({ recurring: true }));
    await complete(t, m, denied.order_id, 'denied');
    assert.equal((await readCheckoutOrder(t, m, denied.order_id)).recurring_token, undefined);
    const count = await t.store.db.selectFrom('customer_tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('merchant_id', '=', m.merchant_id).executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 0);
  });

  it('a pending recurring purchase that is then rejected cancels its token with the order; one then accepted keeps it ACTIVE', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const hook = await registerWebhook(t, m, 'https://shop.example/hooks', ['openom.customer_token.cancelled']);
    const tokenOf = async (outcome: 'pending_accepted' | 'pending_rejected', decision: 'ACCEPTED' | 'REJECTED') => {
      const checkout = await createCheckout(t, m, checkoutBody({ recurring: true }));
      assert.equal((await complete(t, m, checkout.order_id, outcome)).statusCode, 200);
      const token = String((await readCheckoutOrder(t, m, checkout.order_id)).recurring_token);
      assert.equal(((await readToken(t, m, token)).json() as { status: string }).status, 'ACTIVE');
      assert.equal((await decidePendingFraud(t, m, checkout.order_id, decision)), 204);
      return { orderId: checkout.order_id, token };
    };
    const rejected = await tokenOf('pending_rejected', 'REJECTED');
    assert.equal(((await readToken(t, m, rejected.token)).json() as { status: string }).status, 'CANCELLED');
    assert.deepEqual((await deliveriesOf(t, m, hook)).map((d) => [d.event_type, d.order_id]), [['openom.customer_token.cancelled', rejected.orderId]]);
    const accepted = await tokenOf('pending_accepted', 'ACCEPTED');
    assert.equal(((await readToken(t, m, accepted.token)).json() as { status: string }).status, 'ACTIVE');
  });

  it('recurring must be a boolean: 400 BAD_VALUE naming the field', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const res = await call(t, { method: 'POST', url: '/checkout/v3/orders', auth: m, body: checkoutBody({ recurring: 'yes' }) });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /recurring/);
  });

  it("the token is the merchant's own: the database refuses a status it does not know", async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const { token } = await recurringPurchase(t, m);
    const row = await t.store.db.selectFrom('customer_tokens').selectAll().where('token_id', '=', token).executeTakeFirstOrThrow();
    assert.equal(row.merchant_id, m.merchant_id);
    assert.equal(row.status, 'ACTIVE');
    await assert.rejects(t.store.db.updateTable('customer_tokens').set({ status: 'EXPIRED' as 'ACTIVE' }).where('token_id', '=', token).execute());
  });
});
