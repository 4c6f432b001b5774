// Hosted Payment Page sessions over Klarna Payments sessions, over HTTP on both stores (CONTRACT §13
// over §14, klarna profile): expiry an hour before the payment session's 48 hours, the page showing
// the session's cart, place_order_mode NONE (an authorization token on the HPP session and in the
// redirect), PLACE_ORDER and CAPTURE_ORDER (the order from the token), pending, declined, a payment
// session completed elsewhere, refusals; under kustom a payment_session_url stays 400.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { createCheckout } from '../support/checkout.js';
import { call, createMerchant, describeOnBothStores, errorOf, getOrder, type Json, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { authorizedSession, createSession, KLARNA, placeOrder, SESSIONS } from '../support/payments.js';

interface Created {
  session_id: string;
  redirect_url: string;
  expires_at: string;
}

const SHOP = 'https://shop.example';
const URLS = { success: `${SHOP}/ok?sid={{session_id}}&token={{authorization_token}}&order={{order_id}}`, failure: `${SHOP}/failed/{{session_id}}`, error: `${SHOP}/error/{{session_id}}` };
const sessionUrl = (id: string) => `http://localhost${SESSIONS}/${id}`;
const pathOf = (url: string) => new URL(url).pathname;

const createHpp = (t: TestApp, m: MerchantCredentials, body: Json) => call(t, { method: 'POST', url: '/hpp/v1/sessions', auth: m, body });

/** A payment session and an HPP session over it, its page opened (IN_PROGRESS). */
async function openHpp(t: TestApp, m: MerchantCredentials, mode?: string): Promise<Created & { paymentSessionId: string }> {
  const { session_id: paymentSessionId } = await createSession(t, m);
  const res = await createHpp(t, m, { payment_session_url: sessionUrl(paymentSessionId), merchant_urls: URLS, ...(mode === undefined ? {} : { options: { place_order_mode: mode } }) });
  assert.equal(res.statusCode, 201, res.body);
  const created = res.json() as Created;
  const page = await t.app.inject({ method: 'GET', url: pathOf(created.redirect_url) });
  assert.equal(page.statusCode, 200);
  return { ...created, paymentSessionId };
}

const choose = (t: TestApp, s: Created, outcome: string) =>
  t.app.inject({ method: 'POST', url: `${pathOf(s.redirect_url)}/pay`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ outcome }).toString() });
const hppOf = async (t: TestApp, m: MerchantCredentials, id: string) => (await call(t, { method: 'GET', url: `/hpp/v1/sessions/${id}`, auth: m })).json() as Json;
const paymentSessionOf = async (t: TestApp, m: MerchantCredentials, id: string) => (await call(t, { method: 'GET', url: `${SESSIONS}/${id}`, auth: m })).json() as Json;

function expectBadUrl(res: { statusCode: number; body: string }, pattern: RegExp) {
  assert.equal(res.statusCode, 400, res.body);
  const err = errorOf(res as Parameters<typeof errorOf>[0]);
  assert.equal(err.error_code, 'BAD_VALUE');
  assert.match(err.error_messages.join(' '), pattern);
}

describeOnBothStores(
  'Hosted Payment Page over Klarna Payments sessions',
  (ctx) => {
    let m: MerchantCredentials;
    it('setup: a merchant', async () => {
      m = await createMerchant(ctx(), `HPP KP ${randomUUID().slice(0, 8)}`);
    });

    it('a session over a payment session expires an hour before it (48 h after its creation), mode NONE by default; the page shows its cart without "pending, then reject"', async () => {
      const t = ctx();
      const { session_id } = await createSession(t, m);
      const res = await createHpp(t, m, { payment_session_url: sessionUrl(session_id.toUpperCase()) });
      assert.equal(res.statusCode, 201, res.body);
      const created = res.json() as Created;
      const payment = await paymentSessionOf(t, m, session_id);
      assert.equal(Date.parse(created.expires_at), Date.parse(String(payment.expires_at)) - 3_600_000);
      const row = await t.store.db.selectFrom('hpp_sessions').select(['place_order_mode', 'source_id']).where('session_id', '=', created.session_id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { place_order_mode: 'NONE', source_id: session_id });
      const page = await t.app.inject({ method: 'GET', url: pathOf(created.redirect_url) });
      assert.match(page.body, /Tomatoes/);
      assert.match(page.body, /value="accepted"/);
      assert.doesNotMatch(page.body, /pending_rejected/);
    });

    it('NONE: approving authorizes the payment session; the HPP session is COMPLETED with the authorization_token, filled into the success URL; the merchant places the order with it', async () => {
      const t = ctx();
      const s = await openHpp(t, m, 'NONE');
      const paid = await choose(t, s, 'accepted');
      assert.equal(paid.statusCode, 303, paid.body);
      const read = await hppOf(t, m, s.session_id);
      assert.equal(read.status, 'COMPLETED');
      assert.equal(read.order_id, undefined);
      const token = String(read.authorization_token);
      assert.equal(paid.headers.location, `${SHOP}/ok?sid=${s.session_id}&token=${token}&order=`);
      const payment = await paymentSessionOf(t, m, s.paymentSessionId);
      assert.equal(payment.authorization_token, token);
      assert.equal(payment.status, 'incomplete', 'the order is the merchant’s to place');
      const order = await placeOrder(t, m, token);
      assert.equal(order.statusCode, 200, order.body);
      assert.equal((await getOrder(t, m, (order.json() as { order_id: string }).order_id)).status, 'AUTHORIZED');
      assert.equal((await choose(t, s, 'accepted')).headers.location, paid.headers.location, 'a completed session takes no second payment');
      const authorizations = await t.store.db.selectFrom('payment_authorizations').where('session_id', '=', s.paymentSessionId).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(authorizations.n), 1);
    });

    it('PLACE_ORDER: the order is placed from the authorization; the HPP session names it and its reference; the payment session is complete', async () => {
      const t = ctx();
      const s = await openHpp(t, m, 'PLACE_ORDER');
      const paid = await choose(t, s, 'accepted');
      assert.equal(paid.statusCode, 303, paid.body);
      const read = await hppOf(t, m, s.session_id);
      assert.equal(read.status, 'COMPLETED');
      const order = await getOrder(t, m, String(read.order_id));
      assert.equal(order.status, 'AUTHORIZED');
      assert.equal(order.order_amount, 10_000);
      assert.equal(read.klarna_reference, order.klarna_reference);
      assert.equal(paid.headers.location, `${SHOP}/ok?sid=${s.session_id}&token=&order=${String(read.order_id)}`);
      assert.equal((await paymentSessionOf(t, m, s.paymentSessionId)).status, 'complete');
    });

    it('CAPTURE_ORDER captures the order in full; "pending, then accept" leaves a PENDING order authorized', async () => {
      const t = ctx();
      const s = await openHpp(t, m, 'CAPTURE_ORDER');
      assert.equal((await choose(t, s, 'accepted')).statusCode, 303);
      const captured = await getOrder(t, m, String((await hppOf(t, m, s.session_id)).order_id));
      assert.equal(captured.status, 'CAPTURED');
      assert.equal(captured.captured_amount, 10_000);
      const pending = await openHpp(t, m, 'CAPTURE_ORDER');
      assert.equal((await choose(t, pending, 'pending_accepted')).statusCode, 303);
      const order = await getOrder(t, m, String((await hppOf(t, m, pending.session_id)).order_id));
      assert.deepEqual([order.status, order.fraud_status], ['AUTHORIZED', 'PENDING']);
    });

    it('deny fails the session and leaves the payment session unauthorized; "pending, then reject" (not offered) changes nothing', async () => {
      const t = ctx();
      const s = await openHpp(t, m, 'NONE');
      assert.equal((await choose(t, s, 'pending_rejected')).statusCode, 200);
      assert.equal((await hppOf(t, m, s.session_id)).status, 'IN_PROGRESS');
      const denied = await choose(t, s, 'denied');
      assert.equal(denied.headers.location, `${SHOP}/failed/${s.session_id}`);
      assert.equal((await hppOf(t, m, s.session_id)).status, 'FAILED');
      assert.equal((await paymentSessionOf(t, m, s.paymentSessionId)).authorization_token, undefined);
    });

    it('a payment session completed elsewhere meanwhile ends the HPP session in ERROR', async () => {
      const t = ctx();
      const s = await openHpp(t, m, 'PLACE_ORDER');
      const elsewhere = await call(t, { method: 'POST', url: `/sandbox/v1/payments/sessions/${s.paymentSessionId}/authorize`, auth: m, body: { outcome: 'accepted' } });
      const token = (elsewhere.json() as { authorization_token: string }).authorization_token;
      assert.equal((await placeOrder(t, m, token)).statusCode, 200);
      const paid = await choose(t, s, 'accepted');
      assert.equal(paid.headers.location, `${SHOP}/error/${s.session_id}`);
      const read = await hppOf(t, m, s.session_id);
      assert.deepEqual([read.status, read.order_id], ['ERROR', undefined]);
    });

    it('one order per payment session: a second authorization of it (two approvals at once on the page) makes no second order', async () => {
      const t = ctx();
      const { session_id } = await createSession(t, m);
      const authorize = async () =>
        ((await call(t, { method: 'POST', url: `/sandbox/v1/payments/sessions/${session_id}/authorize`, auth: m, body: { outcome: 'accepted' } })).json() as { authorization_token: string }).authorization_token;
      const [first, second] = [await authorize(), await authorize()];
      const order = await placeOrder(t, m, first);
      assert.equal(order.statusCode, 200, order.body);
      const again = await placeOrder(t, m, second);
      assert.equal(again.statusCode, 404, again.body);
      assert.equal(errorOf(again).error_code, 'NOT_FOUND');
      assert.equal((await placeOrder(t, m, first)).body, order.body, 'the first token still repeats its order');
    });

    it("refuses unknown, another merchant's and completed payment sessions, and NONE for checkout orders, with 400 naming the field", async () => {
      const t = ctx();
      const other = await createMerchant(t, `Other ${randomUUID().slice(0, 8)}`);
      const foreign = await createSession(t, other);
      const done = await authorizedSession(t, m);
      assert.equal((await placeOrder(t, m, done.token)).statusCode, 200);
      expectBadUrl(await createHpp(t, m, { payment_session_url: sessionUrl(randomUUID()) }), /payment_session_url \(no payment session/);
      expectBadUrl(await createHpp(t, m, { payment_session_url: sessionUrl('not-a-uuid') }), /payment_session_url/);
      expectBadUrl(await createHpp(t, m, { payment_session_url: sessionUrl(foreign.session_id) }), /payment_session_url \(no payment session/);
      expectBadUrl(await createHpp(t, m, { payment_session_url: sessionUrl(done.sessionId) }), /payment_session_url \(the payment session is complete\)/);
      const checkout = await createCheckout(t, m);
      expectBadUrl(await createHpp(t, m, { payment_session_url: `http://localhost/checkout/v3/orders/${checkout.order_id}`, options: { place_order_mode: 'NONE' } }), /options\.place_order_mode/);
      const count = await t.store.db.selectFrom('hpp_sessions').where('merchant_id', '=', m.merchant_id).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 7, 'only the sessions of the earlier tests');
    });
  },
  KLARNA,
);

describeOnBothStores('Hosted Payment Page under kustom: no payment sessions', (ctx) => {
  it('a payment_session_url naming a payment session is 400 BAD_VALUE naming payment_session_url', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    expectBadUrl(await createHpp(t, m, { payment_session_url: sessionUrl(randomUUID()) }), /payment_session_url \(payment sessions are the Klarna Payments API of the klarna profile/);
  });
});
