// POST/GET …/orders/{order_id}/refunds over HTTP on both stores: creation headers, refusals, and
// how refunds are allocated to captures (oldest capture first).
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import {
  call,
  capture,
  createMerchant,
  createOrder,
  describeOnBothStores,
  getOrder,
  ordersUrl,
  refund,
  type Json,
  type MerchantCredentials,
  type TestApp,
} from '../support/harness.js';
import { TIMESTAMP, UUID, events, expectError, refusedWithoutChange } from '../support/orderAssertions.js';

const capturedRefunded = async (t: TestApp, m: MerchantCredentials, orderId: string) =>
  ((await getOrder(t, m, orderId)).captures as Json[]).map((c) => [c.captured_amount, c.refunded_amount]);

describeOnBothStores('refunds', (ctx) => {
  let m: MerchantCredentials;
  before(async () => {
    m = await createMerchant(ctx(), 'Refund AB');
  });

  it('a refund answers 201 with no body, the absolute URL of the refund as Location and the Refund-Id, and GET refund returns it with credit_invoice false', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    assert.equal((await capture(t, m, order.order_id, { captured_amount: 5_000 })).statusCode, 201);
    const lines = [{ type: 'physical', reference: 'SKU-1', name: 'Tomatoes', quantity: 1, unit_price: 1_500, total_amount: 1_500 }];
    const res = await refund(t, m, order.order_id, { refunded_amount: 1_500, description: 'Bruised', reference: 'ret-77', order_lines: lines });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.body, '');
    const refundId = String(res.headers['refund-id']);
    assert.match(refundId, UUID);
    // app.inject sends Host: localhost:80; the Location is in URL's normal form.
    assert.equal(res.headers.location, `http://localhost/ordermanagement/v1/orders/${order.order_id}/refunds/${refundId}`);
    const got = await call(t, { method: 'GET', url: String(res.headers.location), auth: m });
    assert.equal(got.statusCode, 200, got.body);
    const r = got.json() as Json;
    assert.equal(r.refund_id, refundId);
    assert.equal(r.refunded_amount, 1_500);
    assert.match(String(r.refunded_at), TIMESTAMP);
    assert.equal(r.description, 'Bruised');
    assert.equal(r.reference, 'ret-77');
    assert.deepEqual(r.order_lines, lines);
    assert.equal(r.credit_invoice, false);
    const o = await getOrder(t, m, order.order_id);
    assert.deepEqual(o.refunds, [r]);
    assert.equal(o.refunded_amount, 1_500);
    assert.equal(o.captured_amount, 5_000);
    assert.equal(o.status, 'PART_CAPTURED', 'a refund does not change the status');
    assert.equal(o.remaining_authorized_amount, 5_000, 'a refund does not restore authorization');
  });

  it('an unknown refund is 404 NO_SUCH_REFUND; an unknown order is 404 NO_SUCH_ORDER', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const unknown = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
    expectError(await call(t, { method: 'GET', url: ordersUrl(order.order_id, `/refunds/${unknown}`), auth: m }), 404, 'NO_SUCH_REFUND');
    expectError(await call(t, { method: 'GET', url: ordersUrl(unknown, `/refunds/${unknown}`), auth: m }), 404, 'NO_SUCH_ORDER');
    expectError(await refund(t, m, unknown, { refunded_amount: 1 }), 404, 'NO_SUCH_ORDER');
  });

  it('an order without captures refuses a refund with 403 REFUND_NOT_ALLOWED', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const res = await refusedWithoutChange(t, m, order.order_id, () => refund(t, m, order.order_id, { refunded_amount: 1 }));
    const body = expectError(res, 403, 'REFUND_NOT_ALLOWED');
    assert.match(body.error_messages[0]!, /no captures/);
  });

  it('a cancelled order refuses a refund with 403 REFUND_NOT_ALLOWED', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    assert.equal((await call(t, { method: 'POST', url: ordersUrl(order.order_id, '/cancel'), auth: m })).statusCode, 204);
    const res = await refusedWithoutChange(t, m, order.order_id, () => refund(t, m, order.order_id, { refunded_amount: 1 }));
    expectError(res, 403, 'REFUND_NOT_ALLOWED');
  });

  it('refunding more than captured minus refunded is 403 REFUND_NOT_ALLOWED; exactly that much passes', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    await capture(t, m, order.order_id, { captured_amount: 4_000 });
    assert.equal((await refund(t, m, order.order_id, { refunded_amount: 1_000 })).statusCode, 201);
    const over = await refusedWithoutChange(t, m, order.order_id, () => refund(t, m, order.order_id, { refunded_amount: 3_001 }));
    const body = expectError(over, 403, 'REFUND_NOT_ALLOWED');
    assert.match(body.error_messages[0]!, /Over refund/);
    assert.equal((await refund(t, m, order.order_id, { refunded_amount: 3_000 })).statusCode, 201);
    const o = await getOrder(t, m, order.order_id);
    assert.equal(o.refunded_amount, 4_000);
    assert.equal(o.captured_amount, 4_000);
    const again = await refusedWithoutChange(t, m, order.order_id, () => refund(t, m, order.order_id, { refunded_amount: 1 }));
    expectError(again, 403, 'REFUND_NOT_ALLOWED');
  });

  it('refunds are allocated to captures oldest first, keeping each capture refunded_amount right', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    await capture(t, m, order.order_id, { captured_amount: 3_000 });
    await capture(t, m, order.order_id, { captured_amount: 5_000 });
    const steps: [number, number[][]][] = [
      [2_000, [[3_000, 2_000], [5_000, 0]]],
      [2_000, [[3_000, 3_000], [5_000, 1_000]]],
      [3_999, [[3_000, 3_000], [5_000, 4_999]]],
      [1, [[3_000, 3_000], [5_000, 5_000]]],
    ];
    let total = 0;
    for (const [amount, expected] of steps) {
      const res = await refund(t, m, order.order_id, { refunded_amount: amount });
      assert.equal(res.statusCode, 201, res.body);
      total += amount;
      assert.deepEqual(await capturedRefunded(t, m, order.order_id), expected, `after refunding ${amount}`);
      assert.equal((await getOrder(t, m, order.order_id)).refunded_amount, total);
      const list = (await call(t, { method: 'GET', url: ordersUrl(order.order_id, '/captures'), auth: m })).json() as Json[];
      assert.deepEqual(list.map((c) => [c.captured_amount, c.refunded_amount]), expected, 'GET /captures agrees with GET order');
    }
  });

  it('a refund writes exactly one REFUND_CREATED event with amounts before/after and its allocation', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const c1 = String((await capture(t, m, order.order_id, { captured_amount: 1_000 })).headers['capture-id']);
    const c2 = String((await capture(t, m, order.order_id, { captured_amount: 2_000 })).headers['capture-id']);
    const before = (await events(t, order.order_id)).length;
    const res = await refund(t, m, order.order_id, { refunded_amount: 1_500 });
    const written = (await events(t, order.order_id)).slice(before);
    assert.equal(written.length, 1);
    const e = written[0]!;
    assert.equal(e.type, 'REFUND_CREATED');
    assert.equal(JSON.parse(e.amounts_before!).refunded_amount, 0);
    assert.equal(JSON.parse(e.amounts_after).refunded_amount, 1_500);
    assert.equal(JSON.parse(e.amounts_after).captured_amount, 3_000);
    assert.deepEqual(JSON.parse(e.data!), {
      refund_id: res.headers['refund-id'],
      refunded_amount: 1_500,
      allocations: [
        { capture_id: c1, amount: 1_000 },
        { capture_id: c2, amount: 500 },
      ],
    });
  });

  it('refund order lines must add up line by line: a wrong total_amount is 400 BAD_VALUE naming the line', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    await capture(t, m, order.order_id, { captured_amount: 4_000 });
    const lines = [{ name: 'Tomatoes', quantity: 2, unit_price: 500, total_amount: 900 }];
    const res = await refusedWithoutChange(t, m, order.order_id, () => refund(t, m, order.order_id, { refunded_amount: 900, order_lines: lines }));
    const body = expectError(res, 400, 'BAD_VALUE');
    assert.match(body.error_messages[0]!, /order_lines\[0\]\.total_amount/);
  });
});
