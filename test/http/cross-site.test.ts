// Browsers are not API clients (CONTRACT §2, issue 24 §3): a request to the merchant or admin API
// that a browser sent from a page of another origin (its Origin, or Sec-Fetch-Site) is refused with
// 403 and Klarna's error body and changes nothing; sloppy server-side clients, which send neither,
// keep working with loosely labelled bodies (CONTRACT §4); OpenOM's own pages (/docs) may call it.
// test/browser/cross-site.test.ts shows the same in Chromium.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { CHECKOUT_ORDERS, checkoutBody } from '../support/checkout.js';
import { call, createMerchant, createOrder, describeOnBothStores, errorOf, getOrder, ordersUrl, type Json, type MerchantCredentials, type TestApp } from '../support/harness.js';

const PUBLIC_URL = 'https://openom.example';
/** app.inject's Host: what a page served by OpenOM itself sends as its Origin. */
const OWN_ORIGIN = 'http://localhost';

const crossSite: [string, Record<string, string>][] = [
  ['an Origin of another site', { origin: 'https://attacker.example' }],
  ['an Origin of another port on the same host', { origin: 'http://localhost:8081' }],
  ['Origin: null (a sandboxed frame or a file)', { origin: 'null' }],
  ['Sec-Fetch-Site: cross-site without an Origin', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' }],
  ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' }],
];

describeOnBothStores(
  'cross-site requests to the APIs',
  (ctx) => {
    let m: MerchantCredentials;
    before(async () => {
      m = await createMerchant(ctx(), 'Browsing Merchant AB');
    });

    const webhooks = async (t: TestApp) => ((await call(t, { method: 'GET', url: '/sandbox/v1/webhooks', auth: m })).json() as { webhooks: Json[] }).webhooks;
    const merchantCount = async (t: TestApp) => ((await call(t, { method: 'GET', url: '/admin/v1/merchants', auth: 'admin' })).json() as { merchants: Json[] }).merchants.length;

    for (const [what, browser] of crossSite) {
      it(`${what}: 403 NOT_ALLOWED with Klarna's error body on the merchant and admin APIs, nothing changed`, async () => {
        const t = ctx();
        const order = await createOrder(t, m);
        const hooksBefore = (await webhooks(t)).length;
        const merchantsBefore = await merchantCount(t);
        // text/plain: what a page can post to another site without asking it first.
        const asBrowser = { ...browser, 'content-type': 'text/plain;charset=UTF-8' };
        const requests = [
          call(t, { method: 'POST', url: '/sandbox/v1/webhooks', auth: m, headers: asBrowser, body: JSON.stringify({ url: 'https://attacker.example/hook', events: ['order.created'] }) }),
          call(t, { method: 'POST', url: ordersUrl(order.order_id, '/captures'), auth: m, headers: asBrowser, body: JSON.stringify({ captured_amount: 1_000 }) }),
          call(t, { method: 'POST', url: ordersUrl(order.order_id, '/cancel'), auth: m, headers: browser }),
          call(t, { method: 'GET', url: ordersUrl(order.order_id), auth: m, headers: browser }),
          call(t, { method: 'POST', url: CHECKOUT_ORDERS, auth: m, headers: asBrowser, body: JSON.stringify(checkoutBody()) }),
          call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: m, headers: asBrowser, body: JSON.stringify({ seconds: 60 }) }),
          call(t, { method: 'POST', url: '/admin/v1/merchants', auth: 'admin', headers: asBrowser, body: JSON.stringify({ name: 'Planted AB' }) }),
        ];
        for (const res of await Promise.all(requests)) {
          assert.equal(res.statusCode, 403, res.body);
          const body = errorOf(res);
          assert.equal(body.error_code, 'NOT_ALLOWED');
          assert.equal(body.correlation_id, res.headers['klarna-correlation-id']);
          assert.match(body.error_messages[0]!, /^Cross-site request refused/);
        }
        const after = await getOrder(t, m, order.order_id);
        assert.equal(after.status, 'AUTHORIZED');
        assert.equal(after.captured_amount, 0);
        assert.equal((await webhooks(t)).length, hooksBefore);
        assert.equal(await merchantCount(t), merchantsBefore);
        assert.equal(((await call(t, { method: 'GET', url: '/sandbox/v1/clock', auth: m })).json() as Json).offset_seconds, 0);
      });
    }

    it('a refused cross-site request is no login attempt: wrong passwords sent so never throttle the address', async () => {
      const t = ctx();
      const order = await createOrder(t, m);
      const wrong = { ...m, password: 'wrong' };
      for (let i = 0; i < 30; i++) {
        const res = await call(t, { method: 'GET', url: ordersUrl(order.order_id), auth: wrong, headers: { origin: 'https://attacker.example' } });
        assert.equal(res.statusCode, 403, res.body);
      }
      assert.equal((await call(t, { method: 'GET', url: ordersUrl(order.order_id), auth: m })).statusCode, 200);
    });

    it('sloppy server-side clients (no Origin, no Sec-Fetch-*) keep working: JSON sent as text/plain or with no content type', async () => {
      const t = ctx();
      const order = await createOrder(t, m);
      const textPlain = await call(t, { method: 'POST', url: ordersUrl(order.order_id, '/captures'), auth: m, headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ captured_amount: 1_000 }) });
      assert.equal(textPlain.statusCode, 201, textPlain.body);
      const untyped = await t.app.inject({
        method: 'POST',
        url: ordersUrl(order.order_id, '/captures'),
        headers: { authorization: `Basic ${Buffer.from(`${m.username}:${m.password}`).toString('base64')}` },
        payload: JSON.stringify({ captured_amount: 500 }),
      });
      assert.equal(untyped.statusCode, 201, untyped.body);
      assert.equal((await getOrder(t, m, order.order_id)).captured_amount, 1_500);
    });

    it("OpenOM's own pages may call the APIs (Swagger UI at /docs): Sec-Fetch-Site same-origin or none, an Origin naming this server or OPENOM_PUBLIC_URL", async () => {
      const t = ctx();
      const order = await createOrder(t, m);
      const own: Record<string, string>[] = [
        { origin: OWN_ORIGIN, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' },
        { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' },
        { origin: PUBLIC_URL, 'sec-fetch-site': 'same-origin' },
      ];
      for (const headers of own) {
        const res = await call(t, { method: 'POST', url: ordersUrl(order.order_id, '/captures'), auth: m, headers, body: { captured_amount: 100 } });
        assert.equal(res.statusCode, 201, `${JSON.stringify(headers)}: ${res.body}`);
      }
      assert.equal((await call(t, { method: 'GET', url: '/admin/v1/merchants', auth: 'admin', headers: own[0] })).statusCode, 200);
    });

    it('a browser must label JSON as JSON: text/plain or no content type from its own page is 415, nothing changed', async () => {
      const t = ctx();
      const order = await createOrder(t, m);
      const sameOrigin = { origin: OWN_ORIGIN, 'sec-fetch-site': 'same-origin' };
      const textPlain = await call(t, { method: 'POST', url: ordersUrl(order.order_id, '/captures'), auth: m, headers: { ...sameOrigin, 'content-type': 'text/plain' }, body: JSON.stringify({ captured_amount: 1_000 }) });
      assert.equal(textPlain.statusCode, 415, textPlain.body);
      assert.equal(errorOf(textPlain).error_code, 'BAD_VALUE');
      const untyped = await t.app.inject({
        method: 'POST',
        url: ordersUrl(order.order_id, '/captures'),
        headers: { ...sameOrigin, authorization: `Basic ${Buffer.from(`${m.username}:${m.password}`).toString('base64')}` },
        payload: JSON.stringify({ captured_amount: 1_000 }),
      });
      assert.equal(untyped.statusCode, 415, untyped.body);
      assert.equal((await getOrder(t, m, order.order_id)).captured_amount, 0);
    });

    it('the hosted checkout page and the portal keep their own rules: a shopper opening the page from the shop is served', async () => {
      const t = ctx();
      const checkout = (await call(t, { method: 'POST', url: CHECKOUT_ORDERS, auth: m, body: checkoutBody() })).json() as Json;
      const page = await t.app.inject({ method: 'GET', url: `/sandbox/checkout/${String(checkout.order_id)}`, headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'iframe' } });
      assert.equal(page.statusCode, 200);
      const login = await t.app.inject({ method: 'GET', url: '/portal/login', headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' } });
      assert.equal(login.statusCode, 200);
    });
  },
  { OPENOM_PUBLIC_URL: PUBLIC_URL },
);
