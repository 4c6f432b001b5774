import assert from 'node:assert/strict';
import { it } from 'node:test';
import { capture, createMerchant, createOrder, describeOnBothStores, getOrder } from '../support/harness.js';

describeOnBothStores('smoke', (ctx) => {
  it('a merchant captures part of an order and GET shows it', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const order = await createOrder(t, m);
    const res = await capture(t, m, order.order_id, { captured_amount: 4000 });
    assert.equal(res.statusCode, 201, res.body);
    const after = await getOrder(t, m, order.order_id);
    assert.equal(after.captured_amount, 4000);
    assert.equal(after.status, 'PART_CAPTURED');
  });
});
