// The Hosted Payment Page API v1 over HTTP on both stores (CONTRACT §13): sessions over checkout
// orders, the state machine as the shopper's page and the merchant drive it, place_order_mode,
// placeholders in the merchant URLs, expiry on the merchant's clock, disable, and the outbox of
// distributed links.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { checkoutBody, complete, createCheckout } from '../support/checkout.js';
import { call, createMerchant, describeOnBothStores, errorOf, getOrder, type Json, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { advanceClock } from '../support/webhooks.js';

interface Created {
  session_id: string;
  session_url: string;
  redirect_url: string;
  distribution_url: string;
  qr_code_url: string;
  expires_at: string;
}

const SHOP = 'https://shop.example';
const URLS = {
  success: `${SHOP}/ok?sid={{session_id}}&order={{order_id}}`,
  cancel: `${SHOP}/cancelled/{{session_id}}`,
  back: `${SHOP}/back/{{session_id}}`,
  failure: `${SHOP}/failed/{{session_id}}`,
  error: `${SHOP}/error/{{session_id}}`,
};

async function newSession(t: TestApp, m: MerchantCredentials, extra: Json = {}): Promise<Created & { order_id: string }> {
  const checkout = await createCheckout(t, m);
  const res = await call(t, { method: 'POST', url: '/hpp/v1/sessions', auth: m, body: { payment_session_url: `http://localhost/checkout/v3/orders/${checkout.order_id}`, merchant_urls: URLS, ...extra } });
  assert.equal(res.statusCode, 201, res.body);
  return { ...(res.json() as Created), order_id: checkout.order_id };
}

const pathOf = (url: string) => new URL(url).pathname;

async function sessionOf(t: TestApp, m: MerchantCredentials, id: string): Promise<Json> {
  const res = await call(t, { method: 'GET', url: `/hpp/v1/sessions/${id}`, auth: m });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Json;
}

const openPage = (t: TestApp, s: Created) => t.app.inject({ method: 'GET', url: pathOf(s.redirect_url) });
const choose = (t: TestApp, s: Created, outcome: string) =>
  t.app.inject({ method: 'POST', url: `${pathOf(s.redirect_url)}/pay`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ outcome }).toString() });

describeOnBothStores('Hosted Payment Page API', (ctx) => {
  it('creates a session for a checkout order: absolute URLs, WAITING, expiring an hour before the checkout does', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const s = await newSession(t, m);
    for (const url of [s.session_url, s.redirect_url, s.distribution_url, s.qr_code_url]) assert.ok(/^https?:\/\//.test(url), url);
    assert.equal(pathOf(s.session_url), `/hpp/v1/sessions/${s.session_id}`);
    assert.equal(pathOf(s.redirect_url), `/sandbox/hpp/${s.session_id}`);
    const checkout = (await call(t, { method: 'GET', url: `/checkout/v3/orders/${s.order_id}`, auth: m })).json() as { last_modified_at: string };
    assert.equal(Date.parse(s.expires_at), Date.parse(checkout.last_modified_at) + 47 * 3_600_000);
    const read = await sessionOf(t, m, s.session_id);
    assert.deepEqual(Object.keys(read).sort(), ['expires_at', 'session_id', 'status', 'updated_at']);
    assert.equal(read.status, 'WAITING');
  });

  it('refuses bad requests with 400 BAD_VALUE naming the field, creating nothing', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const other = await createMerchant(t, 'Other AB');
    const checkout = await createCheckout(t, m);
    const foreign = await createCheckout(t, other);
    const url = (id: string) => `http://localhost/checkout/v3/orders/${id}`;
    const cases: [Json, string][] = [
      [{}, 'payment_session_url'],
      [{ payment_session_url: 'nonsense' }, 'payment_session_url'],
      [{ payment_session_url: url(foreign.order_id) }, 'payment_session_url'],
      [{ payment_session_url: url('0f8fad5b-d9cb-469f-a165-70867728950e') }, 'payment_session_url'],
      [{ payment_session_url: 'http://localhost/payments/v1/sessions/abc' }, 'payment_session_url'],
      [{ payment_session_url: url(checkout.order_id), merchant_urls: { success: 'ftp://x' } }, 'merchant_urls.success'],
      [{ payment_session_url: url(checkout.order_id), merchant_urls: { status_update: 'https://u:p@x/' } }, 'merchant_urls.status_update'],
      [{ payment_session_url: url(checkout.order_id), options: { place_order_mode: 'NONE' } }, 'options.place_order_mode'],
      [{ payment_session_url: url(checkout.order_id), options: { place_order_mode: 'SOMETIMES' } }, 'place_order_mode'],
    ];
    for (const [body, field] of cases) {
      const res = await call(t, { method: 'POST', url: '/hpp/v1/sessions', auth: m, body });
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
      const err = errorOf(res);
      assert.equal(err.error_code, 'BAD_VALUE');
      assert.ok(err.error_messages.join(' ').includes(field), `${JSON.stringify(body)}: ${res.body}`);
    }
    const count = await t.store.db.selectFrom('hpp_sessions').where('merchant_id', '=', m.merchant_id).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 0);
  });

  it('refuses a checkout order that can no longer be paid: completed, aborted', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const done = await createCheckout(t, m);
    assert.equal((await complete(t, m, done.order_id, 'accepted')).statusCode, 200);
    const aborted = await createCheckout(t, m);
    assert.equal((await call(t, { method: 'POST', url: `/checkout/v3/orders/${aborted.order_id}/abort`, auth: m })).statusCode, 200);
    for (const [id, says] of [[done.order_id, 'completed'], [aborted.order_id, 'aborted']]) {
      const res = await call(t, { method: 'POST', url: '/hpp/v1/sessions', auth: m, body: { payment_session_url: `http://localhost/checkout/v3/orders/${id}` } });
      assert.equal(res.statusCode, 400);
      assert.match(errorOf(res).error_messages[0] ?? '', new RegExp(`payment_session_url.*${says}`));
    }
  });

  it("another merchant's session is 404 NOT_FOUND, as an unknown one; a malformed id is 400", async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const other = await createMerchant(t, 'Other AB');
    const s = await newSession(t, m);
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await call(t, { method, url: `/hpp/v1/sessions/${s.session_id}`, auth: other });
      assert.equal(res.statusCode, 404);
      assert.equal(errorOf(res).error_code, 'NOT_FOUND');
    }
    assert.equal((await call(t, { method: 'GET', url: '/hpp/v1/sessions/not-a-uuid', auth: m })).statusCode, 400);
    assert.equal((await call(t, { method: 'GET', url: `/hpp/v1/sessions/${s.session_id}` })).statusCode, 401);
    assert.equal((await sessionOf(t, m, s.session_id)).status, 'WAITING');
  });

  it('opening the link moves WAITING to IN_PROGRESS; Approve completes the checkout order and redirects to success with placeholders filled', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const s = await newSession(t, m);
    const page = await openPage(t, s);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<button name="outcome" value="accepted">Approve<\/button>/);
    assert.match(page.headers['content-security-policy'] as string, /default-src 'none'/);
    assert.equal((await sessionOf(t, m, s.session_id)).status, 'IN_PROGRESS');

    const paid = await choose(t, s, 'accepted');
    assert.equal(paid.statusCode, 303);
    assert.equal(paid.headers.location, `${SHOP}/ok?sid=${s.session_id}&order=${s.order_id}`);
    const read = await sessionOf(t, m, s.session_id);
    assert.equal(read.status, 'COMPLETED');
    assert.equal(read.order_id, s.order_id);
    const order = await getOrder(t, m, s.order_id);
    assert.equal(order.status, 'AUTHORIZED');
    assert.equal(read.klarna_reference, order.klarna_reference);
    const checkout = (await call(t, { method: 'GET', url: `/checkout/v3/orders/${s.order_id}`, auth: m })).json() as Json;
    assert.equal(checkout.status, 'checkout_complete');

    // Final: the link shows the outcome and offers nothing more; disabling is refused.
    const again = await openPage(t, s);
    assert.match(again.body, /purchase is complete/);
    assert.doesNotMatch(again.body, /<form/);
    const disable = await call(t, { method: 'DELETE', url: `/hpp/v1/sessions/${s.session_id}`, auth: m });
    assert.equal(disable.statusCode, 400);
    assert.equal(errorOf(disable).error_code, 'BAD_VALUE');
  });

  it('CAPTURE_ORDER captures the new order in full', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const s = await newSession(t, m, { options: { place_order_mode: 'CAPTURE_ORDER' } });
    await openPage(t, s);
    assert.equal((await choose(t, s, 'accepted')).statusCode, 303);
    const order = await getOrder(t, m, s.order_id);
    assert.equal(order.status, 'CAPTURED');
    assert.equal(order.captured_amount, checkoutBody().order_amount);
  });

  it('CAPTURE_ORDER leaves a pending order authorized: no capture before the fraud decision', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const s = await newSession(t, m, { options: { place_order_mode: 'CAPTURE_ORDER' } });
    await openPage(t, s);
    assert.equal((await choose(t, s, 'pending_accepted')).statusCode, 303);
    const order = await getOrder(t, m, s.order_id);
    assert.equal(order.fraud_status, 'PENDING');
    assert.equal(order.captured_amount, 0);
  });

  for (const [outcome, status, target] of [
    ['denied', 'FAILED', `${SHOP}/failed/`],
    ['cancel', 'CANCELLED', `${SHOP}/cancelled/`],
    ['back', 'BACK', `${SHOP}/back/`],
  ] as const) {
    it(`${outcome} on the page: ${status}, redirected to its merchant URL, no order`, async () => {
      const t = ctx();
      const m = await createMerchant(t);
      const s = await newSession(t, m);
      await openPage(t, s);
      const res = await choose(t, s, outcome);
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, `${target}${s.session_id}`);
      assert.equal((await sessionOf(t, m, s.session_id)).status, status);
      assert.equal((await call(t, { method: 'GET', url: `/ordermanagement/v1/orders/${s.order_id}`, auth: m })).statusCode, 404);
    });
  }

  it('BACK is not final: the link opens again and can still be paid', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const s = await newSession(t, m);
    await openPage(t, s);
    await choose(t, s, 'back');
    await openPage(t, s);
    assert.equal((await sessionOf(t, m, s.session_id)).status, 'IN_PROGRESS');
    assert.equal((await choose(t, s, 'accepted')).statusCode, 303);
    assert.equal((await sessionOf(t, m, s.session_id)).status, 'COMPLETED');
  });

  it('a checkout order aborted after the session was made ends it in ERROR, redirected to the error URL', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const s = await newSession(t, m);
    await openPage(t, s);
    await call(t, { method: 'POST', url: `/checkout/v3/orders/${s.order_id}/abort`, auth: m });
    const res = await choose(t, s, 'accepted');
    assert.equal(res.headers.location, `${SHOP}/error/${s.session_id}`);
    assert.equal((await sessionOf(t, m, s.session_id)).status, 'ERROR');
  });

  it('DELETE disables the session (204, again 204); its page then refuses to pay and nothing is bought', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const s = await newSession(t, m);
    await openPage(t, s);
    for (let i = 0; i < 2; i++) assert.equal((await call(t, { method: 'DELETE', url: `/hpp/v1/sessions/${s.session_id}`, auth: m })).statusCode, 204);
    assert.equal((await sessionOf(t, m, s.session_id)).status, 'DISABLED');
    const page = await openPage(t, s);
    assert.match(page.body, /disabled by the shop/);
    const res = await choose(t, s, 'accepted');
    assert.equal(res.statusCode, 200);
    assert.equal((await call(t, { method: 'GET', url: `/ordermanagement/v1/orders/${s.order_id}`, auth: m })).statusCode, 404);
  });

  it('a session expires on the merchant clock: the page no longer opens it, though its status stays as it was', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const s = await newSession(t, m);
    await advanceClock(t, m, 47 * 3600);
    const page = await openPage(t, s);
    assert.match(page.body, /expired/);
    assert.doesNotMatch(page.body, /<form/);
    assert.equal((await sessionOf(t, m, s.session_id)).status, 'WAITING');
    const dist = await call(t, { method: 'POST', url: `/hpp/v1/sessions/${s.session_id}/distribution`, auth: m, body: { method: 'sms', contact_information: { phone: '+46701234567' } } });
    assert.equal(dist.statusCode, 403);
  });

  it('a merchant URL with characters outside ASCII redirects percent-encoded, never raw in the header', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const s = await newSession(t, m, { merchant_urls: { cancel: `${SHOP}/avbruten/€?s={{session_id}}` } });
    await openPage(t, s);
    const res = await choose(t, s, 'cancel');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `${SHOP}/avbruten/%E2%82%AC?s=${s.session_id}`);
  });

  it('without merchant URLs the page itself says how it went', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const s = await newSession(t, m, { merchant_urls: {} });
    await openPage(t, s);
    const res = await choose(t, s, 'cancel');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /You cancelled the payment/);
  });

  it('distribution records the message with its link in the outbox, sending nothing; the outbox is per merchant', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const other = await createMerchant(t, 'Other AB');
    const s = await newSession(t, m);
    const email = await call(t, { method: 'POST', url: pathOf(s.distribution_url), auth: m, body: { method: 'email', contact_information: { email: 'shopper@example.com' } } });
    assert.equal(email.statusCode, 201, email.body);
    const sms = await call(t, { method: 'POST', url: pathOf(s.distribution_url), auth: m, body: { method: 'sms', contact_information: { phone: '+46701234567', phone_country: 'SE' } } });
    assert.equal(sms.statusCode, 201, sms.body);
    const missing = await call(t, { method: 'POST', url: pathOf(s.distribution_url), auth: m, body: { method: 'sms', contact_information: { email: 'x@example.com' } } });
    assert.equal(missing.statusCode, 400);
    assert.match(errorOf(missing).error_messages[0] ?? '', /contact_information\.phone/);
    assert.equal((await call(t, { method: 'POST', url: pathOf(s.distribution_url), auth: other, body: { method: 'email', contact_information: { email: 'a@example.com' } } })).statusCode, 404);

    const outbox = await call(t, { method: 'GET', url: '/sandbox/v1/hpp/messages', auth: m });
    assert.equal(outbox.statusCode, 200);
    const { messages } = outbox.json() as { messages: { method: string; link: string; message: string; session_id: string; contact_information: Json }[] };
    assert.equal(messages.length, 2);
    for (const msg of messages) {
      assert.equal(msg.session_id, s.session_id);
      assert.equal(pathOf(msg.link), pathOf(s.redirect_url));
      assert.ok(msg.message.includes(msg.link));
    }
    assert.deepEqual(messages.map((msg) => msg.method).sort(), ['email', 'sms']);
    const theirs = (await call(t, { method: 'GET', url: '/sandbox/v1/hpp/messages', auth: other })).json() as { messages: unknown[] };
    assert.deepEqual(theirs.messages, []);
    assert.equal((await sessionOf(t, m, s.session_id)).status, 'WAITING', 'distributing does not open the page');
  });

  it('the QR code is an SVG of the redirect URL; an unknown session has none', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const s = await newSession(t, m);
    const qr = await t.app.inject({ method: 'GET', url: pathOf(s.qr_code_url) });
    assert.equal(qr.statusCode, 200);
    assert.match(qr.headers['content-type'] as string, /^image\/svg\+xml/);
    assert.match(qr.body, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 45 45"/);
    assert.equal((await t.app.inject({ method: 'GET', url: '/sandbox/hpp/0f8fad5b-d9cb-469f-a165-70867728950e/qr.svg' })).statusCode, 404);
  });
});

describeOnBothStores(
  'Hosted Payment Page in production mode',
  (ctx) => {
    it('answers 404 NOT_FOUND: OpenOM takes no real payments', async () => {
      const t = ctx();
      const res = await call(t, { method: 'POST', url: '/hpp/v1/sessions', auth: 'none', body: {} });
      assert.equal(res.statusCode, 404);
      assert.equal((await t.app.inject({ method: 'GET', url: '/sandbox/hpp/0f8fad5b-d9cb-469f-a165-70867728950e' })).statusCode, 404);
    });
  },
  { OPENOM_MODE: 'production' },
);
