// POST /sandbox/v1/orders/{order_id}/fraud-decision (CONTRACT §5): ends a pending fraud review.
// ACCEPTED lets the merchant capture; REJECTED and STOPPED cancel the order.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, it } from 'node:test';
import { call, capture, createMerchant, createOrder, describeOnBothStores, getOrder, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { events, expectError, refusedWithoutChange } from '../support/orderAssertions.js';

const decisionUrl = (orderId: string) => `/sandbox/v1/orders/${orderId}/fraud-decision`;

describeOnBothStores('sandbox fraud decision', (ctx) => {
  let m: MerchantCredentials;
  let other: MerchantCredentials;
  before(async () => {
    m = await createMerchant(ctx(), 'Fraud AB');
    other = await createMerchant(ctx(), 'Other Fraud AB');
  });

  const decide = (t: TestApp, orderId: string, body: unknown, headers: Record<string, string> = {}, who = m) =>
    call(t, { method: 'POST', url: decisionUrl(orderId), auth: who, body, headers });
  const pendingOrder = (t: TestApp) => createOrder(t, m, { fraud_status: 'PENDING' });
  const newEventTypes = async (t: TestApp, orderId: string, since: number) => (await events(t, orderId)).slice(since).map((e) => e.type);

  it('a pending order cannot be captured (403 CAPTURE_NOT_ALLOWED); after ACCEPTED (204) it can', async () => {
    const t = ctx();
    const order = await pendingOrder(t);
    const refused = expectError(await refusedWithoutChange(t, m, order.order_id, () => capture(t, m, order.order_id, { captured_amount: 100 })), 403, 'CAPTURE_NOT_ALLOWED');
    assert.match(refused.error_messages[0]!, /pending/);
    const since = (await events(t, order.order_id)).length;
    const res = await decide(t, order.order_id, { decision: 'ACCEPTED' });
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(res.body, '');
    assert.deepEqual(await newEventTypes(t, order.order_id, since), ['FRAUD_STATUS_CHANGED']);
    const o = await getOrder(t, m, order.order_id);
    assert.equal(o.fraud_status, 'ACCEPTED');
    assert.equal(o.status, 'AUTHORIZED');
    assert.equal((await capture(t, m, order.order_id, { captured_amount: 100 })).statusCode, 201);
  });

  for (const decision of ['REJECTED', 'STOPPED'] as const) {
    it(`${decision} sets fraud_status REJECTED and cancels the order (CANCELLED, nothing remaining), writing both events`, async () => {
      const t = ctx();
      const order = await pendingOrder(t);
      const since = (await events(t, order.order_id)).length;
      assert.equal((await decide(t, order.order_id, { decision })).statusCode, 204);
      const written = (await events(t, order.order_id)).slice(since);
      assert.deepEqual(written.map((e) => e.type), ['FRAUD_STATUS_CHANGED', 'ORDER_CANCELLED']);
      assert.equal(JSON.parse(written[1]!.amounts_after).status, 'CANCELLED');
      const o = await getOrder(t, m, order.order_id);
      assert.equal(o.fraud_status, 'REJECTED');
      assert.equal(o.status, 'CANCELLED');
      assert.equal(o.remaining_authorized_amount, 0);
      expectError(await capture(t, m, order.order_id, { captured_amount: 100 }), 403, 'CAPTURE_NOT_ALLOWED');
    });
  }

  it('a second decision, or one on an order that was never pending, is 403 NOT_ALLOWED and changes nothing', async () => {
    const t = ctx();
    const accepted = await pendingOrder(t);
    assert.equal((await decide(t, accepted.order_id, { decision: 'ACCEPTED' })).statusCode, 204);
    for (const decision of ['ACCEPTED', 'REJECTED', 'STOPPED']) {
      const body = expectError(await refusedWithoutChange(t, m, accepted.order_id, () => decide(t, accepted.order_id, { decision })), 403, 'NOT_ALLOWED');
      assert.match(body.error_messages[0]!, /ACCEPTED, not PENDING/);
    }
    const rejected = await pendingOrder(t);
    assert.equal((await decide(t, rejected.order_id, { decision: 'REJECTED' })).statusCode, 204);
    expectError(await refusedWithoutChange(t, m, rejected.order_id, () => decide(t, rejected.order_id, { decision: 'ACCEPTED' })), 403, 'NOT_ALLOWED');
    const neverPending = await createOrder(t, m);
    expectError(await refusedWithoutChange(t, m, neverPending.order_id, () => decide(t, neverPending.order_id, { decision: 'REJECTED' })), 403, 'NOT_ALLOWED');
  });

  it("another merchant's order and an unknown order are 404 NO_SUCH_ORDER; an id that is no UUID is 400 BAD_VALUE", async () => {
    const t = ctx();
    const order = await pendingOrder(t);
    expectError(await refusedWithoutChange(t, m, order.order_id, () => decide(t, order.order_id, { decision: 'REJECTED' }, {}, other)), 404, 'NO_SUCH_ORDER');
    expectError(await decide(t, randomUUID(), { decision: 'ACCEPTED' }), 404, 'NO_SUCH_ORDER');
    expectError(await decide(t, 'not-an-order-id', { decision: 'ACCEPTED' }), 400, 'BAD_VALUE');
  });

  it('a bad body is 400 BAD_VALUE naming decision, and changes nothing', async () => {
    const t = ctx();
    const order = await pendingOrder(t);
    for (const body of [{}, { decision: 'MAYBE' }, { decision: 'accepted' }, { decision: 1 }, { decision: null }]) {
      const e = expectError(await refusedWithoutChange(t, m, order.order_id, () => decide(t, order.order_id, body)), 400, 'BAD_VALUE');
      assert.match(e.error_messages[0]!, /decision/, JSON.stringify(body));
    }
    expectError(await decide(t, order.order_id, ''), 400, 'BAD_VALUE');
  });

  it('a Klarna-Idempotency-Key replays the first answer: the decision is made once', async () => {
    const t = ctx();
    const order = await pendingOrder(t);
    const key = { 'klarna-idempotency-key': randomUUID() };
    const first = await decide(t, order.order_id, { decision: 'REJECTED' }, key);
    assert.equal(first.statusCode, 204);
    const eventsAfterFirst = (await events(t, order.order_id)).length;
    const replay = await decide(t, order.order_id, { decision: 'ACCEPTED' }, key);
    assert.equal(replay.statusCode, 204, replay.body);
    assert.equal((await events(t, order.order_id)).length, eventsAfterFirst);
    assert.equal((await getOrder(t, m, order.order_id)).fraud_status, 'REJECTED');
  });

  it('needs merchant Basic auth: 401 UNAUTHORIZED without it', async () => {
    const t = ctx();
    const order = await pendingOrder(t);
    expectError(await call(t, { method: 'POST', url: decisionUrl(order.order_id), auth: 'none', body: { decision: 'ACCEPTED' } }), 401, 'UNAUTHORIZED');
    assert.equal((await getOrder(t, m, order.order_id)).fraud_status, 'PENDING');
  });
});
