// Errors and headers (CONTRACT §2): the Klarna error body and a matching Klarna-Correlation-Id on
// every 4xx/5xx, for unknown routes, unsupported methods, bad JSON, wrong content types, oversized
// bodies and a failing store; no stack trace ever reaches a client.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { ERROR_CODES } from '../../src/domain/errorCodes.js';
import { bootstrap } from '../../src/bootstrap.js';
import { loadConfig, type StoreConfig } from '../../src/config.js';
import { openStore, type Store } from '../../src/store/dialect.js';
import { migrate } from '../../src/store/migrations.js';
import { ADMIN_TOKEN, call, createMerchant, createOrder, createTempPostgresDatabase, describeOnBothStores, errorOf, orderBody, ordersUrl, postgresOrSkip, type MerchantCredentials } from '../support/harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function assertError(res: LightMyRequestResponse, status: number, code: string): string[] {
  assert.equal(res.statusCode, status, res.body.slice(0, 500));
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const err = errorOf(res);
  assert.equal(err.error_code, code);
  assert.ok(err.error_messages.length > 0 && err.error_messages.every((m) => typeof m === 'string' && m.length > 0));
  assert.doesNotMatch(res.body, /\bat .*\.(ts|js|mjs):\d+|node_modules|node:internal/, 'stack trace leaked');
  return err.error_messages;
}

describeOnBothStores('errors', (ctx) => {
  let shop: MerchantCredentials;
  let orderId: string;
  before(async () => {
    shop = await createMerchant(ctx());
    orderId = (await createOrder(ctx(), shop)).order_id;
  });

  it('an unknown route → 404 NOT_FOUND with the error body', async () => {
    for (const url of ['/', '/nope', '/ordermanagement/v1', '/ordermanagement/v2/orders/x', '/admin/v1/nothing']) {
      assertError(await call(ctx(), { method: 'GET', url, auth: shop }), 404, 'NOT_FOUND');
    }
    assertError(await call(ctx(), { method: 'POST', url: ordersUrl(orderId, '/explode'), auth: shop, body: {} }), 404, 'NOT_FOUND');
    assertError(await call(ctx(), { method: 'GET', url: '/nope' }), 404, 'NOT_FOUND');
  });

  it('an unsupported method on a known path gets the error body', async () => {
    for (const [method, url] of [
      ['DELETE', ordersUrl(orderId)],
      ['PUT', ordersUrl(orderId)],
      ['PATCH', ordersUrl(orderId, '/captures')],
      ['DELETE', '/admin/v1/merchants'],
      ['GET', ordersUrl(orderId, '/cancel')],
    ] as const) {
      const res = await call(ctx(), { method, url, auth: shop });
      assert.ok(res.statusCode === 404 || res.statusCode === 405, `${method} ${url}: ${res.statusCode}`);
      const err = errorOf(res);
      assert.ok(err.error_code === 'NOT_FOUND' || err.error_code === 'NOT_ALLOWED', err.error_code);
    }
    // Nothing happened to the order.
    const order = await call(ctx(), { method: 'GET', url: ordersUrl(orderId), auth: shop });
    assert.equal((order.json() as { status: string }).status, 'AUTHORIZED');
  });

  for (const [what, payload] of [
    ['truncated JSON', '{"captured_amount": 100'],
    ['a trailing comma', '{"captured_amount": 100,}'],
    ['single quotes', "{'captured_amount': 100}"],
    ['plain text', 'captured_amount=100'],
    ['JSON nested 100 levels deep', `${'['.repeat(100)}${']'.repeat(100)}`],
  ] as const) {
    it(`malformed JSON (${what}) on a capture → 400 BAD_VALUE, nothing captured`, async () => {
      const res = await call(ctx(), { method: 'POST', url: ordersUrl(orderId, '/captures'), auth: shop, body: payload });
      const [message] = assertError(res, 400, 'BAD_VALUE');
      assert.match(message!, /^Bad value: body/);
      const order = await call(ctx(), { method: 'GET', url: ordersUrl(orderId), auth: shop });
      assert.equal((order.json() as { captured_amount: number }).captured_amount, 0);
    });
  }

  it('malformed JSON on the admin intake → 400 BAD_VALUE', async () => {
    const res = await call(ctx(), { method: 'POST', url: `/admin/v1/merchants/${shop.merchant_id}/orders`, auth: 'admin', body: '{"purchase_country": "SE",' });
    assertError(res, 400, 'BAD_VALUE');
  });

  it('a body route with no body → 400 BAD_VALUE naming the body', async () => {
    const res = await ctx().app.inject({
      method: 'POST',
      url: ordersUrl(orderId, '/captures'),
      headers: { authorization: `Basic ${Buffer.from(`${shop.username}:${shop.password}`).toString('base64')}`, 'content-type': 'application/json' },
    });
    const [message] = assertError(res, 400, 'BAD_VALUE');
    assert.match(message!, /body/);
  });

  for (const type of ['application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'image/png']) {
    it(`Content-Type ${type} on a body route → 415 with the error body, nothing changed`, async () => {
      const res = await call(ctx(), {
        method: 'POST',
        url: ordersUrl(orderId, '/captures'),
        auth: shop,
        body: JSON.stringify({ captured_amount: 100 }),
        headers: { 'content-type': type },
      });
      assertError(res, 415, 'BAD_VALUE');
      const order = await call(ctx(), { method: 'GET', url: ordersUrl(orderId), auth: shop });
      assert.equal((order.json() as { captured_amount: number }).captured_amount, 0);
    });
  }

  it('JSON sent as application/json; charset=utf-8, application/vnd.api+json or text/plain is accepted', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/vnd.klarna+json', 'text/plain']) {
      const res = await call(ctx(), { method: 'POST', url: '/admin/v1/merchants', auth: 'admin', body: JSON.stringify({ name: `Typed ${type}` }), headers: { 'content-type': type } });
      assert.equal(res.statusCode, 201, `${type}: ${res.body}`);
    }
  });

  it('a body above the limit → 413 with the error body, nothing stored', async () => {
    const limit = ctx().config.bodyLimitBytes;
    const body = orderBody({ merchant_data: 'x'.repeat(limit) });
    const before = await ctx().store.db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await call(ctx(), { method: 'POST', url: `/admin/v1/merchants/${shop.merchant_id}/orders`, auth: 'admin', body });
    assertError(res, 413, 'BAD_VALUE');
    const afterCount = await ctx().store.db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n));
  });

  it('a body just under the limit is parsed (and judged on its fields)', async () => {
    const limit = ctx().config.bodyLimitBytes;
    const body = JSON.stringify({ captured_amount: 100, description: 'd'.repeat(limit - 100) });
    const res = await call(ctx(), { method: 'POST', url: ordersUrl(orderId, '/captures'), auth: shop, body });
    const [message] = assertError(res, 400, 'BAD_VALUE');
    assert.match(message!, /description/);
  });

  it('the Klarna-Correlation-Id header equals the body correlation_id and is a UUID when none was sent', async () => {
    const res = await call(ctx(), { method: 'GET', url: ordersUrl('6f1c2a0e-3b4d-4c5e-8f90-123456789abc'), auth: shop });
    const err = errorOf(res);
    assert.match(err.correlation_id, UUID);
    const again = await call(ctx(), { method: 'GET', url: ordersUrl('6f1c2a0e-3b4d-4c5e-8f90-123456789abc'), auth: shop });
    assert.notEqual(errorOf(again).correlation_id, err.correlation_id, 'each request gets its own id');
  });

  it('an incoming Klarna-Correlation-Id is reused on errors and on success', async () => {
    const id = 'client-corr-1234';
    const bad = await call(ctx(), { method: 'GET', url: '/nope', headers: { 'klarna-correlation-id': id } });
    assert.equal(errorOf(bad).correlation_id, id);
    const unauth = await call(ctx(), { method: 'GET', url: ordersUrl(orderId), headers: { 'klarna-correlation-id': id } });
    assert.equal(errorOf(unauth).correlation_id, id);
    const ok = await call(ctx(), { method: 'GET', url: ordersUrl(orderId), auth: shop, headers: { 'klarna-correlation-id': '0b7a8d3c-7b57-4f2a-9e0f-1f2e3d4c5b6a' } });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['klarna-correlation-id'], '0b7a8d3c-7b57-4f2a-9e0f-1f2e3d4c5b6a');
    const admin = await call(ctx(), { method: 'GET', url: '/admin/v1/merchants', auth: 'admin', headers: { 'klarna-correlation-id': id } });
    assert.equal(admin.headers['klarna-correlation-id'], id);
  });

  it('a correlation id that is not safe to echo (spaces, too long) is replaced by a fresh UUID', async () => {
    for (const incoming of ['has spaces <script>', 'x'.repeat(300)]) {
      const res = await call(ctx(), { method: 'GET', url: '/nope', headers: { 'klarna-correlation-id': incoming } });
      const err = errorOf(res);
      assert.match(err.correlation_id, UUID);
    }
  });

  it('successful responses carry Klarna-Correlation-Id too (health, docs, admin, orders)', async () => {
    for (const [url, auth] of [['/health/live', 'none'], ['/health/ready', 'none'], ['/openapi.json', 'none'], ['/admin/v1/merchants', 'admin'], [ordersUrl(orderId), shop]] as const) {
      const res = await call(ctx(), { method: 'GET', url, auth });
      assert.equal(res.statusCode, 200, url);
      assert.ok(res.headers['klarna-correlation-id'], `${url} has no Klarna-Correlation-Id`);
    }
  });

  it('a percent-encoding that does not decode → a Klarna error body', async () => {
    const res = await call(ctx(), { method: 'GET', url: '/ordermanagement/v1/orders/%E0%A4%A', auth: shop });
    assert.ok(res.statusCode === 400 || res.statusCode === 404, String(res.statusCode));
    errorOf(res);
  });
});

// A store that is gone, and a store that is not migrated yet: 5xx in the same error format.
for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`errors: store unavailable [${backend}]`, { concurrency: false }, async () => {
    if (backend === 'postgres' && !(await postgresOrSkip())) return;
    let storeConfig: StoreConfig;
    let drop = async () => {};
    before(async () => {
      if (backend === 'postgres') {
        const db = await createTempPostgresDatabase();
        storeConfig = { kind: 'postgres', url: db.url };
        drop = db.drop;
      } else {
        storeConfig = { kind: 'sqlite', path: ':memory:' };
      }
    });
    after(async () => {
      await drop();
    });

    async function appOn(store: Store, migrated: boolean) {
      const config = { ...loadConfig({ OPENOM_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'silent' }), store: storeConfig };
      const digest = migrated ? (await bootstrap(store, config)).adminTokenDigest : undefined;
      const app = await buildApp({ config, store, readiness: { migrated }, adminTokenDigest: () => digest });
      await app.ready();
      return app;
    }

    it('before migrations: live 200, ready 503, API calls 503 SERVICE_UNAVAILABLE with Retry-After', async () => {
      const store = openStore(storeConfig);
      const app = await appOn(store, false);
      try {
        assert.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200);
        const ready = await app.inject({ method: 'GET', url: '/health/ready' });
        assertError(ready, 503, 'SERVICE_UNAVAILABLE');
        const order = await app.inject({ method: 'GET', url: ordersUrl('6f1c2a0e-3b4d-4c5e-8f90-123456789abc'), headers: { authorization: 'Basic eDp5' } });
        assertError(order, 503, 'SERVICE_UNAVAILABLE');
        assert.ok(order.headers['retry-after']);
        const admin = await app.inject({ method: 'GET', url: '/admin/v1/merchants', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        assertError(admin, 503, 'SERVICE_UNAVAILABLE');
      } finally {
        await app.close();
        await store.close();
      }
    });

    it('a store that went away: ready 503, API calls get a 5xx error body without a stack trace', async () => {
      const store = openStore(storeConfig);
      await migrate(store);
      const app = await appOn(store, true);
      try {
        assert.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200);
        const created = await app.inject({ method: 'POST', url: '/admin/v1/merchants', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { name: 'Gone AB' } });
        assert.equal(created.statusCode, 201);
        const m = created.json() as MerchantCredentials;
        await store.close();
        assertError(await app.inject({ method: 'GET', url: '/health/ready' }), 503, 'SERVICE_UNAVAILABLE');
        const res = await app.inject({
          method: 'GET',
          url: ordersUrl('6f1c2a0e-3b4d-4c5e-8f90-123456789abc'),
          headers: { authorization: `Basic ${Buffer.from(`${m.username}:${m.password}`).toString('base64')}` },
        });
        assert.ok(res.statusCode === 500 || res.statusCode === 503, `${res.statusCode} ${res.body}`);
        assertError(res, res.statusCode, res.statusCode === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_SERVER_ERROR');
        const list = await app.inject({ method: 'GET', url: '/admin/v1/merchants', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        assert.ok(list.statusCode >= 500);
        errorOf(list);
      } finally {
        await app.close();
      }
    });
  });
}

// As Fastify's errors.test.js holds lib/errors.js to docs/Errors.md. That no other code is sent is
// held by every test that reads an error body (harness errorOf refuses a code not in the catalogue).
describe('the error catalogue', () => {
  it("every error_code of the catalogue is in the README's error-code table, with its status, in catalogue order; the table names no other", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('\n### Error codes\n');
    assert.ok(start > 0, 'the README has an Error codes section');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const rows = [...section.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(rows, Object.entries(ERROR_CODES).map(([code, { status }]) => [code, status]));
  });
});
