// GET /ordermanagement/v1/orders/{order_id} (seed 004): the order exactly as the admin intake
// returned it, with absent optional values omitted, and GET …/captures.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { call, createMerchant, describeOnBothStores, errorOf, ordersUrl, type Json, type MerchantCredentials } from '../support/harness.js';
import { fullOrderBody } from '../support/fullOrder.js';

/** The order object's fields in seed 004. */
const SEED_ORDER_FIELDS = [
  'billing_address', 'captured_amount', 'captures', 'created_at', 'customer', 'expires_at', 'fraud_status',
  'initial_payment_method', 'klarna_reference', 'locale', 'merchant_data', 'merchant_reference1', 'merchant_reference2',
  'order_amount', 'order_id', 'order_lines', 'original_order_amount', 'purchase_country', 'purchase_currency',
  'refunded_amount', 'refunds', 'remaining_authorized_amount', 'selected_shipping_option', 'shipping_address',
  'shipping_info', 'status',
].sort();

function nullPaths(value: unknown, path = ''): string[] {
  if (value === null) return [path];
  if (typeof value !== 'object') return [];
  return Object.entries(value as Json).flatMap(([k, v]) => nullPaths(v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`));
}

describeOnBothStores('GET order', (ctx) => {
  let shop: MerchantCredentials;
  let full: Json & { order_id: string };
  let minimal: Json & { order_id: string };

  before(async () => {
    shop = await createMerchant(ctx(), 'Reader AB');
    const a = await call(ctx(), { method: 'POST', url: `/admin/v1/merchants/${shop.merchant_id}/orders`, auth: 'admin', body: fullOrderBody() });
    assert.equal(a.statusCode, 201, a.body);
    full = a.json() as Json & { order_id: string };
    const b = await call(ctx(), {
      method: 'POST',
      url: `/admin/v1/merchants/${shop.merchant_id}/orders`,
      auth: 'admin',
      body: { purchase_country: 'NO', purchase_currency: 'NOK', order_amount: 700, order_lines: [{ name: 'Plain', quantity: 1, unit_price: 700, total_amount: 700 }] },
    });
    assert.equal(b.statusCode, 201, b.body);
    minimal = b.json() as Json & { order_id: string };
  });

  it('answers 200 JSON with the Klarna-Correlation-Id header', async () => {
    const res = await call(ctx(), { method: 'GET', url: ordersUrl(full.order_id), auth: shop });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.ok(res.headers['klarna-correlation-id']);
  });

  it('returns every field exactly as the admin intake returned it, field by field', async () => {
    const got = (await call(ctx(), { method: 'GET', url: ordersUrl(full.order_id), auth: shop })).json() as Json;
    assert.deepEqual(Object.keys(got).sort(), Object.keys(full).sort());
    for (const field of Object.keys(full)) assert.deepEqual(got[field], full[field], `${field} differs between intake and GET`);
  });

  it('a fully populated order carries exactly the order object fields of seed 004', async () => {
    const got = (await call(ctx(), { method: 'GET', url: ordersUrl(full.order_id), auth: shop })).json() as Json;
    assert.deepEqual(Object.keys(got).sort(), SEED_ORDER_FIELDS);
  });

  it('serves the stored order lines, addresses, customer, payment method and shipping option as sent', async () => {
    const got = (await call(ctx(), { method: 'GET', url: ordersUrl(full.order_id), auth: shop })).json() as Json;
    const sent = fullOrderBody();
    for (const field of ['order_lines', 'billing_address', 'shipping_address', 'customer', 'initial_payment_method', 'selected_shipping_option', 'merchant_reference1', 'merchant_reference2', 'merchant_data', 'purchase_country', 'purchase_currency', 'locale', 'order_amount']) {
      assert.deepEqual(got[field], sent[field], field);
    }
    assert.equal(got.status, 'AUTHORIZED');
    assert.equal(got.fraud_status, 'ACCEPTED');
    assert.equal(got.original_order_amount, 10_000);
    assert.equal(got.captured_amount, 0);
    assert.equal(got.refunded_amount, 0);
    assert.equal(got.remaining_authorized_amount, 10_000);
    assert.deepEqual(got.captures, []);
    assert.deepEqual(got.refunds, []);
    assert.deepEqual(got.shipping_info, []);
  });

  it('absent optional values are omitted, never null', async () => {
    const res = await call(ctx(), { method: 'GET', url: ordersUrl(minimal.order_id), auth: shop });
    assert.equal(res.statusCode, 200);
    const got = res.json() as Json;
    assert.deepEqual(nullPaths(got), []);
    for (const field of ['billing_address', 'shipping_address', 'customer', 'initial_payment_method', 'selected_shipping_option', 'merchant_reference1', 'merchant_reference2', 'merchant_data']) {
      assert.ok(!(field in got), `${field} present: ${JSON.stringify(got[field])}`);
    }
    assert.deepEqual(got.order_lines, [{ name: 'Plain', quantity: 1, unit_price: 700, total_amount: 700 }]);
    assert.equal(got.locale, 'en-US');
    assert.deepEqual(got, minimal);
  });

  it('accepts the Klarna-Integrator header (and a missing User-Agent)', async () => {
    const res = await ctx().app.inject({
      method: 'GET',
      url: ordersUrl(full.order_id),
      headers: {
        authorization: `Basic ${Buffer.from(`${shop.username}:${shop.password}`).toString('base64')}`,
        'klarna-integrator': 'SDK/kco_rest_php/4.2.0 (PHP 8.2)',
      },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as Json).order_id, full.order_id);
  });

  it('an order id that is an unknown UUID → 404 NO_SUCH_ORDER', async () => {
    const res = await call(ctx(), { method: 'GET', url: ordersUrl('6f1c2a0e-3b4d-4c5e-8f90-123456789abc'), auth: shop });
    assert.equal(res.statusCode, 404, res.body.slice(0, 300));
    assert.equal(errorOf(res).error_code, 'NO_SUCH_ORDER');
  });

  // Fastify's router would answer ids over 100 characters with its own 414; app.ts raises the limit.
  for (const [what, id] of [
    ['a plain word', 'not-a-uuid'],
    ['a number', '12345'],
    ['a UUID with a trailing character', '6f1c2a0e-3b4d-4c5e-8f90-123456789abcd'],
    ['SQL', "x'%20or%20'1'='1"],
    ['100 characters long', 'a'.repeat(100)],
    ['101 characters long', 'a'.repeat(101)],
    ['2000 characters long', 'a'.repeat(2000)],
  ] as const) {
    it(`an order id that is ${what} → 400 BAD_VALUE naming order_id`, async () => {
      const res = await call(ctx(), { method: 'GET', url: ordersUrl(id), auth: shop });
      assert.equal(res.statusCode, 400, res.body.slice(0, 300));
      assert.deepEqual(errorOf(res).error_messages, ['Bad value: order_id (must be a UUID)']);
    });
  }

  it('an order id longer than the router takes (4096 characters) → 400 BAD_VALUE too, not a 404 or 414', async () => {
    const res = await call(ctx(), { method: 'GET', url: ordersUrl('a'.repeat(5000)), auth: shop });
    assert.equal(res.statusCode, 400, res.body.slice(0, 300));
    assert.match(errorOf(res).error_messages[0]!, /^Bad value: an id in the path of \/ordermanagement\/v1\/orders\/a+… \(must be a UUID\)$/);
  });

  it('GET …/captures on a new order → 200 []', async () => {
    const res = await call(ctx(), { method: 'GET', url: ordersUrl(full.order_id, '/captures'), auth: shop });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), []);
  });

  it('GET …/captures of an unknown order → 404 NO_SUCH_ORDER, of a non-UUID one → 400 BAD_VALUE', async () => {
    const unknown = await call(ctx(), { method: 'GET', url: ordersUrl('6f1c2a0e-3b4d-4c5e-8f90-123456789abc', '/captures'), auth: shop });
    assert.equal(unknown.statusCode, 404);
    assert.equal(errorOf(unknown).error_code, 'NO_SUCH_ORDER');
    const malformed = await call(ctx(), { method: 'GET', url: ordersUrl('nope', '/captures'), auth: shop });
    assert.equal(malformed.statusCode, 400);
    assert.equal(errorOf(malformed).error_code, 'BAD_VALUE');
  });

  it('reading an order changes nothing: two GETs are identical', async () => {
    const one = (await call(ctx(), { method: 'GET', url: ordersUrl(full.order_id), auth: shop })).body;
    const two = (await call(ctx(), { method: 'GET', url: ordersUrl(full.order_id), auth: shop })).body;
    assert.equal(one, two);
  });
});
