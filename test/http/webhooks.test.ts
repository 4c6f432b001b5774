// The webhook endpoints API (CONTRACT §7): register, list, delete, deliveries and their paging, the
// same API for operators under /admin/v1/merchants/{id}/webhooks, and its validation. Deliveries
// themselves (signatures, retries, resend) are in test/worker/deliveries.test.ts.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { WEBHOOK_EVENT_TYPES } from '../../src/domain/webhookEvents.js';
import { call, createMerchant, createOrder, describeOnBothStores, errorOf, startTestApp, type Json, type MerchantCredentials, type TestApp } from '../support/harness.js';

const sandbox = (rest = '') => `/sandbox/v1/webhooks${rest}`;
const admin = (merchantId: string, rest = '') => `/admin/v1/merchants/${merchantId}/webhooks${rest}`;

async function register(t: TestApp, m: MerchantCredentials, body: Json = { url: 'https://shop.example/hooks', events: ['order.created'] }) {
  const res = await call(t, { method: 'POST', url: sandbox(), auth: m, body });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { webhook_id: string; url: string; events: string[]; signing_secret: string; created_at: string };
}

async function listOf(t: TestApp, m: MerchantCredentials) {
  const res = await call(t, { method: 'GET', url: sandbox(), auth: m });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { webhooks: Json[] }).webhooks;
}

describeOnBothStores('webhooks API', (ctx) => {
  let m: MerchantCredentials;
  let other: MerchantCredentials;
  before(async () => {
    m = await createMerchant(ctx(), 'Hooks AB');
    other = await createMerchant(ctx(), 'Other Hooks AB');
  });

  it('POST registers an endpoint: 201 with its id, url, events in catalogue order (each once), a signing secret and created_at', async () => {
    const body = { url: 'https://shop.example/hooks?tenant=1', events: ['refund.created', 'order.created', 'refund.created'] };
    const created = await register(ctx(), m, body);
    assert.match(created.webhook_id, /^[0-9a-f-]{36}$/);
    assert.equal(created.url, body.url);
    assert.deepEqual(created.events, ['order.created', 'refund.created']);
    assert.match(created.signing_secret, /^whsec_[A-Za-z0-9_-]{32}$/);
    assert.match(created.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const second = await register(ctx(), m, { url: 'http://127.0.0.1:9/x', events: [...WEBHOOK_EVENT_TYPES] });
    assert.notEqual(second.signing_secret, created.signing_secret);
  });

  it('GET lists the endpoints without their secrets', async () => {
    const list = await listOf(ctx(), m);
    assert.ok(list.length >= 2);
    for (const w of list) {
      assert.deepEqual(Object.keys(w).sort(), ['created_at', 'events', 'url', 'webhook_id']);
    }
    assert.deepEqual(await listOf(ctx(), other), []);
  });

  it('a bad url or events list is 400 BAD_VALUE naming the field, and registers nothing', async () => {
    const fresh = await createMerchant(ctx(), 'Validating Hooks AB');
    const cases: [Json, RegExp][] = [
      [{ url: 'ftp://shop.example/hooks', events: ['order.created'] }, /^Bad value: url /],
      [{ url: 'not a url', events: ['order.created'] }, /^Bad value: url /],
      [{ url: 'https://shop.example/\u0000hooks', events: ['order.created'] }, /^Bad value: url /],
      [{ url: 'https://shop.example/\ud800', events: ['order.created'] }, /^Bad value: url /],
      [{ url: `https://shop.example/${'a'.repeat(2_000)}`, events: ['order.created'] }, /^Bad value: url /],
      [{ events: ['order.created'] }, /^Bad value: url /],
      [{ url: 'https://shop.example/hooks', events: [] }, /^Bad value: events /],
      [{ url: 'https://shop.example/hooks' }, /^Bad value: events /],
      [{ url: 'https://shop.example/hooks', events: ['order.created', 'order.shipped'] }, /^Bad value: events\[1\] /],
      [{ url: 'https://shop.example/hooks', events: 'order.created' }, /^Bad value: events /],
    ];
    for (const [body, message] of cases) {
      const res = await call(ctx(), { method: 'POST', url: sandbox(), auth: fresh, body });
      assert.equal(res.statusCode, 400, `${JSON.stringify(body).slice(0, 80)}: ${res.body}`);
      const e = errorOf(res);
      assert.equal(e.error_code, 'BAD_VALUE');
      assert.match(e.error_messages[0]!, message);
    }
    // Exactly 2,000 characters is allowed.
    const url = `https://shop.example/${'a'.repeat(2_000 - 'https://shop.example/'.length)}`;
    assert.equal(url.length, 2_000);
    assert.equal((await register(ctx(), fresh, { url, events: ['order.created'] })).url, url);
    assert.equal((await listOf(ctx(), fresh)).length, 1);
  });

  it('deliveries: one per event and endpoint, newest first, with the event id and type, status, attempts and when the next is due', async () => {
    const t = ctx();
    const fresh = await createMerchant(t, 'Deliveries AB');
    const hook = await register(t, fresh, { url: 'https://shop.example/hooks', events: ['order.created'] });
    const orders = [await createOrder(t, fresh), await createOrder(t, fresh), await createOrder(t, fresh)];
    const res = await call(t, { method: 'GET', url: sandbox(`/${hook.webhook_id}/deliveries`), auth: fresh });
    assert.equal(res.statusCode, 200, res.body);
    const { deliveries } = res.json() as { deliveries: Json[] };
    assert.deepEqual(
      deliveries.map((d) => d.order_id),
      orders.map((o) => o.order_id).reverse(),
    );
    const d = deliveries[0]!;
    assert.match(String(d.delivery_id), /^\d+$/);
    assert.match(String(d.event_id), /^kevt_[0-9a-f]{24}$/);
    assert.equal(d.event_type, 'order.created');
    // This test app runs no worker: nothing has been attempted yet.
    assert.equal(d.status, 'pending');
    assert.equal(d.attempt_count, 0);
    assert.deepEqual(d.attempts, []);
    assert.ok(Math.abs(Date.parse(String(d.next_attempt_at)) - Date.now()) < 5_000);
    assert.equal(d.created_at, orders[2]!.created_at);

    const page1 = (await call(t, { method: 'GET', url: sandbox(`/${hook.webhook_id}/deliveries?limit=2`), auth: fresh })).json() as { deliveries: Json[] };
    assert.equal(page1.deliveries.length, 2);
    const page2 = await call(t, { method: 'GET', url: sandbox(`/${hook.webhook_id}/deliveries?limit=2&before=${String(page1.deliveries[1]!.delivery_id)}`), auth: fresh });
    assert.deepEqual(
      (page2.json() as { deliveries: Json[] }).deliveries.map((x) => x.order_id),
      [orders[0]!.order_id],
    );
    for (const query of ['limit=0', 'limit=101', 'limit=x', 'before=-1']) {
      const bad = await call(t, { method: 'GET', url: sandbox(`/${hook.webhook_id}/deliveries?${query}`), auth: fresh });
      assert.equal(bad.statusCode, 400, `${query}: ${bad.body}`);
      assert.equal(errorOf(bad).error_code, 'BAD_VALUE');
    }
  });

  it('an endpoint only receives the events it subscribed to', async () => {
    const t = ctx();
    const fresh = await createMerchant(t, 'Subscribed AB');
    const captures = await register(t, fresh, { url: 'https://shop.example/captures', events: ['capture.created'] });
    const order = await createOrder(t, fresh);
    const c = await call(t, { method: 'POST', url: `/ordermanagement/v1/orders/${order.order_id}/captures`, auth: fresh, body: { captured_amount: 100 } });
    assert.equal(c.statusCode, 201, c.body);
    const { deliveries } = (await call(t, { method: 'GET', url: sandbox(`/${captures.webhook_id}/deliveries`), auth: fresh })).json() as { deliveries: Json[] };
    assert.deepEqual(
      deliveries.map((d) => d.event_type),
      ['capture.created'],
    );
  });

  it("DELETE removes the endpoint (204) and cancels its pending deliveries; another merchant's endpoint is 404 NOT_FOUND", async () => {
    const t = ctx();
    const fresh = await createMerchant(t, 'Deleting AB');
    const hook = await register(t, fresh);
    await createOrder(t, fresh);
    for (const req of [
      { method: 'DELETE' as const, url: sandbox(`/${hook.webhook_id}`) },
      { method: 'GET' as const, url: sandbox(`/${hook.webhook_id}/deliveries`) },
      { method: 'POST' as const, url: sandbox(`/${hook.webhook_id}/deliveries/1/resend`) },
    ]) {
      const res = await call(t, { ...req, auth: other });
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(errorOf(res).error_code, 'NOT_FOUND');
    }
    const deleted = await call(t, { method: 'DELETE', url: sandbox(`/${hook.webhook_id}`), auth: fresh });
    assert.equal(deleted.statusCode, 204, deleted.body);
    assert.equal(deleted.body, '');
    assert.deepEqual(await listOf(t, fresh), []);
    const jobs = await t.store.db.selectFrom('jobs').select('state').where('webhook_id', '=', hook.webhook_id).execute();
    assert.deepEqual(
      jobs.map((j) => j.state),
      ['cancelled'],
    );
    const again = await call(t, { method: 'DELETE', url: sandbox(`/${hook.webhook_id}`), auth: fresh });
    assert.equal(again.statusCode, 404);
    const unknown = await call(t, { method: 'GET', url: sandbox('/00000000-0000-0000-0000-000000000000/deliveries'), auth: fresh });
    assert.equal(unknown.statusCode, 404, unknown.body);
    assert.equal(errorOf(unknown).error_code, 'NOT_FOUND');
    for (const id of ['nope', 'x'.repeat(500)]) {
      const res = await call(t, { method: 'GET', url: sandbox(`/${id}/deliveries`), auth: fresh });
      assert.equal(res.statusCode, 400, res.body);
      assert.deepEqual(errorOf(res).error_messages, ['Bad value: webhook_id (must be a UUID)']);
    }
  });

  it('resending an unknown delivery of an own endpoint is 404 NOT_FOUND naming the delivery; a delivery id that is no positive integer is 400 BAD_VALUE', async () => {
    const t = ctx();
    const hook = await register(t, m);
    const unknown = await call(t, { method: 'POST', url: sandbox(`/${hook.webhook_id}/deliveries/999999999/resend`), auth: m });
    assert.equal(unknown.statusCode, 404, unknown.body);
    assert.match(errorOf(unknown).error_messages[0]!, /^Delivery /);
    for (const id of ['abc', '0', '1'.repeat(40)]) {
      const res = await call(t, { method: 'POST', url: sandbox(`/${hook.webhook_id}/deliveries/${id}/resend`), auth: m });
      assert.equal(res.statusCode, 400, res.body);
      assert.match(errorOf(res).error_messages[0]!, /^Bad value: delivery_id \(/);
    }
  });

  it('the sandbox API needs merchant Basic auth: 401 without it, and the admin token is not a merchant', async () => {
    for (const auth of ['none', 'admin'] as const) {
      const res = await call(ctx(), { method: 'GET', url: sandbox(), auth });
      assert.equal(res.statusCode, 401);
      assert.equal(errorOf(res).error_code, 'UNAUTHORIZED');
    }
  });

  it("the same API under /admin/v1/merchants/{merchant_id}/webhooks with the admin token manages that merchant's endpoints", async () => {
    const t = ctx();
    const fresh = await createMerchant(t, 'Operated AB');
    const res = await call(t, { method: 'POST', url: admin(fresh.merchant_id), auth: 'admin', body: { url: 'https://shop.example/ops', events: ['capture.created'] } });
    assert.equal(res.statusCode, 201, res.body);
    const hook = res.json() as { webhook_id: string; signing_secret: string };
    assert.match(hook.signing_secret, /^whsec_/);
    // The merchant sees it; the admin list shows it without the secret.
    assert.deepEqual(
      (await listOf(t, fresh)).map((w) => w.webhook_id),
      [hook.webhook_id],
    );
    const list = await call(t, { method: 'GET', url: admin(fresh.merchant_id), auth: 'admin' });
    assert.deepEqual(
      (list.json() as { webhooks: Json[] }).webhooks.map((w) => Object.keys(w).sort()),
      [['created_at', 'events', 'url', 'webhook_id']],
    );
    const deliveries = await call(t, { method: 'GET', url: admin(fresh.merchant_id, `/${hook.webhook_id}/deliveries`), auth: 'admin' });
    assert.equal(deliveries.statusCode, 200, deliveries.body);
    // Another merchant's endpoint through this merchant's path is not found.
    const cross = await call(t, { method: 'DELETE', url: admin(other.merchant_id, `/${hook.webhook_id}`), auth: 'admin' });
    assert.equal(cross.statusCode, 404);
    const unknown = await call(t, { method: 'GET', url: admin('7d2c6a8e-1111-4222-8333-444455556666'), auth: 'admin' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(errorOf(unknown).error_code, 'NOT_FOUND');
    const malformed = await call(t, { method: 'GET', url: admin('no-such-merchant'), auth: 'admin' });
    assert.equal(malformed.statusCode, 400);
    assert.deepEqual(errorOf(malformed).error_messages, ['Bad value: merchant_id (must be a UUID)']);
    const asMerchant = await call(t, { method: 'GET', url: admin(fresh.merchant_id), auth: fresh });
    assert.equal(asMerchant.statusCode, 401);
    const bad = await call(t, { method: 'POST', url: admin(fresh.merchant_id), auth: 'admin', body: { url: 'https://shop.example', events: ['nope'] } });
    assert.equal(bad.statusCode, 400);
    assert.match(errorOf(bad).error_messages[0]!, /^Bad value: events\[0\] /);
    const del = await call(t, { method: 'DELETE', url: admin(fresh.merchant_id, `/${hook.webhook_id}`), auth: 'admin' });
    assert.equal(del.statusCode, 204);
    assert.deepEqual(await listOf(t, fresh), []);
  });
});

it('production mode: /sandbox/v1/webhooks is 404 NOT_FOUND and the admin webhooks API works', async () => {
  const t = await startTestApp('sqlite', { OPENOM_MODE: 'production' });
  try {
    const m = await createMerchant(t, 'Production Hooks AB');
    for (const req of [
      { method: 'GET' as const, url: sandbox() },
      { method: 'POST' as const, url: sandbox(), body: { url: 'https://shop.example/hooks', events: ['order.created'] } },
    ]) {
      const res = await call(t, { ...req, auth: m });
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(errorOf(res).error_code, 'NOT_FOUND');
    }
    const res = await call(t, { method: 'POST', url: admin(m.merchant_id), auth: 'admin', body: { url: 'https://shop.example/hooks', events: ['order.created'] } });
    assert.equal(res.statusCode, 201, res.body);
    const list = await call(t, { method: 'GET', url: admin(m.merchant_id), auth: 'admin' });
    assert.equal((list.json() as { webhooks: Json[] }).webhooks.length, 1);
  } finally {
    await t.close();
  }
});
