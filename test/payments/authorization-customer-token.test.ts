// A customer token from a Klarna Payments authorization, over HTTP on both stores (CONTRACT §14 →
// §12): intent tokenize gives a token (and completes the session), buy_and_tokenize a token and an
// order from the same authorization, buy none; the token works with the Customer Token API and
// fires openom.customer_token.created; repeats give the same token; bad bodies and unusable tokens are refused.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { call, createMerchant, describeOnBothStores, getOrder, type Json, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { expectError, UUID } from '../support/orderAssertions.js';
import { authorizationUrl, authorizedSession, cartBody, KLARNA, placeOrder, SESSIONS } from '../support/payments.js';
import { advanceClock, deliveriesOf, registerWebhook } from '../support/webhooks.js';
import { cancelToken, orderWithToken, readToken, renewalBody } from '../tokens/support.js';

const tokenBody = (overrides: Json = {}): Json => ({
  description: 'Tomato box, monthly',
  intended_use: 'SUBSCRIPTION',
  locale: 'sv-SE',
  purchase_country: 'SE',
  purchase_currency: 'SEK',
  ...overrides,
});
const customerToken = (t: TestApp, m: MerchantCredentials, token: string, body: Json = tokenBody()) =>
  call(t, { method: 'POST', url: authorizationUrl(token, '/customer-token'), auth: m, body });
const tokenizing = (intent: string) => cartBody({ intent, customer: { date_of_birth: '1980-01-01' } });

describeOnBothStores(
  'customer token from a Klarna Payments authorization',
  (ctx) => {
    let m: MerchantCredentials;
    it('setup: a merchant', async () => {
      m = await createMerchant(ctx(), `Tokenize ${randomUUID().slice(0, 8)}`);
    });

    it('intent tokenize: 200 {token_id, redirect_url}, an ACTIVE INVOICE token usable for orders and cancellable, the created webhook, the session complete', async () => {
      const t = ctx();
      const hook = await registerWebhook(t, m, 'https://shop.example/hooks', ['openom.customer_token.created']);
      const { sessionId, token } = await authorizedSession(t, m, 'accepted', tokenizing('tokenize'));
      const res = await customerToken(t, m, token);
      assert.equal(res.statusCode, 200, res.body);
      const made = res.json() as { token_id: string; redirect_url: string };
      assert.deepEqual(Object.keys(made).sort(), ['redirect_url', 'token_id']);
      assert.match(made.token_id, UUID);
      assert.ok(made.redirect_url.endsWith(`/sandbox/payments/${sessionId}`), made.redirect_url);
      const read = await readToken(t, m, made.token_id);
      assert.equal(read.statusCode, 200, read.body);
      assert.deepEqual(read.json(), { status: 'ACTIVE', payment_method_type: 'INVOICE' });
      const row = await t.store.db.selectFrom('customer_tokens').selectAll().where('token_id', '=', made.token_id).executeTakeFirstOrThrow();
      assert.equal(row.description, 'Tomato box, monthly');
      assert.equal(JSON.parse(row.billing_address!).family_name, 'Testsson', "the authorized shopper's billing address");
      const session = (await call(t, { method: 'GET', url: `${SESSIONS}/${sessionId}`, auth: m })).json() as { status: string };
      assert.equal(session.status, 'complete', 'a tokenize session has nothing left to do');

      const order = await orderWithToken(t, m, made.token_id, renewalBody({ auto_capture: true }));
      assert.equal(order.statusCode, 200, order.body);
      const om = await getOrder(t, m, (order.json() as { order_id: string }).order_id);
      assert.equal(om.status, 'CAPTURED');
      assert.equal((om.billing_address as { family_name: string }).family_name, 'Testsson');
      assert.equal((await cancelToken(t, m, made.token_id)).statusCode, 202);
      expectError(await orderWithToken(t, m, made.token_id), 404, 'TOKEN_NOT_FOUND');

      const deliveries = await deliveriesOf(t, m, hook);
      assert.deepEqual(deliveries.map((d) => [d.event_type, d.order_id]), [['openom.customer_token.created', token]]);
    });

    it('a repeat with the same authorization gives the same token and makes no second one', async () => {
      const t = ctx();
      const { token } = await authorizedSession(t, m, 'accepted', tokenizing('tokenize'));
      const first = (await customerToken(t, m, token)).json() as { token_id: string };
      const again = await customerToken(t, m, token.toUpperCase());
      assert.equal(again.statusCode, 200, again.body);
      assert.equal((again.json() as { token_id: string }).token_id, first.token_id);
      const count = await t.store.db.selectFrom('customer_tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('origin_order_id', '=', token).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 1);
    });

    it('intent buy_and_tokenize: the same authorization gives an order and a customer token, in either order', async () => {
      const t = ctx();
      const first = await authorizedSession(t, m, 'accepted', tokenizing('buy_and_tokenize'));
      assert.equal((await customerToken(t, m, first.token)).statusCode, 200);
      const order = await placeOrder(t, m, first.token, tokenizing('buy_and_tokenize'));
      assert.equal(order.statusCode, 200, order.body);
      const second = await authorizedSession(t, m, 'accepted', tokenizing('buy_and_tokenize'));
      assert.equal((await placeOrder(t, m, second.token, tokenizing('buy_and_tokenize'))).statusCode, 200);
      const made = await customerToken(t, m, second.token);
      assert.equal(made.statusCode, 200, made.body);
      assert.equal((await readToken(t, m, (made.json() as { token_id: string }).token_id)).statusCode, 200);
    });

    it('intent buy (the default) gives no customer token: 403 NOT_ALLOWED naming intent; nor does a tokenize authorization already spent on an order', async () => {
      const t = ctx();
      const { token } = await authorizedSession(t, m);
      const refused = expectError(await customerToken(t, m, token), 403, 'NOT_ALLOWED');
      assert.match(refused.error_messages[0]!, /intent/);
      assert.equal((await placeOrder(t, m, token)).statusCode, 200, 'the refusal changed nothing: the token still makes its order');
      const spent = await authorizedSession(t, m, 'accepted', tokenizing('tokenize'));
      assert.equal((await placeOrder(t, m, spent.token, tokenizing('tokenize'))).statusCode, 200);
      expectError(await customerToken(t, m, spent.token), 404, 'NOT_FOUND');
    });

    it('a bad body is 400 BAD_VALUE naming the field, and makes nothing', async () => {
      const t = ctx();
      const { token } = await authorizedSession(t, m, 'accepted', tokenizing('tokenize'));
      const cases: [Json, RegExp][] = [
        [tokenBody({ intended_use: 'ONE_OFF' }), /intended_use/],
        [tokenBody({ description: undefined }), /description/],
        [tokenBody({ purchase_currency: 'kronor' }), /purchase_currency/],
        [tokenBody({ locale: 7 }), /locale/],
        [tokenBody({ purchase_country: undefined }), /purchase_country/],
      ];
      for (const [body, field] of cases) {
        const refused = expectError(await customerToken(t, m, token, body), 400, 'BAD_VALUE');
        assert.match(refused.error_messages.join(' '), field, JSON.stringify(body));
      }
      const count = await t.store.db.selectFrom('customer_tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('origin_order_id', '=', token).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 0);
      assert.equal((await customerToken(t, m, token)).statusCode, 200, 'the token is still usable');
    });

    it('unknown, another merchant\'s, cancelled and expired authorization tokens are 404 NOT_FOUND "Invalid authorization token."', async () => {
      const t = ctx();
      const other = await createMerchant(t, `Other ${randomUUID().slice(0, 8)}`);
      const own = await createMerchant(t, `Clock ${randomUUID().slice(0, 8)}`);
      const { token } = await authorizedSession(t, m, 'accepted', tokenizing('tokenize'));
      const cancelled = await authorizedSession(t, m, 'accepted', tokenizing('tokenize'));
      assert.equal((await call(t, { method: 'DELETE', url: authorizationUrl(cancelled.token), auth: m })).statusCode, 204);
      const expiring = await authorizedSession(t, own, 'accepted', tokenizing('tokenize'));
      await advanceClock(t, own, 3_600);
      for (const [who, id] of [[m, randomUUID()], [other, token], [m, cancelled.token], [own, expiring.token]] as const) {
        const refused = expectError(await customerToken(t, who, id), 404, 'NOT_FOUND');
        assert.deepEqual(refused.error_messages, ['Invalid authorization token.']);
      }
    });
  },
  KLARNA,
);
