// CONTRACT §4: response header names reach the wire in canonical case, as Klarna sends them.
// Klarna's PHP SDK looks up `Location` and `Content-Type` case-sensitively; fetch and node:http
// would hide the case, so these tests read the raw bytes.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serverFactory } from '../../src/http/server.js';
import { createMerchant, createOrder, ordersUrl, postgresOrSkip, startTestApp, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { basicAuth, exchange, requestHead, type RawResponse } from '../support/rawHttp.js';

/** Every dash-separated word starts with a capital: `Klarna-Correlation-Id`, `WWW-Authenticate`. */
const CANONICAL = /^[A-Z][A-Za-z0-9]*(-[A-Z][A-Za-z0-9]*)*$/;
const FAILURE_LIMIT = 2;

function assertNames(res: RawResponse, expected: string[]): void {
  for (const name of expected) assert.ok(res.headerNames.includes(name), `${name} missing from ${res.status} response: ${res.headerNames.join(', ')}`);
  for (const name of res.headerNames) assert.match(name, CANONICAL, `${res.status} response sends "${name}"`);
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`header names on the wire [${backend}]`, { concurrency: false }, async () => {
    if (backend === 'postgres' && !(await postgresOrSkip())) return;
    let t: TestApp;
    let port = 0;
    let shop: MerchantCredentials;
    before(async () => {
      t = await startTestApp(backend, { OPENOM_AUTH_FAILURE_LIMIT: String(FAILURE_LIMIT) });
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const address = t.app.server.address();
      port = typeof address === 'object' && address ? address.port : 0;
      shop = await createMerchant(t, 'Guzzle Shop AB');
    });
    after(async () => t.close());

    const send = (method: string, path: string, headers: Record<string, string> = {}, body = '') =>
      exchange(
        port,
        requestHead(`${method} ${path} HTTP/1.1`, {
          Host: `127.0.0.1:${port}`,
          ...(body ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}),
          ...headers,
        }) + body,
      );
    const asShop = () => ({ Authorization: basicAuth(shop) });

    it('capture → 201 with Location, Capture-Id and Klarna-Correlation-Id; its idempotent replay too', async () => {
      const orderId = (await createOrder(t, shop)).order_id;
      const body = JSON.stringify({ captured_amount: 1000 });
      const key = { ...asShop(), 'Klarna-Idempotency-Key': `case-${orderId}` };
      const first = await send('POST', ordersUrl(orderId, '/captures'), key, body);
      assert.equal(first.status, 201, first.body);
      const expected = ['Location', 'Capture-Id', 'Klarna-Correlation-Id', 'X-Content-Type-Options', 'Content-Security-Policy', 'Cache-Control'];
      assertNames(first, expected);
      const replay = await send('POST', ordersUrl(orderId, '/captures'), key, body);
      assert.equal(replay.status, 201);
      assert.equal(replay.headers['capture-id'], first.headers['capture-id']);
      assertNames(replay, expected);
    });

    it('refund → 201 with Location and Refund-Id', async () => {
      const orderId = (await createOrder(t, shop)).order_id;
      assert.equal((await send('POST', ordersUrl(orderId, '/captures'), asShop(), JSON.stringify({ captured_amount: 2000 }))).status, 201);
      const res = await send('POST', ordersUrl(orderId, '/refunds'), asShop(), JSON.stringify({ refunded_amount: 500 }));
      assert.equal(res.status, 201, res.body);
      assertNames(res, ['Location', 'Refund-Id', 'Klarna-Correlation-Id']);
    });

    it('GET order → 200 with Content-Type and Content-Length', async () => {
      const orderId = (await createOrder(t, shop)).order_id;
      const res = await send('GET', ordersUrl(orderId), asShop());
      assert.equal(res.status, 200, res.body);
      assertNames(res, ['Content-Type', 'Content-Length', 'Klarna-Correlation-Id']);
    });

    it('errors: a refusal (403), an unknown route (404), the OpenAPI document and /docs', async () => {
      const orderId = (await createOrder(t, shop)).order_id;
      const refused = await send('POST', ordersUrl(orderId, '/refunds'), asShop(), JSON.stringify({ refunded_amount: 500 }));
      assert.equal(refused.status, 403, refused.body);
      assertNames(refused, ['Content-Type', 'Klarna-Correlation-Id']);
      const unknown = await send('GET', '/no/such/route', asShop());
      assert.equal(unknown.status, 404);
      assertNames(unknown, ['Content-Type', 'Content-Length']);
      assertNames(await send('GET', '/openapi.json'), ['Content-Type']);
      assertNames(await send('GET', '/docs'), ['Content-Type']);
      const staticFile = await send('GET', '/docs/static/swagger-ui.css');
      assert.equal(staticFile.status, 200);
      assertNames(staticFile, ['Content-Type', 'ETag', 'Last-Modified']);
    });

    it('a request Node cannot parse (headers too large) → 431 answered with canonical names', async () => {
      const res = await send('GET', '/health/live', { 'X-Padding': 'x'.repeat(20_000) });
      assert.equal(res.status, 431);
      assertNames(res, ['Content-Type', 'Content-Length', 'Klarna-Correlation-Id']);
    });

    it('a failed login → 401 with WWW-Authenticate; too many → 429 with Retry-After', async () => {
      const wrong = { Authorization: basicAuth({ username: shop.username, password: 'not-the-password' }) };
      const path = ordersUrl('00000000-0000-4000-8000-000000000000');
      const unauthorized = await send('GET', path, wrong);
      assert.equal(unauthorized.status, 401);
      assertNames(unauthorized, ['WWW-Authenticate', 'Content-Type', 'Klarna-Correlation-Id']);
      for (let i = 1; i < FAILURE_LIMIT; i++) await send('GET', path, wrong);
      const throttled = await send('GET', path, wrong);
      assert.equal(throttled.status, 429, throttled.body);
      assertNames(throttled, ['Retry-After', 'Content-Type']);
    });
  });
}

describe('CanonicalResponse under every way Node lets a handler set headers', () => {
  const cases: [string, (res: ServerResponse) => void][] = [
    ['writeHead(status, object)', (res) => res.writeHead(201, { location: '/x', 'capture-id': 'c1' }).end()],
    ['writeHead(status, reason, object)', (res) => res.writeHead(201, 'Created', { location: '/x', 'capture-id': 'c1' }).end()],
    ['setHeader, then writeHead(status, object) overriding one of them', (res) => {
      res.setHeader('location', '/old');
      res.setHeader('connection', 'close');
      res.writeHead(201, { location: '/x', 'capture-id': 'c1' }).end();
    }],
    ['setHeader and appendHeader only', (res) => {
      res.statusCode = 201;
      res.setHeader('location', '/x');
      res.appendHeader('capture-id', 'c1');
      res.end();
    }],
  ];
  for (const [how, handle] of cases) {
    it(how, async () => {
      const server = serverFactory(undefined)((_req, res) => handle(res), {});
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const res = await exchange((server.address() as AddressInfo).port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
        assert.equal(res.status, 201);
        assert.equal(res.headers.location, '/x');
        assertNames(res, ['Location', 'Capture-Id']);
      } finally {
        server.closeAllConnections();
        server.close();
      }
    });
  }
});
