// The typed client's verifyWebhook (clients/typescript/webhooks.ts, issue 24 §8) against a real
// delivery: a webhook OpenOM sent verifies and yields its event; the same delivery replayed after
// the tolerance window, a changed body, another secret or a missing header is refused.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { verifyWebhook, WebhookSignatureError } from '../../clients/typescript/webhooks.js';
import { createMerchant, createOrder, describeOnBothStores, WITH_WORKER } from '../support/harness.js';
import { startReceiver } from '../support/receiver.js';
import { registerWebhook } from '../support/webhooks.js';

describeOnBothStores(
  'verifyWebhook (typed client)',
  (ctx) => {
    it('verifies a delivered webhook and refuses a replayed, altered or foreign one', async () => {
      const t = ctx();
      const m = await createMerchant(t, 'Verifying AB');
      const rx = await startReceiver();
      try {
        const hook = await registerWebhook(t, m, rx.url, ['order.created']);
        const order = await createOrder(t, m);
        const [delivery] = await rx.waitFor((r) => r.length === 1);
        const header = String(delivery!.headers['openom-signature']);
        const event = await verifyWebhook(delivery!.body, header, hook.signing_secret);
        assert.equal(event.type, 'order.created');
        assert.equal(event.data.order_id, order.order_id);
        assert.equal(event.merchant_id, m.merchant_id);

        const signedAt = Number(/t=(\d+)/.exec(header)![1]);
        // Within the window (either side) it still verifies; beyond it, the same bytes are a replay.
        await verifyWebhook(delivery!.body, header, hook.signing_secret, { nowSeconds: signedAt + 300 });
        await verifyWebhook(delivery!.body, header, hook.signing_secret, { nowSeconds: signedAt - 300 });
        const refusals: [string, () => Promise<unknown>, RegExp][] = [
          ['replayed 301 s later', () => verifyWebhook(delivery!.body, header, hook.signing_secret, { nowSeconds: signedAt + 301 }), /outside the 300 s tolerance/],
          ['replayed within a tighter window', () => verifyWebhook(delivery!.body, header, hook.signing_secret, { nowSeconds: signedAt + 61, toleranceSeconds: 60 }), /tolerance/],
          ['altered body', () => verifyWebhook(delivery!.body.replace('order.created', 'order.cancelled'), header, hook.signing_secret), /does not match/],
          ['t moved forward', () => verifyWebhook(delivery!.body, header.replace(/t=\d+/, `t=${signedAt + 1}`), hook.signing_secret), /does not match/],
          ['another secret', () => verifyWebhook(delivery!.body, header, `${hook.signing_secret}x`), /does not match/],
          ['no header', () => verifyWebhook(delivery!.body, undefined, hook.signing_secret), /no OpenOM-Signature/],
          ['v1 not hex', () => verifyWebhook(delivery!.body, `t=${signedAt},v1=zz`, hook.signing_secret), /no OpenOM-Signature/],
        ];
        for (const [what, attempt, message] of refusals) {
          await assert.rejects(attempt, (err: Error) => err instanceof WebhookSignatureError && message.test(err.message), what);
        }
      } finally {
        await rx.close();
      }
    });
  },
  WITH_WORKER,
);
