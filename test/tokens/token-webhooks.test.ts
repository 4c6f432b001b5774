// Token events reach the merchant's endpoint (CONTRACT §12 with §7): the worker delivers
// openom.customer_token.created and .cancelled, signed, naming the token and its checkout order.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createMerchant, describeOnBothStores, WITH_WORKER } from '../support/harness.js';
import { eventsOf, signatureIsValid, startReceiver, type Receiver } from '../support/receiver.js';
import { registerWebhook } from '../support/webhooks.js';
import { cancelToken, recurringPurchase } from './support.js';

describeOnBothStores(
  'customer token webhooks',
  (ctx) => {
    let rx: Receiver;
    before(async () => {
      rx = await startReceiver();
    });
    after(async () => {
      await rx?.close();
    });

    it('created and cancelled are delivered, signed, with the token and the checkout order that made it', async () => {
      const t = ctx();
      const m = await createMerchant(t);
      const hook = await registerWebhook(t, m, `${rx.origin}/tokens-${t.backend}`, ['openom.customer_token.created', 'openom.customer_token.cancelled']);
      const { orderId, token } = await recurringPurchase(t, m);
      assert.equal((await cancelToken(t, m, token)).statusCode, 202);
      const received = await rx.waitFor((all) => all.filter((r) => r.path === `/tokens-${t.backend}`).length >= 2);
      const mine = received.filter((r) => r.path === `/tokens-${t.backend}`);
      for (const r of mine) assert.ok(signatureIsValid(hook.signing_secret, r.headers['openom-signature'], r.body));
      assert.deepEqual(
        eventsOf(mine).map((e) => [e.type, e.data]),
        [
          ['openom.customer_token.created', { order_id: orderId, customer_token: token }],
          ['openom.customer_token.cancelled', { order_id: orderId, customer_token: token }],
        ],
      );
    });
  },
  WITH_WORKER,
);
