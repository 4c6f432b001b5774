// An endpoint that does not answer within 10 seconds (CONTRACT §7) has failed that attempt: it is
// recorded with status 0 and "timeout", and retried a minute later on the merchant's clock. In a
// file of its own because it must wait out the real 10 s timeout, on each store.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createMerchant, createOrder, describeOnBothStores, WITH_WORKER } from '../support/harness.js';
import { startReceiver } from '../support/receiver.js';
import { advanceClock, deliveriesOf, eventually, registerWebhook } from '../support/webhooks.js';

describeOnBothStores(
  'webhook delivery timeout',
  (ctx) => {
    it('an endpoint that takes longer than 10 s has failed that attempt (status 0, timeout) and gets the retry a minute later', async () => {
      const t = ctx();
      const m = await createMerchant(t, 'Slow Endpoint AB');
      const rx = await startReceiver(() => ({ status: 200, delayMs: 12_000 }));
      try {
        const hook = await registerWebhook(t, m, rx.url, ['order.created']);
        await createOrder(t, m);
        await rx.waitFor((r) => r.length === 1);
        const first = await eventually('first attempt recorded', async () => (await deliveriesOf(t, m, hook)).find((d) => d.attempt_count === 1), 15_000);
        const attempt = first.attempts[0]!;
        assert.equal(attempt.status_code, 0);
        assert.equal(attempt.error, 'timeout');
        assert.ok(attempt.duration_ms >= 9_900 && attempt.duration_ms < 12_000, `duration ${attempt.duration_ms} ms`);
        assert.equal(first.status, 'pending');
        rx.answer = () => 200;
        await advanceClock(t, m, 60);
        const received = await rx.waitFor((r) => r.length === 2, 2_000);
        assert.equal(received[1]!.body, received[0]!.body);
        const second = await eventually('delivered', async () => (await deliveriesOf(t, m, hook)).find((d) => d.status === 'delivered'));
        assert.deepEqual(
          second.attempts.map((a) => [a.attempt, a.status_code]),
          [
            [2, 200],
            [1, 0],
          ],
        );
      } finally {
        await rx.close();
      }
    });
  },
  WITH_WORKER,
);
