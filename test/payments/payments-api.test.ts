// Klarna Payments API v1 over HTTP on both stores (CONTRACT §14): sessions, the headless
// authorization, orders from tokens (idempotent per token, cart match, expiry, cancel,
// auto_capture, pending fraud), the authorization callback, and the kustom profile's 404.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { call, createMerchant, describeOnBothStores, getOrder, ordersUrl, WITH_WORKER, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { expectError, UUID } from '../support/orderAssertions.js';
import { authorize, authorizationUrl, authorizedSession, cartBody, createSession, KLARNA, placeOrder, SESSIONS } from '../support/payments.js';
import { startReceiver } from '../support/receiver.js';
import type { PaymentCart } from '../../src/domain/payments.js';
import { placeOrderFromToken } from '../../src/store/payments.js';

const advance = async (t: TestApp, m: MerchantCredentials, seconds: number) =>
  assert.equal((await call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: m, body: { seconds } })).statusCode, 200);
const readSession = (t: TestApp, m: MerchantCredentials, id: string) => call(t, { method: 'GET', url: `${SESSIONS}/${id}`, auth: m });

describeOnBothStores(
  'Klarna Payments API',
  (ctx) => {
    let m: MerchantCredentials;
    it('setup: a merchant', async () => {
      m = await createMerchant(ctx(), `Payments ${randomUUID().slice(0, 8)}`);
    });

    it('a session is created with a client token and categories, and reads back incomplete, expiring 48 hours after creation', async () => {
      const t = ctx();
      const created = await call(t, { method: 'POST', url: SESSIONS, auth: m, body: cartBody() });
      assert.equal(created.statusCode, 200, created.body);
      const body = created.json() as { session_id: string; client_token: string; payment_method_categories: { identifier: string }[] };
      assert.match(body.session_id, UUID);
      assert.equal(body.client_token.split('.').length, 3);
      assert.deepEqual(body.payment_method_categories.map((c) => c.identifier), ['pay_later', 'pay_over_time']);
      const read = await readSession(t, m, body.session_id);
      assert.equal(read.statusCode, 200, read.body);
      const session = read.json() as { status: string; expires_at: string; order_amount: number; authorization_token?: string };
      assert.equal(session.status, 'incomplete');
      assert.equal(session.order_amount, 10_000);
      assert.equal(session.authorization_token, undefined);
      const clock = (await call(t, { method: 'GET', url: '/sandbox/v1/clock', auth: m })).json() as { now: string };
      const hours = (Date.parse(session.expires_at) - Date.parse(clock.now)) / 3_600_000;
      assert.ok(hours > 47.9 && hours <= 48, `expires in ${hours} h`);
    });

    it('read-only fields a client sends (the .NET SDK: status, expires_at 0001-01-01, session_id…) are ignored, not refused', async () => {
      const t = ctx();
      const sent = cartBody({ status: 'complete', expires_at: '0001-01-01T00:00:00', session_id: 'x', client_token: 'y', authorization_token: 'z', payment_method_categories: [] });
      const created = await createSession(t, m, sent);
      const session = (await readSession(t, m, created.session_id)).json() as { status: string; session_id: string };
      assert.equal(session.status, 'incomplete');
      assert.equal(session.session_id, created.session_id);
      const update = await call(t, { method: 'POST', url: `${SESSIONS}/${created.session_id}`, auth: m, body: { status: 'complete', expires_at: '0001-01-01T00:00:00', merchant_reference1: 'R-1' } });
      assert.equal(update.statusCode, 204, update.body);
    });

    it("a cart whose lines do not add up is 400 BAD_VALUE naming the field; another merchant's session is 404", async () => {
      const t = ctx();
      const bad = expectError(await call(t, { method: 'POST', url: SESSIONS, auth: m, body: cartBody({ order_amount: 1 }) }), 400, 'BAD_VALUE');
      assert.match(bad.error_messages[0]!, /order_amount/);
      const session = await createSession(t, m);
      const other = await createMerchant(t, `Other ${randomUUID().slice(0, 8)}`);
      expectError(await readSession(t, other, session.session_id), 404, 'NOT_FOUND');
      expectError(await authorize(t, other, session.session_id, 'accepted'), 404, 'NOT_FOUND');
    });

    it('an update replaces the fields sent; the merged cart must add up', async () => {
      const t = ctx();
      const { session_id } = await createSession(t, m);
      const url = `${SESSIONS}/${session_id}`;
      assert.equal((await call(t, { method: 'POST', url, auth: m, body: { merchant_reference2: 'B' } })).statusCode, 204);
      assert.equal(((await readSession(t, m, session_id)).json() as { merchant_reference2: string }).merchant_reference2, 'B');
      expectError(await call(t, { method: 'POST', url, auth: m, body: { order_amount: 5 } }), 400, 'BAD_VALUE');
    });

    it('declined gives {"approved": false} and no token; accepted a token the session then shows', async () => {
      const t = ctx();
      const { session_id } = await createSession(t, m);
      const declined = await authorize(t, m, session_id, 'declined');
      assert.deepEqual(declined.json(), { approved: false });
      const accepted = (await authorize(t, m, session_id, 'accepted')).json() as { approved: boolean; authorization_token: string };
      assert.equal(accepted.approved, true);
      assert.match(accepted.authorization_token, UUID);
      assert.equal(((await readSession(t, m, session_id)).json() as { authorization_token: string }).authorization_token, accepted.authorization_token);
    });

    it('an order from the token: AUTHORIZED in Order Management, the session complete, the same answer again for the token', async () => {
      const t = ctx();
      const { sessionId, token } = await authorizedSession(t, m);
      const first = await placeOrder(t, m, token, cartBody({ merchant_urls: { confirmation: 'https://shop.example/thanks?o={checkout.order.id}' } }));
      assert.equal(first.statusCode, 200, first.body);
      const order = first.json() as { order_id: string; redirect_url: string; fraud_status: string; authorized_payment_method: { type: string } };
      assert.equal(order.fraud_status, 'ACCEPTED');
      assert.equal(order.redirect_url, `https://shop.example/thanks?o=${order.order_id}`);
      assert.deepEqual(order.authorized_payment_method, { type: 'invoice' });
      const om = await getOrder(t, m, order.order_id);
      assert.equal(om.status, 'AUTHORIZED');
      assert.equal(om.order_amount, 10_000);
      assert.equal(((await readSession(t, m, sessionId)).json() as { status: string }).status, 'complete');
      const again = await placeOrder(t, m, token, cartBody({ order_amount: 1 }));
      assert.equal(again.statusCode, 200);
      assert.equal(again.body, first.body);
      const orders = await t.store.db.selectFrom('orders').select('order_id').where('merchant_id', '=', m.merchant_id).where('order_id', '=', order.order_id).execute();
      assert.equal(orders.length, 1);
      expectError(await call(t, { method: 'POST', url: `${SESSIONS}/${sessionId}`, auth: m, body: { merchant_reference1: 'late' } }), 404, 'SESSION_COMPLETED');
      expectError(await authorize(t, m, sessionId, 'accepted'), 404, 'SESSION_COMPLETED');
      expectError(await call(t, { method: 'DELETE', url: authorizationUrl(token), auth: m }), 404, 'NOT_FOUND');
    });

    it('a cart that differs from the authorized one is 409 BAD_VALUE naming it, and every later request with the token gets that answer again', async () => {
      const t = ctx();
      const { token } = await authorizedSession(t, m);
      const differs = await placeOrder(t, m, token, cartBody({}, 12_000));
      const body = expectError(differs, 409, 'BAD_VALUE');
      assert.match(body.error_messages[0]!, /order_amount/);
      const again = await placeOrder(t, m, token, cartBody());
      assert.equal(again.statusCode, 409);
      assert.equal(again.body, differs.body);
      assert.equal(again.headers['klarna-correlation-id'], body.correlation_id);
    });

    it('an unknown, expired (60 minutes, merchant clock) or cancelled token is 404 NOT_FOUND', async () => {
      const t = ctx();
      expectError(await placeOrder(t, m, randomUUID()), 404, 'NOT_FOUND');
      const cancelled = await authorizedSession(t, m);
      assert.equal((await call(t, { method: 'DELETE', url: authorizationUrl(cancelled.token), auth: m })).statusCode, 204);
      expectError(await placeOrder(t, m, cancelled.token), 404, 'NOT_FOUND');
      expectError(await call(t, { method: 'DELETE', url: authorizationUrl(cancelled.token), auth: m }), 404, 'NOT_FOUND');
      const own = await createMerchant(t, `Clock ${randomUUID().slice(0, 8)}`);
      const expiring = await authorizedSession(t, own);
      await advance(t, own, 3_600);
      const expired = expectError(await placeOrder(t, own, expiring.token), 404, 'NOT_FOUND');
      assert.match(expired.error_messages[0]!, /Invalid authorization token/);
      const other = await authorizedSession(t, own);
      expectError(await placeOrder(t, m, other.token), 404, 'NOT_FOUND');
    });

    it('a session 48 hours old (merchant clock) cannot be read, updated or authorized', async () => {
      const t = ctx();
      const own = await createMerchant(t, `Old ${randomUUID().slice(0, 8)}`);
      const { session_id } = await createSession(t, own);
      await advance(t, own, 48 * 3_600);
      expectError(await readSession(t, own, session_id), 404, 'NOT_FOUND');
      expectError(await authorize(t, own, session_id, 'accepted'), 404, 'NOT_FOUND');
    });

    it('auto_capture captures the whole order at once', async () => {
      const t = ctx();
      const { token } = await authorizedSession(t, m);
      const res = await placeOrder(t, m, token, cartBody({ auto_capture: true }));
      assert.equal(res.statusCode, 200, res.body);
      const om = await getOrder(t, m, (res.json() as { order_id: string }).order_id);
      assert.equal(om.status, 'CAPTURED');
      assert.equal(om.captured_amount, 10_000);
      // The backstop job runs too, and finds the capture already made.
      const job = async () => t.store.db.selectFrom('jobs').select(['state', 'last_status']).where('order_id', '=', String(om.order_id)).where('kind', '=', 'auto_capture').executeTakeFirstOrThrow();
      const deadline = Date.now() + 10_000;
      while ((await job()).state === 'pending') {
        assert.ok(Date.now() < deadline, 'the auto_capture job did not run within 10 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(await job(), { state: 'done', last_status: 204 });
      assert.equal((await getOrder(t, m, String(om.order_id))).captured_amount, 10_000);
    });

    it('auto_capture survives a request that dies after the order committed: the job written with it captures, once', async () => {
      const t = ctx();
      const { token } = await authorizedSession(t, m);
      // The store call alone, as a request that crashed before its own capture would have left it.
      const result = await placeOrderFromToken(t.store, {
        merchantId: m.merchant_id,
        token,
        cart: cartBody() as unknown as PaymentCart,
        correlationId: randomUUID(),
        pushDelaySeconds: 120,
        autoCapture: true,
        render: () => ({ status: 200, body: '{}' }),
      });
      assert.ok(!('ok' in result) && result.created);
      const orderId = result.created.order_id;
      const deadline = Date.now() + 10_000;
      while ((await getOrder(t, m, orderId)).status !== 'CAPTURED') {
        assert.ok(Date.now() < deadline, 'the auto_capture job did not capture within 10 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const captures = await t.store.db.selectFrom('captures').select('capture_id').where('order_id', '=', orderId).execute();
      assert.equal(captures.length, 1);
    });

    it('a pending authorization makes a PENDING order (no auto_capture) that the §5 fraud decision settles', async () => {
      const t = ctx();
      const { token } = await authorizedSession(t, m, 'pending');
      const res = await placeOrder(t, m, token, cartBody({ auto_capture: true }));
      const order = res.json() as { order_id: string; fraud_status: string };
      assert.equal(order.fraud_status, 'PENDING');
      const om = await getOrder(t, m, order.order_id);
      assert.equal(om.fraud_status, 'PENDING');
      assert.equal(om.captured_amount, 0);
      expectError(await call(t, { method: 'POST', url: ordersUrl(order.order_id, '/captures'), auth: m, body: { captured_amount: 10_000 } }), 403, 'CAPTURE_NOT_ALLOWED');
      const decided = await call(t, { method: 'POST', url: `/sandbox/v1/orders/${order.order_id}/fraud-decision`, auth: m, body: { decision: 'ACCEPTED' } });
      assert.equal(decided.statusCode, 204, decided.body);
      assert.equal((await getOrder(t, m, order.order_id)).fraud_status, 'ACCEPTED');
    });

    it("merchant_urls.authorization receives {authorization_token, session_id} through the outbox", async () => {
      const t = ctx();
      const shop = await startReceiver();
      try {
        const { sessionId, token } = await authorizedSession(t, m, 'accepted', cartBody({ merchant_urls: { authorization: `${shop.origin}/authorized` } }));
        const [callback] = await shop.waitFor((r) => r.length > 0, 10_000);
        assert.equal(callback!.path, '/authorized');
        assert.deepEqual(JSON.parse(callback!.body), { authorization_token: token, session_id: sessionId });
      } finally {
        await shop.close();
      }
    });

    it('a sandbox fault on the order call changes nothing: the token then makes its order', async () => {
      const t = ctx();
      const { token } = await authorizedSession(t, m);
      const fault = await call(t, { method: 'POST', url: '/sandbox/v1/faults', auth: m, body: { method: 'POST', path: '/payments/v1/authorizations/*/order', status: 503 } });
      assert.equal(fault.statusCode, 201, fault.body);
      expectError(await placeOrder(t, m, token), 503, 'SERVICE_UNAVAILABLE');
      assert.equal((await placeOrder(t, m, token)).statusCode, 200);
    });

    it('two order requests at once with one token make one order and the same answer', async () => {
      const t = ctx();
      const { token } = await authorizedSession(t, m);
      const [a, b] = await Promise.all([placeOrder(t, m, token), placeOrder(t, m, token)]);
      assert.equal(a.statusCode, 200, a.body);
      assert.equal(a.body, b.body);
    });
  },
  { ...KLARNA, ...WITH_WORKER },
);

describeOnBothStores('Klarna Payments under the kustom profile', (ctx) => {
  it('every Payments path is 404 NOT_FOUND', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    expectError(await call(t, { method: 'POST', url: SESSIONS, auth: m, body: cartBody() }), 404, 'NOT_FOUND');
    expectError(await call(t, { method: 'POST', url: `/sandbox/v1/payments/sessions/${randomUUID()}/authorize`, auth: m, body: { outcome: 'accepted' } }), 404, 'NOT_FOUND');
  });
});

describeOnBothStores(
  'Klarna Payments in production mode',
  (ctx) => {
    it('the klarna profile in production mode has no Payments API either (OpenOM takes no real payments)', async () => {
      const t = ctx();
      const m = await createMerchant(t);
      expectError(await call(t, { method: 'POST', url: SESSIONS, auth: m, body: cartBody() }), 404, 'NOT_FOUND');
      assert.equal((await t.app.inject({ method: 'GET', url: '/sandbox/payments/lib/v1/api.js' })).statusCode, 404);
    });
  },
  { ...KLARNA, OPENOM_MODE: 'production' },
);
