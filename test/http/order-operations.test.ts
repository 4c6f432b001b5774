// Order-level mutations over HTTP on both stores: cancel, release, extend-authorization-time,
// acknowledge, merchant-references, customer-details, order shipping-info and PATCH authorization.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import {
  call,
  capture,
  createMerchant,
  createOrder,
  describeOnBothStores,
  getOrder,
  ordersUrl,
  type Json,
  type MerchantCredentials,
  type TestApp,
} from '../support/harness.js';
import { PAST, events, expectError, refusedWithoutChange } from '../support/orderAssertions.js';

const DAY_MS = 86_400_000;

/** Runs a mutation that must succeed with 204 and write exactly one event of the given type. */
async function doneWithOneEvent(t: TestApp, orderId: string, type: string, send: () => Promise<LightMyRequestResponse>) {
  const eventsBefore = (await events(t, orderId)).length;
  const res = await send();
  assert.equal(res.statusCode, 204, res.body);
  assert.equal(res.body, '');
  const written = (await events(t, orderId)).slice(eventsBefore);
  assert.deepEqual(written.map((e) => e.type), [type]);
  assert.ok(written[0]!.amounts_after);
  assert.ok(written[0]!.amounts_before);
  return written[0]!;
}

const lines = (...amounts: number[]) => amounts.map((a, i) => ({ type: 'physical', reference: `L${i}`, name: `Line ${i}`, quantity: 1, unit_price: a, total_amount: a }));

describeOnBothStores('order operations', (ctx) => {
  let m: MerchantCredentials;
  before(async () => {
    m = await createMerchant(ctx(), 'Operations AB');
  });

  const post = (t: TestApp, orderId: string, op: string, body?: unknown) => call(t, { method: 'POST', url: ordersUrl(orderId, `/${op}`), auth: m, body });
  const patch = (t: TestApp, orderId: string, op: string, body: unknown) => call(t, { method: 'PATCH', url: ordersUrl(orderId, `/${op}`), auth: m, body });
  const cancelled = async (t: TestApp) => {
    const order = await createOrder(t, m);
    assert.equal((await post(t, order.order_id, 'cancel')).statusCode, 204);
    return order;
  };

  // ---- cancel
  it('cancel: an authorized order becomes CANCELLED with nothing remaining (204, one event)', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const e = await doneWithOneEvent(t, order.order_id, 'ORDER_CANCELLED', () => post(t, order.order_id, 'cancel'));
    assert.equal(JSON.parse(e.amounts_before!).status, 'AUTHORIZED');
    assert.equal(JSON.parse(e.amounts_after).status, 'CANCELLED');
    const o = await getOrder(t, m, order.order_id);
    assert.equal(o.status, 'CANCELLED');
    assert.equal(o.remaining_authorized_amount, 0);
    assert.equal(o.order_amount, 10_000);
  });

  it('cancel: a second cancel is 403 CANCEL_NOT_ALLOWED', async () => {
    const t = ctx();
    const order = await cancelled(t);
    expectError(await refusedWithoutChange(t, m, order.order_id, () => post(t, order.order_id, 'cancel')), 403, 'CANCEL_NOT_ALLOWED');
  });

  it('cancel: an order with a capture is 403 CANCEL_NOT_ALLOWED', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    await capture(t, m, order.order_id, { captured_amount: 100 });
    const body = expectError(await refusedWithoutChange(t, m, order.order_id, () => post(t, order.order_id, 'cancel')), 403, 'CANCEL_NOT_ALLOWED');
    assert.match(body.error_messages[0]!, /captures/);
  });

  it('cancel: an unknown order is 404 NO_SUCH_ORDER', async () => {
    expectError(await post(ctx(), '6b7a3a76-0b0c-4f39-8e35-8d9a4b0c1a2b', 'cancel'), 404, 'NO_SUCH_ORDER');
  });

  // ---- release-remaining-authorization
  it('release: nothing captured is 403 NOT_ALLOWED', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    expectError(await refusedWithoutChange(t, m, order.order_id, () => post(t, order.order_id, 'release-remaining-authorization')), 403, 'NOT_ALLOWED');
  });

  it('release: after a partial capture answers 204, remaining goes to 0, status CAPTURED, and no further capture is allowed', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    await capture(t, m, order.order_id, { captured_amount: 4_000 });
    const e = await doneWithOneEvent(t, order.order_id, 'REMAINING_AUTHORIZATION_RELEASED', () => post(t, order.order_id, 'release-remaining-authorization'));
    assert.deepEqual(JSON.parse(e.data!), { released_amount: 6_000 });
    const o = await getOrder(t, m, order.order_id);
    assert.equal(o.status, 'CAPTURED');
    assert.equal(o.remaining_authorized_amount, 0);
    assert.equal(o.captured_amount, 4_000);
    assert.equal(o.order_amount, 10_000);
    expectError(await refusedWithoutChange(t, m, order.order_id, () => capture(t, m, order.order_id, { captured_amount: 1 })), 403, 'CAPTURE_NOT_ALLOWED');
    // Refunds still work on what was captured.
    assert.equal((await call(t, { method: 'POST', url: ordersUrl(order.order_id, '/refunds'), auth: m, body: { refunded_amount: 4_000 } })).statusCode, 201);
  });

  it('release: a cancelled, fully captured or already released order is 403 NOT_ALLOWED', async () => {
    const t = ctx();
    const c = await cancelled(t);
    expectError(await refusedWithoutChange(t, m, c.order_id, () => post(t, c.order_id, 'release-remaining-authorization')), 403, 'NOT_ALLOWED');
    const full = await createOrder(t, m);
    await capture(t, m, full.order_id, { captured_amount: 10_000 });
    const body = expectError(await refusedWithoutChange(t, m, full.order_id, () => post(t, full.order_id, 'release-remaining-authorization')), 403, 'NOT_ALLOWED');
    assert.match(body.error_messages[0]!, /fully captured/);
    const released = await createOrder(t, m);
    await capture(t, m, released.order_id, { captured_amount: 10 });
    assert.equal((await post(t, released.order_id, 'release-remaining-authorization')).statusCode, 204);
    expectError(await refusedWithoutChange(t, m, released.order_id, () => post(t, released.order_id, 'release-remaining-authorization')), 403, 'NOT_ALLOWED');
  });

  // ---- extend-authorization-time
  it('extend-authorization-time: expires_at moves to 28 days from now (204, one event)', async () => {
    const t = ctx();
    const soon = new Date(Date.now() + DAY_MS).toISOString();
    const order = await createOrder(t, m, { expires_at: soon });
    const start = Date.now();
    await doneWithOneEvent(t, order.order_id, 'AUTHORIZATION_EXTENDED', () => post(t, order.order_id, 'extend-authorization-time'));
    const o = await getOrder(t, m, order.order_id);
    const expires = new Date(String(o.expires_at)).getTime();
    assert.ok(expires > new Date(soon).getTime(), 'expires_at moved later');
    assert.ok(expires >= start + 28 * DAY_MS - 1_000 && expires <= Date.now() + 28 * DAY_MS, `expires_at ${String(o.expires_at)} is now + 28 days`);
    assert.match(String(o.expires_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('extend-authorization-time: cancelled, expired or fully captured orders are 403 NOT_ALLOWED', async () => {
    const t = ctx();
    const c = await cancelled(t);
    expectError(await refusedWithoutChange(t, m, c.order_id, () => post(t, c.order_id, 'extend-authorization-time')), 403, 'NOT_ALLOWED');
    const expired = await createOrder(t, m, { expires_at: PAST });
    const body = expectError(await refusedWithoutChange(t, m, expired.order_id, () => post(t, expired.order_id, 'extend-authorization-time')), 403, 'NOT_ALLOWED');
    assert.match(body.error_messages[0]!, /expired/);
    const full = await createOrder(t, m);
    await capture(t, m, full.order_id, { captured_amount: 10_000 });
    expectError(await refusedWithoutChange(t, m, full.order_id, () => post(t, full.order_id, 'extend-authorization-time')), 403, 'NOT_ALLOWED');
  });

  // ---- acknowledge
  it('acknowledge: answers 204 every time and records each call', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const before = await getOrder(t, m, order.order_id);
    const first = await doneWithOneEvent(t, order.order_id, 'ORDER_ACKNOWLEDGED', () => post(t, order.order_id, 'acknowledge'));
    const second = await doneWithOneEvent(t, order.order_id, 'ORDER_ACKNOWLEDGED', () => post(t, order.order_id, 'acknowledge', {}));
    assert.deepEqual(JSON.parse(first.data!), { first: true });
    assert.deepEqual(JSON.parse(second.data!), { first: false });
    assert.deepEqual(await getOrder(t, m, order.order_id), before, 'acknowledging does not change the order object');
  });

  // ---- merchant-references
  it('merchant-references: 255 characters are stored; a field left out keeps its value', async () => {
    const t = ctx();
    const order = await createOrder(t, m, { merchant_reference1: 'old-1', merchant_reference2: 'old-2' });
    const long = 'r'.repeat(255);
    await doneWithOneEvent(t, order.order_id, 'MERCHANT_REFERENCES_UPDATED', () => patch(t, order.order_id, 'merchant-references', { merchant_reference1: long }));
    const o = await getOrder(t, m, order.order_id);
    assert.equal(o.merchant_reference1, long);
    assert.equal(o.merchant_reference2, 'old-2');
  });

  it('merchant-references: 256 characters are 400 BAD_VALUE naming the field', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    for (const field of ['merchant_reference1', 'merchant_reference2']) {
      const res = await refusedWithoutChange(t, m, order.order_id, () => patch(t, order.order_id, 'merchant-references', { [field]: 'r'.repeat(256) }));
      assert.match(expectError(res, 400, 'BAD_VALUE').error_messages[0]!, new RegExp(field));
    }
  });

  it('merchant-references: a cancelled order is 403 NOT_ALLOWED', async () => {
    const t = ctx();
    const order = await cancelled(t);
    const res = await refusedWithoutChange(t, m, order.order_id, () => patch(t, order.order_id, 'merchant-references', { merchant_reference1: 'x' }));
    expectError(res, 403, 'NOT_ALLOWED');
  });

  // ---- customer-details
  it('customer-details: a new shipping_address replaces the old one (204, one event)', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const address = { given_name: 'Jane', family_name: 'Doe', street_address: 'Storgatan 2', postal_code: '11122', city: 'Stockholm', country: 'SE' };
    await doneWithOneEvent(t, order.order_id, 'CUSTOMER_DETAILS_UPDATED', () => patch(t, order.order_id, 'customer-details', { shipping_address: address }));
    const o = await getOrder(t, m, order.order_id);
    assert.deepEqual(o.shipping_address, address);
    assert.deepEqual(o.billing_address, order.billing_address);
  });

  it('customer-details: a billing_address change is 403 NOT_ALLOWED and nothing changes', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const address = { given_name: 'Jane', city: 'Stockholm', country: 'SE' };
    for (const body of [{ billing_address: address }, { billing_address: address, shipping_address: address }]) {
      const res = await refusedWithoutChange(t, m, order.order_id, () => patch(t, order.order_id, 'customer-details', body));
      assert.match(expectError(res, 403, 'NOT_ALLOWED').error_messages[0]!, /Billing address/);
    }
  });

  it('customer-details: a cancelled order is 403 NOT_ALLOWED', async () => {
    const t = ctx();
    const order = await cancelled(t);
    const res = await refusedWithoutChange(t, m, order.order_id, () => patch(t, order.order_id, 'customer-details', { shipping_address: { city: 'Lund' } }));
    expectError(res, 403, 'NOT_ALLOWED');
  });

  // ---- order shipping-info
  it('order shipping-info: items are appended to the order list (204, one event each)', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const a = { shipping_company: 'DHL', tracking_number: 'A1' };
    const b = { shipping_company: 'UPS', shipping_method: 'PickUpPoint', tracking_number: 'B2' };
    await doneWithOneEvent(t, order.order_id, 'ORDER_SHIPPING_INFO_ADDED', () => post(t, order.order_id, 'shipping-info', { shipping_info: [a] }));
    await doneWithOneEvent(t, order.order_id, 'ORDER_SHIPPING_INFO_ADDED', () => post(t, order.order_id, 'shipping-info', { shipping_info: [b] }));
    assert.deepEqual((await getOrder(t, m, order.order_id)).shipping_info, [a, b]);
  });

  it('order shipping-info: a cancelled order is 403 NOT_ALLOWED; an unknown shipping_method is 400 BAD_VALUE', async () => {
    const t = ctx();
    const order = await cancelled(t);
    const res = await refusedWithoutChange(t, m, order.order_id, () => post(t, order.order_id, 'shipping-info', { shipping_info: [{ tracking_number: 'X' }] }));
    expectError(res, 403, 'NOT_ALLOWED');
    const live = await createOrder(t, m);
    const bad = await refusedWithoutChange(t, m, live.order_id, () => post(t, live.order_id, 'shipping-info', { shipping_info: [{ shipping_method: 'Teleport' }] }));
    assert.match(expectError(bad, 400, 'BAD_VALUE').error_messages[0]!, /shipping_info\[0\]\.shipping_method/);
  });

  // ---- PATCH authorization
  it('authorization: a new amount with matching lines answers 204; original_order_amount stays', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    await capture(t, m, order.order_id, { captured_amount: 3_000 });
    const e = await doneWithOneEvent(t, order.order_id, 'AUTHORIZATION_UPDATED', () =>
      patch(t, order.order_id, 'authorization', { order_amount: 12_000, description: 'Added a charger', order_lines: lines(10_000, 2_000) }),
    );
    assert.equal(JSON.parse(e.amounts_before!).order_amount, 10_000);
    assert.equal(JSON.parse(e.amounts_after).order_amount, 12_000);
    const o = await getOrder(t, m, order.order_id);
    assert.equal(o.order_amount, 12_000);
    assert.equal(o.original_order_amount, 10_000);
    assert.equal(o.remaining_authorized_amount, 9_000);
    assert.deepEqual(o.order_lines, lines(10_000, 2_000));
    assert.equal(o.status, 'PART_CAPTURED');
    // Down to exactly the captured amount: fully captured.
    assert.equal((await patch(t, order.order_id, 'authorization', { order_amount: 3_000, order_lines: lines(3_000) })).statusCode, 204);
    const down = await getOrder(t, m, order.order_id);
    assert.equal(down.status, 'CAPTURED');
    assert.equal(down.remaining_authorized_amount, 0);
    assert.equal(down.original_order_amount, 10_000);
    // Klarna: a fully captured order cannot have its amount updated, not even raised.
    const raise = await refusedWithoutChange(t, m, order.order_id, () => patch(t, order.order_id, 'authorization', { order_amount: 5_000, order_lines: lines(5_000) }));
    assert.match(expectError(raise, 403, 'NOT_ALLOWED').error_messages[0]!, /fully captured/);
  });

  it('authorization: an amount below what is captured is 403 NOT_ALLOWED', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    await capture(t, m, order.order_id, { captured_amount: 5_000 });
    const res = await refusedWithoutChange(t, m, order.order_id, () => patch(t, order.order_id, 'authorization', { order_amount: 4_999, order_lines: lines(4_999) }));
    assert.match(expectError(res, 403, 'NOT_ALLOWED').error_messages[0]!, /captured amount 5000/);
  });

  it('authorization: lines that do not add up to order_amount are 400 BAD_VALUE', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const res = await refusedWithoutChange(t, m, order.order_id, () => patch(t, order.order_id, 'authorization', { order_amount: 9_000, order_lines: lines(5_000, 3_000) }));
    assert.match(expectError(res, 400, 'BAD_VALUE').error_messages[0]!, /order_amount/);
  });

  it('authorization: order_amount 200000000 passes, 200000001 is 400 BAD_VALUE', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    assert.equal((await patch(t, order.order_id, 'authorization', { order_amount: 200_000_000, order_lines: lines(200_000_000) })).statusCode, 204);
    assert.equal((await getOrder(t, m, order.order_id)).order_amount, 200_000_000);
    const res = await refusedWithoutChange(t, m, order.order_id, () =>
      patch(t, order.order_id, 'authorization', { order_amount: 200_000_001, order_lines: lines(100_000_000, 100_000_001) }),
    );
    assert.match(expectError(res, 400, 'BAD_VALUE').error_messages[0]!, /order_amount/);
  });

  it('authorization: missing order_lines or order_amount is 400 BAD_VALUE; a cancelled or expired order is 403 NOT_ALLOWED', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    for (const [body, field] of [
      [{ order_amount: 100 }, 'order_lines'],
      [{ order_lines: lines(100) }, 'order_amount'],
    ] as const) {
      const res = await refusedWithoutChange(t, m, order.order_id, () => patch(t, order.order_id, 'authorization', body));
      assert.match(expectError(res, 400, 'BAD_VALUE').error_messages[0]!, new RegExp(field));
    }
    const c = await cancelled(t);
    expectError(await refusedWithoutChange(t, m, c.order_id, () => patch(t, c.order_id, 'authorization', { order_amount: 100, order_lines: lines(100) })), 403, 'NOT_ALLOWED');
    const expired = await createOrder(t, m, { expires_at: PAST });
    expectError(
      await refusedWithoutChange(t, m, expired.order_id, () => patch(t, expired.order_id, 'authorization', { order_amount: 100, order_lines: lines(100) })),
      403,
      'NOT_ALLOWED',
    );
  });

  it('a part-captured order whose authorization lapses is EXPIRED: nothing remains, only refunds are still allowed', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    await capture(t, m, order.order_id, { captured_amount: 4_000 });
    // Time passes: the authorization's expires_at is now behind us.
    await t.store.db.updateTable('orders').set({ expires_at: PAST }).where('order_id', '=', order.order_id).execute();
    const o = await getOrder(t, m, order.order_id);
    assert.equal(o.status, 'EXPIRED');
    assert.equal(o.remaining_authorized_amount, 0);
    assert.equal(o.captured_amount, 4_000);
    const id = order.order_id;
    expectError(await refusedWithoutChange(t, m, id, () => capture(t, m, id, { captured_amount: 1 })), 403, 'CAPTURE_NOT_ALLOWED');
    expectError(await refusedWithoutChange(t, m, id, () => post(t, id, 'release-remaining-authorization')), 403, 'NOT_ALLOWED');
    expectError(await refusedWithoutChange(t, m, id, () => post(t, id, 'extend-authorization-time')), 403, 'NOT_ALLOWED');
    expectError(await refusedWithoutChange(t, m, id, () => post(t, id, 'cancel')), 403, 'CANCEL_NOT_ALLOWED');
    expectError(
      await refusedWithoutChange(t, m, id, () => patch(t, id, 'authorization', { order_amount: 5_000, order_lines: lines(5_000) })),
      403,
      'NOT_ALLOWED',
    );
    assert.equal((await call(t, { method: 'POST', url: ordersUrl(id, '/refunds'), auth: m, body: { refunded_amount: 4_000 } })).statusCode, 201);
    const after = await getOrder(t, m, id);
    assert.equal(after.status, 'EXPIRED');
    assert.equal(after.refunded_amount, 4_000);
  });

  it('an expired order with nothing captured can still be cancelled', async () => {
    const t = ctx();
    const order = await createOrder(t, m, { expires_at: PAST });
    await doneWithOneEvent(t, order.order_id, 'ORDER_CANCELLED', () => post(t, order.order_id, 'cancel'));
    assert.equal((await getOrder(t, m, order.order_id)).status, 'CANCELLED');
  });

  it('every order route answers 404 NO_SUCH_ORDER for another merchant and writes nothing', async () => {
    const t = ctx();
    const order = await createOrder(t, m);
    const other = await createMerchant(t, 'Other AB');
    const before = (await events(t, order.order_id)).length;
    const asOther = (method: 'POST' | 'PATCH', op: string, body?: Json) => call(t, { method, url: ordersUrl(order.order_id, `/${op}`), auth: other, body });
    for (const res of [
      await asOther('POST', 'cancel'),
      await asOther('POST', 'acknowledge'),
      await asOther('POST', 'release-remaining-authorization'),
      await asOther('POST', 'extend-authorization-time'),
      await asOther('POST', 'shipping-info', { shipping_info: [{ tracking_number: 'X' }] }),
      await asOther('POST', 'captures', { captured_amount: 1 }),
      await asOther('POST', 'refunds', { refunded_amount: 1 }),
      await asOther('PATCH', 'merchant-references', { merchant_reference1: 'x' }),
      await asOther('PATCH', 'customer-details', { shipping_address: { city: 'x' } }),
      await asOther('PATCH', 'authorization', { order_amount: 1, order_lines: lines(1) }),
    ]) {
      expectError(res, 404, 'NO_SUCH_ORDER');
    }
    assert.equal((await events(t, order.order_id)).length, before);
    assert.equal((await getOrder(t, m, order.order_id)).status, 'AUTHORIZED');
  });
});
