// GET responses are rendered as JSON text from stored fragments (src/store/orderDocuments.ts), not
// by the schema serializer: these tests hold every rendered document to the response schemas that
// /openapi.json publishes, for an order that has every optional part.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { FormatRegistry, Type } from '@sinclair/typebox';
import { componentSchemas } from '../../src/http/schemas/components.js';
import { CaptureResponse, OrderResponse, RefundResponse } from '../../src/http/schemas/orders.js';
import { fullOrderBody } from '../support/fullOrder.js';
import { call, capture, createMerchant, describeOnBothStores, ordersUrl, refund, type Json } from '../support/harness.js';

// Klarna renders timestamps as ISO 8601 UTC: 2025-11-19T01:51:17Z.
FormatRegistry.Set('date-time', (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(v) && !Number.isNaN(Date.parse(v)));

function assertConforms(schema: TSchema, body: unknown, what: string): void {
  const errors = [...Value.Errors(schema, componentSchemas(), body)].slice(0, 5).map((e) => `${e.path}: ${e.message}`);
  assert.deepEqual(errors, [], `${what} does not match its response schema`);
}

describeOnBothStores('rendered GET documents match the published response schemas', (ctx) => {
  it('order, captures, one capture and one refund of a fully populated order conform, with no null values', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const created = await call(t, { method: 'POST', url: `/admin/v1/merchants/${m.merchant_id}/orders`, auth: 'admin', body: fullOrderBody() });
    assert.equal(created.statusCode, 201, created.body);
    const order = created.json() as Json & { order_id: string; order_amount: number };
    assertConforms(OrderResponse, order, 'admin intake response');

    const shipping = [{ shipping_company: 'DHL SE', shipping_method: 'Home', tracking_number: '123', tracking_uri: 'https://t.example/123' }];
    const first = await capture(t, m, order.order_id, { captured_amount: 100, reference: 'c1', description: 'first', shipping_info: shipping, order_lines: [{ name: 'x', quantity: 1, unit_price: 100, total_amount: 100 }] });
    assert.equal(first.statusCode, 201, first.body);
    const second = await capture(t, m, order.order_id, { captured_amount: 50 });
    assert.equal(second.statusCode, 201, second.body);
    const captureId = String(first.headers['capture-id']);
    assert.equal((await call(t, { method: 'POST', url: ordersUrl(order.order_id, `/captures/${captureId}/shipping-info`), auth: m, body: { shipping_info: shipping } })).statusCode, 204);
    assert.equal((await call(t, { method: 'POST', url: ordersUrl(order.order_id, '/shipping-info'), auth: m, body: { shipping_info: shipping } })).statusCode, 204);
    const r = await refund(t, m, order.order_id, { refunded_amount: 120, reference: 'r1', description: 'back' });
    assert.equal(r.statusCode, 201, r.body);

    const got = await call(t, { method: 'GET', url: ordersUrl(order.order_id), auth: m });
    assert.equal(got.statusCode, 200);
    assert.doesNotMatch(got.body, /:null[,}]/, 'absent values are omitted, never null');
    const body = got.json() as Json & { captures: Json[]; refunds: Json[]; shipping_info: Json[] };
    assertConforms(OrderResponse, body, 'GET order');
    assert.equal(body.captures.length, 2);
    assert.equal((body.captures[0]!.shipping_info as Json[]).length, 2, 'capture shipping info from the capture and the later call');
    assert.equal((body.captures[1]!.shipping_info as Json[]).length, 0);
    assert.equal(body.shipping_info.length, 1, 'order-level shipping info only');
    assert.deepEqual(body.captures.map((c) => c.refunded_amount), [100, 20], 'refund drawn on the oldest capture first');

    const list = await call(t, { method: 'GET', url: ordersUrl(order.order_id, '/captures'), auth: m });
    assertConforms(Type.Array(CaptureResponse), list.json(), 'GET captures');
    assert.deepEqual(list.json(), body.captures);
    const one = await call(t, { method: 'GET', url: ordersUrl(order.order_id, `/captures/${captureId}`), auth: m });
    assertConforms(CaptureResponse, one.json(), 'GET capture');
    assert.deepEqual(one.json(), body.captures[0]);
    const refundRes = await call(t, { method: 'GET', url: String(r.headers.location), auth: m });
    assertConforms(RefundResponse, refundRes.json(), 'GET refund');
    assert.deepEqual(refundRes.json(), body.refunds[0]);
  });
});
