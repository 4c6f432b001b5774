// The TypeScript client generated from the OpenAPI document (clients/typescript/) against a real
// server on a real port: what the document promises is what a generated client gets.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { before, it } from 'node:test';
import { createOpenOMClient } from '../../clients/typescript/client.js';
import { CAPTURE_REQUEST_EXAMPLE, ORDER_INTAKE_EXAMPLE } from '../../src/http/schemas/examples.js';
import { ADMIN_TOKEN, describeOnBothStores } from '../support/harness.js';

describeOnBothStores('the generated TypeScript client', (ctx) => {
  let baseUrl = '';
  before(async () => {
    await ctx().app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(ctx().app.server.address() as AddressInfo).port}`;
  });

  it('creates a capture and reads the order, with typed bodies, headers and error bodies', async () => {
    const admin = createOpenOMClient(baseUrl, { adminToken: ADMIN_TOKEN });
    const merchant = (await admin.POST('/admin/v1/merchants', { body: { name: 'Typed client AB' } })).data;
    assert.ok(merchant, 'merchant created');
    const created = await admin.POST('/admin/v1/merchants/{merchant_id}/orders', {
      params: { path: { merchant_id: merchant.merchant_id } },
      body: ORDER_INTAKE_EXAMPLE,
    });
    assert.equal(created.response.status, 201);
    const orderId = created.data!.order_id;

    const shop = createOpenOMClient(baseUrl, { username: merchant.username, password: merchant.password });
    const captured = await shop.POST('/ordermanagement/v1/orders/{order_id}/captures', {
      params: { path: { order_id: orderId }, header: { 'Klarna-Idempotency-Key': `typed-${orderId}` } },
      body: CAPTURE_REQUEST_EXAMPLE,
    });
    assert.equal(captured.response.status, 201);
    const captureId = captured.response.headers.get('Capture-Id');
    assert.equal(captured.response.headers.get('Location'), `${baseUrl}/ordermanagement/v1/orders/${orderId}/captures/${captureId}`);

    const { data: order, response } = await shop.GET('/ordermanagement/v1/orders/{order_id}', { params: { path: { order_id: orderId } } });
    assert.equal(response.status, 200);
    assert.ok(response.headers.get('Klarna-Correlation-Id'));
    assert.equal(order?.status, 'PART_CAPTURED');
    assert.equal(order?.captured_amount, CAPTURE_REQUEST_EXAMPLE.captured_amount);
    assert.deepEqual(order?.captures.map((c) => [c.capture_id, c.reference]), [[captureId, CAPTURE_REQUEST_EXAMPLE.reference]]);

    const refused = await shop.POST('/ordermanagement/v1/orders/{order_id}/captures', {
      params: { path: { order_id: orderId } },
      body: { captured_amount: order!.remaining_authorized_amount + 1 },
    });
    assert.equal(refused.response.status, 403);
    assert.equal(refused.error?.error_code, 'CAPTURE_NOT_ALLOWED');
    assert.equal(refused.error?.correlation_id, refused.response.headers.get('Klarna-Correlation-Id'));
  });
});
