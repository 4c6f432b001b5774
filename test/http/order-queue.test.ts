// The per-order queue is bounded (OPENOM_ORDER_QUEUE_LIMIT): beyond it a request for that order is
// refused at once with 503 SERVICE_UNAVAILABLE and Retry-After, and nothing of it is applied.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { capture, createMerchant, createOrder, describeOnBothStores, errorOf, getOrder } from '../support/harness.js';

describeOnBothStores(
  'order queue limit',
  (app) => {
    it('with OPENOM_ORDER_QUEUE_LIMIT=2, a burst at one order gets 503 with Retry-After beyond the queue, and only the others are applied', async () => {
      const merchant = await createMerchant(app());
      const order = await createOrder(app(), merchant, {}, 100_000);
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => capture(app(), merchant, order.order_id, { captured_amount: 100 + i })));
      const refused = replies.filter((r) => r.statusCode === 503);
      assert.ok(refused.length > 0, 'no request was refused: the limit was not reached');
      for (const r of refused) {
        assert.equal(errorOf(r).error_code, 'SERVICE_UNAVAILABLE');
        assert.ok(r.headers['retry-after'], '503 without Retry-After');
      }
      const created = replies.map((r, i) => ({ r, amount: 100 + i })).filter(({ r }) => r.statusCode === 201);
      assert.equal(created.length + refused.length, replies.length, `unexpected statuses ${replies.map((r) => r.statusCode).join(',')}`);
      const after = (await getOrder(app(), merchant, order.order_id)) as { captured_amount: number; captures: unknown[] };
      assert.equal(after.captured_amount, created.reduce((s, c) => s + c.amount, 0), 'a refused capture was applied');
      assert.equal(after.captures.length, created.length);
      // The queue drains: the order takes commands again.
      assert.equal((await capture(app(), merchant, order.order_id, { captured_amount: 1 })).statusCode, 201);
    });
  },
  { OPENOM_ORDER_QUEUE_LIMIT: '2' },
);
