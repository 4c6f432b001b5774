// Every documented limit of the OM mutations at its boundary, over HTTP on both stores: the last
// allowed value passes, the first disallowed one is 400 BAD_VALUE naming the field, and an invalid
// request changes nothing (GET before == GET after, no new order_events row).
import assert from 'node:assert/strict';
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

const text = (n: number) => 'x'.repeat(n);
const unitLines = (n: number, each = 1) => Array.from({ length: n }, (_, i) => ({ name: `L${i}`, quantity: 1, unit_price: each, total_amount: each }));
const shippingItems = (n: number) => Array.from({ length: n }, (_, i) => ({ shipping_company: 'DHL', tracking_number: `T${i}` }));

describeOnBothStores('request limits', (ctx) => {
  let m: MerchantCredentials;
  before(async () => {
    m = await createMerchant(ctx(), 'Limits AB');
  });

  /** Asserts a 400 BAD_VALUE whose message names the field, and that nothing was written. */
  async function rejected(orderId: string, field: string, send: () => Promise<LightMyRequestResponse>) {
    const t = ctx();
    const before = await getOrder(t, m, orderId);
    const events = await eventCount(t, orderId);
    const res = await send();
    assert.equal(res.statusCode, 400, `${field}: ${res.statusCode} ${res.body}`);
    const body = errorOf(res);
    assert.equal(body.error_code, 'BAD_VALUE');
    assert.equal(body.error_messages.length, 1);
    assert.ok(body.error_messages[0]!.startsWith('Bad value: '), body.error_messages[0]);
    assert.ok(body.error_messages[0]!.includes(field), `"${body.error_messages[0]}" should name ${field}`);
    assert.deepEqual(await getOrder(t, m, orderId), before);
    assert.equal(await eventCount(t, orderId), events);
  }

  const post = (orderId: string, rest: string, body: unknown) => call(ctx(), { method: 'POST', url: ordersUrl(orderId, rest), auth: m, body });
  const patch = (orderId: string, rest: string, body: unknown) => call(ctx(), { method: 'PATCH', url: ordersUrl(orderId, rest), auth: m, body });

  it('captured_amount: 0, -1, 1.5, "100", null, 2^53, 1e300, 200000001 and a missing value are 400 naming captured_amount', async () => {
    const order = await createOrder(ctx(), m);
    for (const v of [0, -1, 1.5, '100', null, 2 ** 53, 200_000_001, true, [1], { amount: 1 }]) {
      await rejected(order.order_id, 'captured_amount', () => capture(ctx(), m, order.order_id, { captured_amount: v }));
    }
    await rejected(order.order_id, 'captured_amount', () => post(order.order_id, '/captures', '{"captured_amount": 1e300}'));
    await rejected(order.order_id, 'captured_amount', () => capture(ctx(), m, order.order_id, { description: 'no amount' }));
  });

  it('refunded_amount: the same invalid values are 400 naming refunded_amount', async () => {
    const order = await createOrder(ctx(), m);
    await capture(ctx(), m, order.order_id, { captured_amount: 5_000 });
    for (const v of [0, -1, 1.5, '100', null, 2 ** 53, 200_000_001]) {
      await rejected(order.order_id, 'refunded_amount', () => refund(ctx(), m, order.order_id, { refunded_amount: v }));
    }
    await rejected(order.order_id, 'refunded_amount', () => post(order.order_id, '/refunds', '{"refunded_amount": 1e300}'));
    await rejected(order.order_id, 'refunded_amount', () => refund(ctx(), m, order.order_id, {}));
  });

  it('capture and refund description and reference: 255 characters pass, 256 fail', async () => {
    const order = await createOrder(ctx(), m);
    for (const field of ['description', 'reference']) {
      await rejected(order.order_id, field, () => capture(ctx(), m, order.order_id, { captured_amount: 100, [field]: text(256) }));
      const ok = await capture(ctx(), m, order.order_id, { captured_amount: 100, [field]: text(255) });
      assert.equal(ok.statusCode, 201, ok.body);
      await rejected(order.order_id, field, () => refund(ctx(), m, order.order_id, { refunded_amount: 10, [field]: text(256) }));
      const r = await refund(ctx(), m, order.order_id, { refunded_amount: 10, [field]: text(255) });
      assert.equal(r.statusCode, 201, r.body);
      const got = (await call(ctx(), { method: 'GET', url: String(r.headers.location), auth: m })).json() as Json;
      assert.equal(got[field], text(255));
    }
  });

  it('capture order_lines: 1000 pass, 1001 fail', async () => {
    const order = await createOrder(ctx(), m);
    await rejected(order.order_id, 'order_lines', () => capture(ctx(), m, order.order_id, { captured_amount: 1_001, order_lines: unitLines(1_001) }));
    const ok = await capture(ctx(), m, order.order_id, { captured_amount: 1_000, order_lines: unitLines(1_000) });
    assert.equal(ok.statusCode, 201, ok.body);
    const c = (await call(ctx(), { method: 'GET', url: String(ok.headers.location), auth: m })).json() as Json;
    assert.equal((c.order_lines as Json[]).length, 1_000);
  });

  it('refund order_lines: 1000 pass, 1001 fail', async () => {
    const order = await createOrder(ctx(), m);
    await capture(ctx(), m, order.order_id, { captured_amount: 5_000 });
    await rejected(order.order_id, 'order_lines', () => refund(ctx(), m, order.order_id, { refunded_amount: 1_001, order_lines: unitLines(1_001) }));
    const ok = await refund(ctx(), m, order.order_id, { refunded_amount: 1_000, order_lines: unitLines(1_000) });
    assert.equal(ok.statusCode, 201, ok.body);
  });

  it('authorization order_lines: 1000 pass, 1001 fail; description 255 passes, 256 fails', async () => {
    const order = await createOrder(ctx(), m);
    await rejected(order.order_id, 'order_lines', () => patch(order.order_id, '/authorization', { order_amount: 10_010, order_lines: unitLines(1_001, 10) }));
    await rejected(order.order_id, 'description', () =>
      patch(order.order_id, '/authorization', { order_amount: 10_000, description: text(256), order_lines: unitLines(1_000, 10) }),
    );
    const ok = await patch(order.order_id, '/authorization', { order_amount: 10_000, description: text(255), order_lines: unitLines(1_000, 10) });
    assert.equal(ok.statusCode, 204, ok.body);
    assert.equal(((await getOrder(ctx(), m, order.order_id)).order_lines as Json[]).length, 1_000);
  });

  it('shipping_info: 500 items pass and 501 fail on a capture, an order and a capture follow-up', async () => {
    const order = await createOrder(ctx(), m);
    await rejected(order.order_id, 'shipping_info', () => capture(ctx(), m, order.order_id, { captured_amount: 100, shipping_info: shippingItems(501) }));
    const c = await capture(ctx(), m, order.order_id, { captured_amount: 100, shipping_info: shippingItems(500) });
    assert.equal(c.statusCode, 201, c.body);
    await rejected(order.order_id, 'shipping_info', () => post(order.order_id, '/shipping-info', { shipping_info: shippingItems(501) }));
    await rejected(order.order_id, 'shipping_info', () => post(order.order_id, '/shipping-info', { shipping_info: [] }));
    await rejected(order.order_id, 'shipping_info', () => post(order.order_id, '/shipping-info', {}));
    assert.equal((await post(order.order_id, '/shipping-info', { shipping_info: shippingItems(500) })).statusCode, 204);
    const capUrl = `/captures/${String(c.headers['capture-id'])}/shipping-info`;
    await rejected(order.order_id, 'shipping_info', () => post(order.order_id, capUrl, { shipping_info: shippingItems(501) }));
    assert.equal((await post(order.order_id, capUrl, { shipping_info: shippingItems(500) })).statusCode, 204);
    const o = await getOrder(ctx(), m, order.order_id);
    assert.equal((o.shipping_info as Json[]).length, 500);
    assert.equal(((o.captures as Json[])[0]!.shipping_info as Json[]).length, 1_000);
  });

  it('shipping_info fields: shipping_company 100 passes, 101 fails; tracking_uri 1024 passes, 1025 fails', async () => {
    const order = await createOrder(ctx(), m);
    await rejected(order.order_id, 'shipping_info[0].shipping_company', () => post(order.order_id, '/shipping-info', { shipping_info: [{ shipping_company: text(101) }] }));
    await rejected(order.order_id, 'shipping_info[0].tracking_uri', () => post(order.order_id, '/shipping-info', { shipping_info: [{ tracking_uri: text(1025) }] }));
    const ok = await post(order.order_id, '/shipping-info', { shipping_info: [{ shipping_company: text(100), tracking_uri: text(1024) }] });
    assert.equal(ok.statusCode, 204, ok.body);
  });

  it('shipping_delay: -1 and 1.5 fail, 0 passes', async () => {
    const order = await createOrder(ctx(), m);
    await rejected(order.order_id, 'shipping_delay', () => capture(ctx(), m, order.order_id, { captured_amount: 100, shipping_delay: -1 }));
    await rejected(order.order_id, 'shipping_delay', () => capture(ctx(), m, order.order_id, { captured_amount: 100, shipping_delay: 1.5 }));
    assert.equal((await capture(ctx(), m, order.order_id, { captured_amount: 100, shipping_delay: 0 })).statusCode, 201);
  });

  it('order line rules inside a capture: name 256, negative quantity, unknown type and wrong total are 400 naming the line field', async () => {
    const order = await createOrder(ctx(), m);
    const line = { name: 'Item', quantity: 1, unit_price: 100, total_amount: 100 };
    const cases: [Json, string][] = [
      [{ ...line, name: text(256) }, 'order_lines[0].name'],
      [{ ...line, quantity: -1 }, 'order_lines[0].quantity'],
      [{ ...line, type: 'spaceship' }, 'order_lines[0].type'],
      [{ ...line, total_amount: 99 }, 'order_lines[0].total_amount'],
      [{ quantity: 1, unit_price: 100, total_amount: 100 }, 'order_lines[0].name'],
    ];
    for (const [bad, field] of cases) {
      await rejected(order.order_id, field, () => capture(ctx(), m, order.order_id, { captured_amount: 100, order_lines: [bad] }));
    }
    const ok = await capture(ctx(), m, order.order_id, { captured_amount: 100, order_lines: [{ ...line, name: text(255), type: 'return_fee' }] });
    assert.equal(ok.statusCode, 201, ok.body);
  });

  it('bodies that are not JSON objects are 400 BAD_VALUE naming the body', async () => {
    const order = await createOrder(ctx(), m);
    for (const raw of ['{"captured_amount": ', '[]', '"capture"', '42', 'null']) {
      await rejected(order.order_id, 'body', () => post(order.order_id, '/captures', raw));
    }
    await rejected(order.order_id, 'body', () => call(ctx(), { method: 'POST', url: ordersUrl(order.order_id, '/captures'), auth: m }));
  });

  it('merchant references: 255 passes, 256 fails; a number is taken as text as Klarna does', async () => {
    const order = await createOrder(ctx(), m);
    await rejected(order.order_id, 'merchant_reference2', () => patch(order.order_id, '/merchant-references', { merchant_reference2: text(256) }));
    assert.equal((await patch(order.order_id, '/merchant-references', { merchant_reference2: text(255) })).statusCode, 204);
    assert.equal((await patch(order.order_id, '/merchant-references', { merchant_reference1: 75001 })).statusCode, 204);
    const o = await getOrder(ctx(), m, order.order_id);
    assert.equal(o.merchant_reference1, '75001');
    assert.equal(o.merchant_reference2, text(255));
  });

  it('customer-details address fields: given_name 100 passes, 101 fails; a malformed or unassigned country is 400', async () => {
    const order = await createOrder(ctx(), m);
    await rejected(order.order_id, 'shipping_address.given_name', () => patch(order.order_id, '/customer-details', { shipping_address: { given_name: text(101) } }));
    await rejected(order.order_id, 'shipping_address.country', () => patch(order.order_id, '/customer-details', { shipping_address: { country: 'SWE' } }));
    await rejected(order.order_id, 'shipping_address.country', () => patch(order.order_id, '/customer-details', { shipping_address: { country: 'XX' } }));
    assert.equal((await patch(order.order_id, '/customer-details', { shipping_address: { given_name: text(100) } })).statusCode, 204);
  });
});
