// A whole post-purchase flow as a merchant integration runs it, checking every amount and status
// on GET after each step: authorize → partial capture → shipping info → second capture →
// partial refunds → full refund (Klarna keeps CAPTURED after a full refund).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { call, capture, createMerchant, createOrder, describeOnBothStores, getOrder, ordersUrl, refund, type Json } from '../support/harness.js';

describeOnBothStores('order lifecycle', (ctx) => {
  it('authorize → capture → shipping info → capture → partial refunds → full refund', async () => {
    const t = ctx();
    const m = await createMerchant(t, 'Lifecycle AB');
    const order = await createOrder(t, m, {}, 10_000);
    const id = order.order_id;

    const expect = async (step: string, want: Json) => {
      const o = await getOrder(t, m, id);
      const got = Object.fromEntries(Object.keys(want).map((k) => [k, o[k]]));
      assert.deepEqual(got, want, `after ${step}`);
      return o;
    };
    const amounts = (status: string, captured: number, refunded: number, remaining: number) => ({
      status,
      order_amount: 10_000,
      original_order_amount: 10_000,
      captured_amount: captured,
      refunded_amount: refunded,
      remaining_authorized_amount: remaining,
    });

    await expect('authorization', { ...amounts('AUTHORIZED', 0, 0, 10_000), captures: [], refunds: [] });

    const c1 = await capture(t, m, id, { captured_amount: 6_000, reference: 'parcel-1', description: 'Tomatoes' });
    assert.equal(c1.statusCode, 201, c1.body);
    let o = await expect('first capture', amounts('PART_CAPTURED', 6_000, 0, 4_000));
    assert.deepEqual((o.captures as Json[]).map((c) => [c.capture_id, c.reference, c.captured_amount, c.refunded_amount]), [
      [c1.headers['capture-id'], 'parcel-1', 6_000, 0],
    ]);

    const tracking = { shipping_company: 'PostNord', shipping_method: 'Home', tracking_number: 'PN123', tracking_uri: 'https://track.example/PN123' };
    const ship = await call(t, { method: 'POST', url: ordersUrl(id, `/captures/${String(c1.headers['capture-id'])}/shipping-info`), auth: m, body: { shipping_info: [tracking] } });
    assert.equal(ship.statusCode, 204, ship.body);
    o = await expect('shipping info', amounts('PART_CAPTURED', 6_000, 0, 4_000));
    assert.deepEqual((o.captures as Json[])[0]!.shipping_info, [tracking]);

    const c2 = await capture(t, m, id, { captured_amount: 4_000, reference: 'parcel-2' });
    assert.equal(c2.statusCode, 201, c2.body);
    o = await expect('second capture', amounts('CAPTURED', 10_000, 0, 0));
    assert.deepEqual((o.captures as Json[]).map((c) => [c.klarna_reference, c.captured_amount, c.refunded_amount]), [
      [`${String(order.klarna_reference)}-1`, 6_000, 0],
      [`${String(order.klarna_reference)}-2`, 4_000, 0],
    ]);

    const r1 = await refund(t, m, id, { refunded_amount: 2_500, reference: 'return-1' });
    assert.equal(r1.statusCode, 201, r1.body);
    o = await expect('first partial refund', amounts('CAPTURED', 10_000, 2_500, 0));
    assert.deepEqual((o.captures as Json[]).map((c) => c.refunded_amount), [2_500, 0]);

    const r2 = await refund(t, m, id, { refunded_amount: 5_000, reference: 'return-2' });
    assert.equal(r2.statusCode, 201, r2.body);
    o = await expect('second partial refund', amounts('CAPTURED', 10_000, 7_500, 0));
    assert.deepEqual((o.captures as Json[]).map((c) => c.refunded_amount), [6_000, 1_500]);

    const r3 = await refund(t, m, id, { refunded_amount: 2_500, reference: 'return-3' });
    assert.equal(r3.statusCode, 201, r3.body);
    o = await expect('full refund', amounts('CAPTURED', 10_000, 10_000, 0));
    assert.deepEqual((o.captures as Json[]).map((c) => c.refunded_amount), [6_000, 4_000]);
    assert.deepEqual((o.refunds as Json[]).map((r) => [r.refund_id, r.reference, r.refunded_amount]), [
      [r1.headers['refund-id'], 'return-1', 2_500],
      [r2.headers['refund-id'], 'return-2', 5_000],
      [r3.headers['refund-id'], 'return-3', 2_500],
    ]);

    // Nothing more can be refunded, captured or cancelled.
    assert.equal((await refund(t, m, id, { refunded_amount: 1 })).statusCode, 403);
    assert.equal((await capture(t, m, id, { captured_amount: 1 })).statusCode, 403);
    assert.equal((await call(t, { method: 'POST', url: ordersUrl(id, '/cancel'), auth: m })).statusCode, 403);
    await expect('refused follow-ups', amounts('CAPTURED', 10_000, 10_000, 0));

    // The event log tells the same story, one row per mutation, amounts chained before → after.
    const log = await t.store.db.selectFrom('order_events').selectAll().where('order_id', '=', id).orderBy('id').execute();
    assert.deepEqual(log.map((e) => e.type), [
      'ORDER_CREATED',
      'CAPTURE_CREATED',
      'CAPTURE_SHIPPING_INFO_ADDED',
      'CAPTURE_CREATED',
      'REFUND_CREATED',
      'REFUND_CREATED',
      'REFUND_CREATED',
    ]);
    for (let i = 1; i < log.length; i++) {
      const before = JSON.parse(log[i]!.amounts_before!) as Json;
      const previousAfter = JSON.parse(log[i - 1]!.amounts_after) as Json;
      for (const k of ['order_amount', 'captured_amount', 'refunded_amount']) assert.equal(before[k], previousAfter[k], `${log[i]!.type} ${k}`);
    }
    const last = JSON.parse(log.at(-1)!.amounts_after) as Json;
    assert.deepEqual([last.status, last.captured_amount, last.refunded_amount, last.remaining_authorized_amount], ['CAPTURED', 10_000, 10_000, 0]);
  });
});
