// Fidelity with what Klarna answers to real clients (CONTRACT §4, issue 25), from the shapes of
// Klarna's recorded playground traffic (our own fixtures): a path with doubled slashes is served as
// its single-slash form, with every check of that route; an id that is not a UUID at all is
// 400 BAD_VALUE naming it, a well-formed unknown one 404; a refund carries credit_invoice: false.
import assert from 'node:assert/strict';
import { PAYMENT_REFERENCE_PATTERN } from '../../src/settlements/schemas.js';
import type { LightMyRequestResponse } from 'fastify';
import { before, it } from 'node:test';
import { captureLogs } from '../support/capturedLogs.js';
import { capture, createMerchant, createOrder, describeOnBothStores, errorOf, getOrder, listenOnLocalPort, ordersUrl, refund, type Json, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { expectError, refusedWithoutChange } from '../support/orderAssertions.js';
import { FORM, portalLogin } from '../support/portal.js';
import { basicAuth, exchange, requestHead, type RawResponse } from '../support/rawHttp.js';

const UNKNOWN = '0b3a7d52-9a4f-4c1e-8a0d-5f7e2c1b9d33';
/** Not a UUID at all: `{}` as a client that lost its id sends it, and a word. */
const MALFORMED = ['%7B%7D', 'abc'];
/** Path ids that are not UUIDs, by the pattern that names them malformed. */
const PATTERN_OF: Record<string, string> = { delivery_id: '^[1-9][0-9]{0,14}$', payment_reference: PAYMENT_REFERENCE_PATTERN };
const logs = captureLogs();

describeOnBothStores(
  'Klarna fidelity: doubled slashes, malformed ids, the refund object',
  (ctx) => {
    let port = 0;
    let shop: MerchantCredentials;

    before(async () => {
      port = await listenOnLocalPort(ctx());
      shop = await createMerchant(ctx(), 'Workarea Shop AB');
    });

    /** A request written on the wire exactly as given: the path's slashes reach the server as they are. */
    const send = (method: string, path: string, headers: Record<string, string> = {}, body = ''): Promise<RawResponse> =>
      exchange(
        port,
        requestHead(`${method} ${path} HTTP/1.1`, {
          Host: `127.0.0.1:${port}`,
          Connection: 'close',
          ...(body ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}),
          ...headers,
        }) + body,
      );
    const asShop = () => ({ Authorization: basicAuth(shop) });

    // ---------- doubled slashes ----------

    it('POST //ordermanagement/v1/orders/{id}/captures → 201 with Capture-Id and the single-slash Location, as Klarna answers', async () => {
      const orderId = (await createOrder(ctx(), shop)).order_id;
      const res = await send('POST', `/${ordersUrl(orderId, '/captures')}`, asShop(), JSON.stringify({ captured_amount: 3_000 }));
      assert.equal(res.status, 201, res.body);
      const captureId = res.headers['capture-id'];
      assert.ok(captureId);
      assert.equal(res.headers.location, `http://127.0.0.1:${port}${ordersUrl(orderId, `/captures/${captureId}`)}`);
      const order = await getOrder(ctx(), shop, orderId);
      assert.equal(order.captured_amount, 3_000);
      assert.deepEqual(
        (order.captures as Json[]).map((c) => c.capture_id),
        [captureId],
      );
    });

    it('any run of slashes anywhere in any route is served as the single-slash path: refunds, reads, health', async () => {
      const orderId = (await createOrder(ctx(), shop)).order_id;
      assert.equal((await capture(ctx(), shop, orderId, { captured_amount: 5_000 })).statusCode, 201);
      const refunded = await send('POST', `//ordermanagement//v1///orders/${orderId}//refunds`, asShop(), JSON.stringify({ refunded_amount: 1_000 }));
      assert.equal(refunded.status, 201, refunded.body);
      assert.equal(refunded.headers.location, `http://127.0.0.1:${port}${ordersUrl(orderId, `/refunds/${refunded.headers['refund-id']}`)}`);
      const read = await send('GET', `///ordermanagement/v1/orders//${orderId}`, asShop());
      assert.equal(read.status, 200, read.body);
      assert.equal((JSON.parse(read.body) as Json).refunded_amount, 1_000);
      // The query string is not the path: it is left as sent.
      assert.equal((await send('GET', `//ordermanagement/v1/orders/${orderId}?next=a//b`, asShop())).status, 200);
      assert.equal((await send('GET', '//health//live')).status, 200);
    });

    it('doubled slashes open no way around authentication: merchant API, sandbox, checkout and admin still need their credentials', async () => {
      const orderId = (await createOrder(ctx(), shop)).order_id;
      const guarded: [string, string, string][] = [
        ['GET', `//ordermanagement/v1/orders/${orderId}`, ''],
        ['POST', `//ordermanagement/v1/orders/${orderId}/cancel`, ''],
        ['POST', `/sandbox//v1/webhooks`, JSON.stringify({ url: 'https://attacker.example/hook', events: ['order.created'] })],
        ['POST', '//checkout//v3/orders', '{}'],
        ['GET', '//admin/v1/merchants', ''],
        ['POST', '//admin//v1/merchants', JSON.stringify({ name: 'Intruder AB' })],
      ];
      for (const [method, path, body] of guarded) {
        const res = await send(method, path, {}, body);
        assert.equal(res.status, 401, `${method} ${path}: ${res.body}`);
        assert.equal((JSON.parse(res.body) as { error_code: string }).error_code, 'UNAUTHORIZED');
      }
      assert.equal((await getOrder(ctx(), shop, orderId)).status, 'AUTHORIZED');
      const hooks = await send('GET', '/sandbox//v1//webhooks', asShop());
      assert.equal(hooks.status, 200, hooks.body);
      assert.deepEqual((JSON.parse(hooks.body) as { webhooks: unknown[] }).webhooks, []);
    });

    it('an absolute-form request target (RFC 9112) is routed by its path, doubled slashes and all, with the same checks', async () => {
      const orderId = (await createOrder(ctx(), shop)).order_id;
      const body = JSON.stringify({ captured_amount: 1_000 });
      const target = `http://127.0.0.1:${port}//ordermanagement/v1/orders/${orderId}//captures`;
      const anonymous = await send('POST', target, {}, body);
      assert.equal(anonymous.status, 401, anonymous.body);
      assert.equal((await getOrder(ctx(), shop, orderId)).captured_amount, 0);
      const key = { ...asShop(), 'Klarna-Idempotency-Key': `absolute-${orderId}` };
      const captured = await send('POST', target, key, body);
      assert.equal(captured.status, 201, captured.body);
      // Bound to the routed path: the same key on the origin-form path is the same request, replayed.
      const replayed = await send('POST', ordersUrl(orderId, '/captures'), key, body);
      assert.equal(replayed.status, 201, replayed.body);
      assert.equal(replayed.headers['capture-id'], captured.headers['capture-id']);
      assert.equal((await getOrder(ctx(), shop, orderId)).captured_amount, 1_000);
    });

    it("the portal's checks hold for //portal/…: no session → login page; a cross-site form post → 403, nothing changed", async () => {
      const t = ctx();
      const orderId = (await createOrder(t, shop)).order_id;
      const noSession = await t.app.inject({ method: 'GET', url: '//portal//orders' });
      assert.equal(noSession.statusCode, 303);
      assert.equal(noSession.headers.location, '/portal/login');
      const portal = await portalLogin(t, shop);
      const crossSite = await t.app.inject({
        method: 'POST',
        url: `//portal/orders/${orderId}//cancel`,
        headers: { cookie: portal.cookie, 'content-type': FORM, origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' },
        payload: new URLSearchParams({ csrf_token: portal.csrf, idempotency_key: `cross-${orderId}` }).toString(),
      });
      assert.equal(crossSite.statusCode, 403, crossSite.body);
      assert.match(crossSite.body, /The form was sent from another site\./);
      assert.equal((await getOrder(t, shop, orderId)).status, 'AUTHORIZED');
    });

    it('an idempotency key used on //…/captures replays for /…/captures: one request, one capture', async () => {
      const orderId = (await createOrder(ctx(), shop)).order_id;
      const key = { ...asShop(), 'Klarna-Idempotency-Key': `slashes-${orderId}` };
      const body = JSON.stringify({ captured_amount: 2_000 });
      const first = await send('POST', `/${ordersUrl(orderId, '/captures')}`, key, body);
      const again = await send('POST', ordersUrl(orderId, '/captures'), key, body);
      assert.equal(first.status, 201, first.body);
      assert.equal(again.status, 201, again.body);
      assert.equal(again.headers['capture-id'], first.headers['capture-id']);
      assert.equal(again.headers.location, first.headers.location);
      assert.equal((await getOrder(ctx(), shop, orderId)).captured_amount, 2_000);
    });

    it('the request log names the route template, not the path as sent', async () => {
      const orderId = (await createOrder(ctx(), shop)).order_id;
      const correlationId = `slashes-log-${orderId}`;
      const res = await send('POST', `//ordermanagement/v1/orders/${orderId}//acknowledge`, { ...asShop(), 'Klarna-Correlation-Id': correlationId });
      assert.equal(res.status, 204, res.body);
      const line = logs.lines.find((l) => (l as Json).correlation_id === correlationId && l.msg === 'request') as Json | undefined;
      assert.ok(line, 'no request line logged');
      assert.equal(line.route, '/ordermanagement/v1/orders/:order_id/acknowledge');
      assert.equal(line.order_id, orderId);
    });

    // ---------- malformed ids ----------

    /** Every operation in /openapi.json with an id in its path, with the credentials it takes. */
    async function operationsWithIds(t: TestApp): Promise<{ method: string; path: string; ids: string[]; admin: boolean }[]> {
      const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
        paths: Record<string, Record<string, { security?: Record<string, unknown>[] }>>;
      };
      return Object.entries(doc.paths)
        .filter(([path]) => path.includes('{'))
        .flatMap(([path, operations]) =>
          Object.entries(operations)
            .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
            .map(([method, op]) => ({
              method: method.toUpperCase(),
              path,
              ids: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
              admin: (op.security ?? []).some((s) => 'admin' in s),
            })),
        );
    }

    it('an id that is not a UUID, in any path of the API, is 400 BAD_VALUE naming it; nothing changes', async () => {
      const t = ctx();
      const orderId = (await createOrder(t, shop)).order_id;
      const captureId = String((await capture(t, shop, orderId, { captured_amount: 4_000 })).headers['capture-id']);
      const refundId = String((await refund(t, shop, orderId, { refunded_amount: 500 })).headers['refund-id']);
      const real: Record<string, string> = { order_id: orderId, capture_id: captureId, refund_id: refundId, merchant_id: shop.merchant_id, webhook_id: UNKNOWN, fault_id: UNKNOWN, delivery_id: '1' };
      const operations = await operationsWithIds(t);
      // The Order Management routes of both profiles, the Checkout API, sandbox and admin routes.
      for (const path of ['/ordermanagement/v1/orders/{order_id}/acknowledge', '/ordermanagement/v1/orders/{order_id}/refunds/{refund_id}', '/checkout/v3/orders/{order_id}/abort']) {
        assert.ok(operations.some((op) => op.path === path), `${path} is not in the document`);
      }
      for (const op of operations) {
        for (const bad of op.ids) {
          // A payout's reference is not a UUID: only text outside its pattern is malformed.
          for (const value of bad === 'payment_reference' ? ['%7B%7D'] : MALFORMED) {
            const url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === bad ? value : (real[name] ?? UNKNOWN)));
            const authorization = op.admin ? 'Bearer test-admin-token-0123456789' : basicAuth(shop);
            const res = await refusedWithoutChange(t, shop, orderId, () =>
              t.app.inject({ method: op.method as 'GET', url, headers: { authorization, 'content-type': 'application/json' }, payload: op.method === 'GET' || op.method === 'DELETE' ? undefined : '{}' }),
            );
            assert.equal(res.statusCode, 400, `${op.method} ${url}: ${res.body}`);
            assert.deepEqual(errorOf(res), { correlation_id: res.headers['klarna-correlation-id'], error_code: 'BAD_VALUE', error_messages: [`Bad value: ${bad} (${PATTERN_OF[bad] ? `must match pattern "${PATTERN_OF[bad]}"` : 'must be a UUID'})`] });
          }
        }
      }
    });

    it('a well-formed UUID that names nothing stays 404 NO_SUCH_ORDER / NO_SUCH_CAPTURE / NO_SUCH_REFUND', async () => {
      const t = ctx();
      const orderId = (await createOrder(t, shop)).order_id;
      assert.equal((await capture(t, shop, orderId, { captured_amount: 4_000 })).statusCode, 201);
      const post = (path: string) => () => t.app.inject({ method: 'POST', url: path, headers: { authorization: basicAuth(shop) } });
      const get = (path: string) => () => t.app.inject({ method: 'GET', url: path, headers: { authorization: basicAuth(shop) } });
      const unknownOrder: (() => Promise<LightMyRequestResponse>)[] = ['/acknowledge', '/cancel', '/extend-authorization-time', '/release-remaining-authorization'].map((action) =>
        post(ordersUrl(UNKNOWN, action)),
      );
      for (const request of [...unknownOrder, get(ordersUrl(UNKNOWN)), get(ordersUrl(UNKNOWN, `/refunds/${UNKNOWN}`)), get(ordersUrl(UNKNOWN, `/captures/${UNKNOWN}`))]) {
        expectError(await request(), 404, 'NO_SUCH_ORDER');
      }
      expectError(await refusedWithoutChange(t, shop, orderId, get(ordersUrl(orderId, `/captures/${UNKNOWN}`))), 404, 'NO_SUCH_CAPTURE');
      expectError(await refusedWithoutChange(t, shop, orderId, get(ordersUrl(orderId, `/refunds/${UNKNOWN}`))), 404, 'NO_SUCH_REFUND');
    });

    it('acknowledge, cancel, extend, release with {} as the order id → 400 BAD_VALUE naming order_id, as Klarna answers', async () => {
      for (const action of ['acknowledge', 'cancel', 'extend-authorization-time', 'release-remaining-authorization']) {
        const res = await send('POST', ordersUrl('%7B%7D', `/${action}`), asShop());
        assert.equal(res.status, 400, `${action}: ${res.body}`);
        assert.deepEqual((JSON.parse(res.body) as { error_messages: string[] }).error_messages, ['Bad value: order_id (must be a UUID)']);
      }
    });

    // ---------- the refund object ----------

    it("a refund carries credit_invoice: false besides Klarna's other fields, in GET refund and in the order's refunds[]", async () => {
      const t = ctx();
      const orderId = (await createOrder(t, shop)).order_id;
      assert.equal((await capture(t, shop, orderId, { captured_amount: 6_000 })).statusCode, 201);
      const created = await refund(t, shop, orderId, { refunded_amount: 1_200, description: 'Returned', reference: 'ret-1' });
      assert.equal(created.statusCode, 201, created.body);
      const got = await t.app.inject({ method: 'GET', url: String(created.headers.location), headers: { authorization: basicAuth(shop) } });
      assert.equal(got.statusCode, 200, got.body);
      const fetched = got.json() as Json;
      // Klarna's recorded refund: {refund_id, refunded_amount, refunded_at, description, order_lines, credit_invoice}; reference is OpenOM's extra.
      for (const field of ['refund_id', 'refunded_amount', 'refunded_at', 'description', 'order_lines', 'credit_invoice']) assert.ok(field in fetched, `refund lacks ${field}`);
      assert.equal(fetched.credit_invoice, false);
      assert.equal(fetched.reference, 'ret-1');
      assert.deepEqual((await getOrder(t, shop, orderId)).refunds, [fetched]);
    });
  },
  // Under Klarna's profile every Order Management route exists, capture due dates and send-out included.
  { OPENOM_PROFILE: 'klarna' },
  logs.logger,
);
