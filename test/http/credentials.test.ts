// Rotating a merchant's credentials (CONTRACT §3): POST /admin/v1/merchants/{merchant_id}/credentials
// gives a new password, shown once; the old one is refused at once, also where it was cached and
// also by another instance on the same store, and the merchant's portal sessions end.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { openStore, type Store } from '../../src/store/dialect.js';
import { call, createMerchant, createOrder, describeOnBothStores, errorOf, ordersUrl, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { portalLogin } from '../support/portal.js';

const rotate = (t: TestApp, merchantId: string) => call(t, { method: 'POST', url: `/admin/v1/merchants/${merchantId}/credentials`, auth: 'admin' });

async function rotated(t: TestApp, merchant: MerchantCredentials): Promise<MerchantCredentials> {
  const res = await rotate(t, merchant.merchant_id);
  assert.equal(res.statusCode, 200, res.body);
  return res.json<MerchantCredentials>();
}

/** GET an order as `who` through `app` (default: the test app): the status code. */
async function readOrder(app: FastifyInstance, who: MerchantCredentials, orderId: string): Promise<number> {
  const authorization = `Basic ${Buffer.from(`${who.username}:${who.password}`).toString('base64')}`;
  return (await app.inject({ method: 'GET', url: ordersUrl(orderId), headers: { authorization } })).statusCode;
}

describeOnBothStores('merchant credentials rotation', (ctx) => {
  it('→ 200 {merchant_id, username, password}: a new password that works, the same username, nothing else', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const order = await createOrder(t, merchant);
    const next = await rotated(t, merchant);
    assert.deepEqual(Object.keys(next).sort(), ['merchant_id', 'password', 'username']);
    assert.equal(next.merchant_id, merchant.merchant_id);
    assert.equal(next.username, merchant.username);
    assert.notEqual(next.password, merchant.password);
    assert.ok(next.password.length >= 24);
    assert.equal(await readOrder(t.app, next, order.order_id), 200);
  });

  it('the old password is refused at once (401), though it was just used and cached', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const order = await createOrder(t, merchant);
    assert.equal(await readOrder(t.app, merchant, order.order_id), 200);
    assert.equal(await readOrder(t.app, merchant, order.order_id), 200);
    await rotated(t, merchant);
    const res = await call(t, { method: 'GET', url: ordersUrl(order.order_id), auth: merchant });
    assert.equal(res.statusCode, 401);
    assert.equal(errorOf(res).error_code, 'UNAUTHORIZED');
  });

  it("ends the merchant's portal sessions, not another merchant's", async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const bystander = await createMerchant(t, 'Bystander AB');
    const session = await portalLogin(t, merchant);
    const other = await portalLogin(t, bystander);
    assert.equal((await session.get('/portal/orders')).statusCode, 200);
    await rotated(t, merchant);
    const after = await session.get('/portal/orders');
    assert.equal(after.statusCode, 303);
    assert.equal(after.headers.location, '/portal/login');
    assert.equal((await other.get('/portal/orders')).statusCode, 200);
  });

  it('an unknown merchant → 404 NOT_FOUND; without the admin token → 401 and nothing changes', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const order = await createOrder(t, merchant);
    const unknown = await rotate(t, '00000000-0000-4000-8000-000000000000');
    assert.equal(unknown.statusCode, 404);
    assert.equal(errorOf(unknown).error_code, 'NOT_FOUND');
    const anonymous = await call(t, { method: 'POST', url: `/admin/v1/merchants/${merchant.merchant_id}/credentials`, auth: merchant });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(await readOrder(t.app, merchant, order.order_id), 200);
  });

  it('another instance on the same store that cached the old password refuses it at once too', async () => {
    const t = ctx();
    // A second instance: its own app (so its own credential cache) and, on PostgreSQL, its own connections.
    let otherStore: Store = t.store;
    if (t.storeConfig.kind === 'postgres') otherStore = openStore(t.storeConfig, { merchantClocks: true });
    const other = await buildApp({ config: t.config, store: otherStore, readiness: { migrated: true }, adminTokenDigest: () => undefined });
    after(async () => {
      await other.close();
      if (otherStore !== t.store) await otherStore.close();
    });
    const merchant = await createMerchant(t);
    const order = await createOrder(t, merchant);
    assert.equal(await readOrder(other, merchant, order.order_id), 200, 'the other instance caches the password');
    const next = await rotated(t, merchant);
    assert.equal(await readOrder(other, merchant, order.order_id), 401);
    assert.equal(await readOrder(other, next, order.order_id), 200);
  });

  it('the OpenAPI document names the operation and its response schema', async () => {
    const doc = (await ctx().app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { operationId: string; responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }> }>> }>();
    const op = doc.paths['/admin/v1/merchants/{merchant_id}/credentials']?.post;
    assert.equal(op?.operationId, 'rotateMerchantCredentials');
    assert.equal(op?.responses['200']?.content['application/json']?.schema.$ref, '#/components/schemas/MerchantCredentials');
  });
});
