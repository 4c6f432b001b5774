// Klarna-Idempotency-Key (CONTRACT §2) over HTTP on both stores: the first completed response for
// (merchant, key) is replayed byte-for-byte, refusals included; concurrent requests run once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import {
  call,
  capture,
  createMerchant,
  createOrder,
  describeOnBothStores,
  errorOf,
  getOrder,
  ordersUrl,
  refund,
  type Json,
  type MerchantCredentials,
} from '../support/harness.js';
import { eventCount } from '../support/orderAssertions.js';

const key = () => ({ 'klarna-idempotency-key': randomUUID() });

/** What a replay must repeat exactly. */
const wire = (res: LightMyRequestResponse) => ({
  status: res.statusCode,
  body: res.body,
  location: res.headers.location,
  captureId: res.headers['capture-id'],
  refundId: res.headers['refund-id'],
  contentType: res.headers['content-type'],
});

describeOnBothStores('idempotency', (ctx) => {
  let m: MerchantCredentials;
  before(async () => {
    m = await createMerchant(ctx(), 'Idempotent AB');
  });

  it('a replayed capture returns the same 201, Location and Capture-Id, and captures once', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const headers = key();
    const first = await capture(t, m, order.order_id, { captured_amount: 1_000 }, headers);
    assert.equal(first.statusCode, 201, first.body);
    const events = await eventCount(t, order.order_id);
    const again = await capture(t, m, order.order_id, { captured_amount: 1_000 }, headers);
    assert.deepEqual(wire(again), wire(first));
    const o = await getOrder(t, m, order.order_id);
    assert.equal((o.captures as Json[]).length, 1);
    assert.equal(o.captured_amount, 1_000);
    assert.equal(await eventCount(t, order.order_id), events, 'a replay writes no event');
  });

  it('a replayed refund returns the same 201, Location and Refund-Id, and refunds once', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    await capture(t, m, order.order_id, { captured_amount: 5_000 });
    const headers = key();
    const first = await refund(t, m, order.order_id, { refunded_amount: 1_000 }, headers);
    assert.equal(first.statusCode, 201, first.body);
    const again = await refund(t, m, order.order_id, { refunded_amount: 1_000 }, headers);
    assert.deepEqual(wire(again), wire(first));
    assert.equal((await getOrder(t, m, order.order_id)).refunded_amount, 1_000);
  });

  it('a replayed 204 (cancel) is 204 again, even though a fresh cancel would now be refused', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const headers = key();
    const url = ordersUrl(order.order_id, '/cancel');
    assert.equal((await call(t, { method: 'POST', url, auth: m, headers })).statusCode, 204);
    const again = await call(t, { method: 'POST', url, auth: m, headers });
    assert.equal(again.statusCode, 204);
    assert.equal(again.body, '');
    assert.equal((await call(t, { method: 'POST', url, auth: m })).statusCode, 403, 'without the key the second cancel is refused');
  });

  it('a replayed refusal is the same 403 byte-for-byte, with the correlation id of the first response', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const headers = key();
    const first = await capture(t, m, order.order_id, { captured_amount: 20_000 }, headers);
    assert.equal(first.statusCode, 403);
    assert.equal(errorOf(first).error_code, 'CAPTURE_NOT_ALLOWED');
    // The order changes so that the same capture would now pass: the replay still answers the 403.
    const patched = await call(t, {
      method: 'PATCH',
      url: ordersUrl(order.order_id, '/authorization'),
      auth: m,
      body: { order_amount: 20_000, order_lines: [{ name: 'More', quantity: 1, unit_price: 20_000, total_amount: 20_000 }] },
    });
    assert.equal(patched.statusCode, 204, patched.body);
    const events = await eventCount(t, order.order_id);
    const again = await capture(t, m, order.order_id, { captured_amount: 20_000 }, headers);
    assert.deepEqual(wire(again), wire(first));
    assert.equal(errorOf(again).correlation_id, errorOf(first).correlation_id, 'the replayed error body and its header agree');
    assert.equal((await getOrder(t, m, order.order_id)).captured_amount, 0);
    assert.equal(await eventCount(t, order.order_id), events);
  });

  it('a different body with a used key replays the first response and does nothing else', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const headers = key();
    const first = await capture(t, m, order.order_id, { captured_amount: 1_000, reference: 'first' }, headers);
    const second = await capture(t, m, order.order_id, { captured_amount: 7_000, reference: 'second' }, headers);
    assert.deepEqual(wire(second), wire(first));
    const o = await getOrder(t, m, order.order_id);
    assert.deepEqual((o.captures as Json[]).map((c) => [c.captured_amount, c.reference]), [[1_000, 'first']]);
  });

  it('a used key on another route, or for another order, is 400 BAD_VALUE naming the header, never the first replay', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const other = await createOrder(t, m);
    const headers = key();
    const first = await capture(t, m, order.order_id, { captured_amount: 1_000 }, headers);
    assert.equal(first.statusCode, 201, first.body);
    const onCancel = await call(t, { method: 'POST', url: ordersUrl(order.order_id, '/cancel'), auth: m, headers });
    const onOtherOrder = await capture(t, m, other.order_id, { captured_amount: 1_000 }, headers);
    const onRefund = await refund(t, m, order.order_id, { refunded_amount: 100 }, headers);
    for (const res of [onCancel, onOtherOrder, onRefund]) {
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.headers.location, undefined);
      const e = errorOf(res);
      assert.equal(e.error_code, 'BAD_VALUE');
      assert.match(e.error_messages[0]!, /Klarna-Idempotency-Key/);
    }
    assert.equal((await getOrder(t, m, other.order_id)).captured_amount, 0);
    const mine = await getOrder(t, m, order.order_id);
    assert.equal(mine.status, 'PART_CAPTURED');
    assert.equal(mine.refunded_amount, 0);
    // The key still replays for the request it was first used for.
    assert.deepEqual(wire(await capture(t, m, order.order_id, { captured_amount: 5 }, headers)), wire(first));
  });

  it('the same key used by two merchants acts independently for each', async () => {
    const t = ctx();
    const other = await createMerchant(t, 'Second AB');
    const mine = await createOrder(t, m);
    const theirs = await createOrder(t, other);
    const headers = key();
    const a = await capture(t, m, mine.order_id, { captured_amount: 1_000 }, headers);
    const b = await capture(t, other, theirs.order_id, { captured_amount: 2_000 }, headers);
    assert.equal(a.statusCode, 201, a.body);
    assert.equal(b.statusCode, 201, b.body);
    assert.notEqual(a.headers['capture-id'], b.headers['capture-id']);
    assert.equal((await getOrder(t, m, mine.order_id)).captured_amount, 1_000);
    assert.equal((await getOrder(t, other, theirs.order_id)).captured_amount, 2_000);
  });

  it('a request refused by validation (400) does not use up the key', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const headers = key();
    const bad = await capture(t, m, order.order_id, { captured_amount: '1000' }, headers);
    assert.equal(bad.statusCode, 400);
    const good = await capture(t, m, order.order_id, { captured_amount: 1_000 }, headers);
    assert.equal(good.statusCode, 201, good.body);
  });

  it('a key longer than 255 characters is 400 BAD_VALUE and nothing happens', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const res = await capture(t, m, order.order_id, { captured_amount: 1_000 }, { 'klarna-idempotency-key': 'k'.repeat(256) });
    assert.equal(res.statusCode, 400);
    assert.equal(errorOf(res).error_code, 'BAD_VALUE');
    assert.match(errorOf(res).error_messages[0]!, /idempotency-key/i);
    assert.equal((await getOrder(t, m, order.order_id)).captured_amount, 0);
    const ok = await capture(t, m, order.order_id, { captured_amount: 1_000 }, { 'klarna-idempotency-key': 'k'.repeat(255) });
    assert.equal(ok.statusCode, 201, ok.body);
  });

  it('50 concurrent captures with one key capture once and all 50 answers are identical', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    await getOrder(t, m, order.order_id); // warm the credential cache so the requests race in the store
    const headers = key();
    const responses = await Promise.all(Array.from({ length: 50 }, () => capture(t, m, order.order_id, { captured_amount: 100 }, headers)));
    const first = wire(responses[0]!);
    assert.equal(first.status, 201, responses[0]!.body);
    for (const r of responses) assert.deepEqual(wire(r), first);
    const o = await getOrder(t, m, order.order_id);
    assert.equal((o.captures as Json[]).length, 1);
    assert.equal(o.captured_amount, 100);
    const created = await t.store.db.selectFrom('order_events').select('id').where('order_id', '=', order.order_id).where('type', '=', 'CAPTURE_CREATED').execute();
    assert.equal(created.length, 1);
  });

  it('concurrent captures with different keys never capture more than the order amount', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    await getOrder(t, m, order.order_id);
    const responses = await Promise.all(Array.from({ length: 30 }, () => capture(t, m, order.order_id, { captured_amount: 1_000 }, key())));
    const codes = responses.map((r) => r.statusCode).sort();
    assert.equal(codes.filter((c) => c === 201).length, 10);
    assert.equal(codes.filter((c) => c === 403).length, 20);
    const o = await getOrder(t, m, order.order_id);
    assert.equal(o.captured_amount, 10_000);
    assert.equal(o.status, 'CAPTURED');
  });
});
