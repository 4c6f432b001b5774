// Checkout API v3 (CONTRACT §6): every call with its refusals, idempotency keys, the 48-hour
// lifetime on the merchant's clock, and completion through the sandbox API, on both stores.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CHECKOUT_ORDERS, checkoutBody, complete, createCheckout, iframeSrc, merchantUrls, readCheckoutOrder, type CheckoutOrder } from '../support/checkout.js';
import { call, createMerchant, createOrder, describeOnBothStores, errorOf, getOrder, ordersUrl, type Json, type MerchantCredentials, type TestApp } from '../support/harness.js';

const H = 3_600;

async function count(t: TestApp, table: 'checkout_orders' | 'orders'): Promise<number> {
  const row = await t.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function jobsOf(t: TestApp, orderId: string) {
  return t.store.db.selectFrom('jobs').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
}

function advance(t: TestApp, m: MerchantCredentials, seconds: number) {
  return call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: m, body: { seconds } });
}

const update = (t: TestApp, m: MerchantCredentials, id: string, body: unknown, headers: Record<string, string> = {}) =>
  call(t, { method: 'POST', url: `${CHECKOUT_ORDERS}/${id}`, auth: m, body, headers });
const abort = (t: TestApp, m: MerchantCredentials, id: string) => call(t, { method: 'POST', url: `${CHECKOUT_ORDERS}/${id}/abort`, auth: m });

function assertRefused(res: { statusCode: number; body: string; json(): unknown; headers: Record<string, unknown> }, status: number, code: string, message?: RegExp) {
  assert.equal(res.statusCode, status, res.body);
  const error = errorOf(res as Parameters<typeof errorOf>[0]);
  assert.equal(error.error_code, code);
  if (message) assert.match(error.error_messages[0] ?? '', message);
}

describeOnBothStores('Checkout API v3', (ctx) => {
  let m: MerchantCredentials;
  let other: MerchantCredentials;
  before(async () => {
    m = await createMerchant(ctx(), 'Checkout AB');
    other = await createMerchant(ctx(), 'Other Checkout AB');
  });

  describe('create and read', () => {
    it('a created checkout order is 201 with its absolute URL as Location, echoes the request and adds order_id, status, times and an html_snippet framing the hosted page', async () => {
      const t = ctx();
      const body = checkoutBody({ merchant_reference2: 'REF-2', merchant_data: '{"cart":7}', options: { color_button: '#FF9900', allow_separate_shipping_address: true } });
      const res = await call(t, { method: 'POST', url: CHECKOUT_ORDERS, auth: m, body });
      assert.equal(res.statusCode, 201, res.body);
      const order = res.json() as CheckoutOrder;
      // app.inject sends Host: localhost:80; the Location is in URL's normal form.
      assert.equal(res.headers.location, `http://localhost${CHECKOUT_ORDERS}/${order.order_id}`);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.match(order.order_id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(order.status, 'checkout_incomplete');
      assert.ok(Math.abs(Date.parse(order.started_at) - Date.now()) < 5_000);
      assert.equal(order.last_modified_at, order.started_at);
      assert.equal(order.completed_at, undefined);
      for (const [field, value] of Object.entries(body)) assert.deepEqual(order[field], value, field);
      assert.equal(iframeSrc(order.html_snippet), `http://127.0.0.1:8080/sandbox/checkout/${order.order_id}`);
      assert.deepEqual(await readCheckoutOrder(t, m, order.order_id), order);
    });

    it("another merchant's checkout order is 404 NO_SUCH_ORDER, as an unknown id; a malformed id is 400 BAD_VALUE naming order_id", async () => {
      const t = ctx();
      const order = await createCheckout(t, m);
      const answers: [MerchantCredentials, string, number, string][] = [
        [other, order.order_id, 404, 'NO_SUCH_ORDER'],
        [m, '6b6f1a3e-0000-4000-8000-000000000000', 404, 'NO_SUCH_ORDER'],
        [m, 'not-an-id', 400, 'BAD_VALUE'],
      ];
      for (const [who, id, status, code] of answers) {
        assertRefused(await call(t, { method: 'GET', url: `${CHECKOUT_ORDERS}/${id}`, auth: who }), status, code);
        assertRefused(await update(t, who, id, { merchant_reference1: 'x' }), status, code);
        assertRefused(await abort(t, who, id), status, code);
        assertRefused(await complete(t, who, id, 'accepted'), status, code, status === 400 ? /^Bad value: order_id \(must be a UUID\)$/ : undefined);
      }
      assert.equal((await readCheckoutOrder(t, m, order.order_id)).status, 'checkout_incomplete');
    });

    it('every call needs the merchant credentials', async () => {
      const t = ctx();
      const order = await createCheckout(t, m);
      for (const [method, url] of [['POST', CHECKOUT_ORDERS], ['GET', `${CHECKOUT_ORDERS}/${order.order_id}`], ['POST', `${CHECKOUT_ORDERS}/${order.order_id}`], ['POST', `${CHECKOUT_ORDERS}/${order.order_id}/abort`]] as const) {
        const res = await call(t, { method, url, auth: 'none', body: method === 'POST' ? checkoutBody() : undefined });
        assertRefused(res, 401, 'UNAUTHORIZED');
        assert.equal(res.headers['www-authenticate'], 'Basic realm="OpenOM"');
      }
    });

    it('a body without a required field is 400 BAD_VALUE naming it, and nothing is stored', async () => {
      const t = ctx();
      const before = await count(t, 'checkout_orders');
      const base = checkoutBody();
      for (const field of ['purchase_country', 'purchase_currency', 'locale', 'order_amount', 'order_tax_amount', 'order_lines', 'merchant_urls']) {
        const { [field]: _gone, ...body } = base;
        assertRefused(await call(t, { method: 'POST', url: CHECKOUT_ORDERS, auth: m, body }), 400, 'BAD_VALUE', new RegExp(`^Bad value: ${field} \\(is required\\)$`));
      }
      for (const url of ['terms', 'checkout', 'confirmation', 'push']) {
        const { [url]: _gone, ...urls } = merchantUrls();
        assertRefused(await call(t, { method: 'POST', url: CHECKOUT_ORDERS, auth: m, body: { ...base, merchant_urls: urls } }), 400, 'BAD_VALUE', new RegExp(`^Bad value: merchant_urls\\.${url} \\(is required\\)$`));
      }
      assert.equal(await count(t, 'checkout_orders'), before);
    });

    it('wrong sums, codes and URLs are 400 BAD_VALUE naming the field, and nothing is stored', async () => {
      const t = ctx();
      const before = await count(t, 'checkout_orders');
      const base = checkoutBody();
      const lines = base.order_lines as Json[];
      const cases: [Json, RegExp][] = [
        [{ order_amount: 9_999 }, /^Bad value: order_amount \(must equal the sum of order_lines\[\]\.total_amount = 10000\)$/],
        [{ order_tax_amount: 1 }, /^Bad value: order_tax_amount \(must equal the sum of order_lines\[\]\.total_tax_amount = 0\)$/],
        [{ order_lines: [lines[0], { ...lines[1], total_amount: 999 }] }, /^Bad value: order_lines\[1\]\.total_amount/],
        [{ order_lines: [] }, /^Bad value: order_lines \(must have at least 1 items\)$/],
        [{ purchase_country: 'QQ' }, /^Bad value: purchase_country/],
        [{ purchase_currency: 'ABC' }, /^Bad value: purchase_currency/],
        [{ locale: 'en_US' }, /^Bad value: locale/],
        [{ merchant_urls: merchantUrls('ftp://shop.example') }, /^Bad value: merchant_urls\.terms \(must be an http or https URL\)$/],
        [{ merchant_urls: merchantUrls(undefined, { validation: 'shop.example/validate' }) }, /^Bad value: merchant_urls\.validation \(must be an absolute http or https URL\)$/],
        [{ merchant_urls: merchantUrls(undefined, { push: `https://shop.example/${'p'.repeat(2000)}` }) }, /^Bad value: merchant_urls\.push \(must be at most 2000 characters\)$/],
        [{ billing_address: { country: 'XX' } }, /^Bad value: billing_address\.country/],
        [{ merchant_reference1: 'r'.repeat(256) }, /^Bad value: merchant_reference1 \(must be at most 255 characters\)$/],
      ];
      for (const [overrides, message] of cases) {
        assertRefused(await call(t, { method: 'POST', url: CHECKOUT_ORDERS, auth: m, body: { ...base, ...overrides } }), 400, 'BAD_VALUE', message);
      }
      assert.equal(await count(t, 'checkout_orders'), before);
    });
  });

  describe('update and abort', () => {
    it('an update replaces the fields sent, keeps the others and moves last_modified_at', async () => {
      const t = ctx();
      const fresh = await createMerchant(t, 'Updating AB');
      const order = await createCheckout(t, fresh);
      assert.equal((await advance(t, fresh, 90)).statusCode, 200);
      const lines = [{ name: 'Cucumber', quantity: 3, unit_price: 500, total_amount: 1_500, tax_rate: 2_500, total_tax_amount: 300 }];
      const res = await update(t, fresh, order.order_id, { order_amount: 1_500, order_tax_amount: 300, order_lines: lines, merchant_reference1: 'ORDER-2' });
      assert.equal(res.statusCode, 200, res.body);
      const updated = res.json() as CheckoutOrder;
      assert.deepEqual(updated.order_lines, lines);
      assert.equal(updated.order_amount, 1_500);
      assert.equal(updated.merchant_reference1, 'ORDER-2');
      assert.deepEqual(updated.merchant_urls, order.merchant_urls);
      assert.equal(updated.started_at, order.started_at);
      assert.equal(Date.parse(updated.last_modified_at) - Date.parse(order.started_at) >= 89_000, true, `${order.started_at} → ${updated.last_modified_at}`);
      assert.deepEqual(await readCheckoutOrder(t, fresh, order.order_id), updated);
    });

    it('an update is checked as a whole: breaking the sums is 400 and changes nothing', async () => {
      const t = ctx();
      const order = await createCheckout(t, m);
      assertRefused(await update(t, m, order.order_id, { order_amount: 5 }), 400, 'BAD_VALUE', /^Bad value: order_amount/);
      assertRefused(await update(t, m, order.order_id, { merchant_urls: { push: 'https://shop.example/push' } }), 400, 'BAD_VALUE', /^Bad value: merchant_urls\.terms \(is required\)$/);
      assertRefused(await update(t, m, order.order_id, { order_tax_amount: 10 }), 400, 'BAD_VALUE', /^Bad value: order_tax_amount/);
      assert.deepEqual(await readCheckoutOrder(t, m, order.order_id), order);
    });

    it('abort is 200 with the order; an aborted order cannot be updated or completed and stays checkout_incomplete', async () => {
      const t = ctx();
      const order = await createCheckout(t, m);
      const res = await abort(t, m, order.order_id);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((res.json() as CheckoutOrder).status, 'checkout_incomplete');
      assert.equal((await abort(t, m, order.order_id)).statusCode, 200, 'aborting again');
      assertRefused(await update(t, m, order.order_id, { merchant_reference1: 'late' }), 403, 'READ_ONLY_ORDER', /aborted/);
      assertRefused(await complete(t, m, order.order_id, 'accepted'), 403, 'READ_ONLY_ORDER', /aborted/);
      assert.equal((await readCheckoutOrder(t, m, order.order_id)).status, 'checkout_incomplete');
      assert.equal((await call(t, { method: 'GET', url: ordersUrl(order.order_id), auth: m })).statusCode, 404);
    });

    it('a completed order cannot be updated or aborted: 403 READ_ONLY_ORDER', async () => {
      const t = ctx();
      const order = await createCheckout(t, m);
      assert.equal((await complete(t, m, order.order_id, 'accepted')).statusCode, 200);
      assertRefused(await update(t, m, order.order_id, { merchant_reference1: 'late' }), 403, 'READ_ONLY_ORDER', /completed/);
      assertRefused(await abort(t, m, order.order_id), 403, 'READ_ONLY_ORDER', /completed/);
      assert.equal((await readCheckoutOrder(t, m, order.order_id)).status, 'checkout_complete');
    });

    it('an order expires 48 hours after its creation or last update on the merchant clock: then read-only, status unchanged', async () => {
      const t = ctx();
      const fresh = await createMerchant(t, 'Expiring Checkout AB');
      const order = await createCheckout(t, fresh);
      assert.equal((await advance(t, fresh, 47 * H)).statusCode, 200);
      assert.equal((await update(t, fresh, order.order_id, { merchant_reference2: 'still open' })).statusCode, 200, 'an update restarts the 48 hours');
      assert.equal((await advance(t, fresh, 47 * H)).statusCode, 200);
      assert.equal((await update(t, fresh, order.order_id, {})).statusCode, 200);
      assert.equal((await advance(t, fresh, 48 * H + 5)).statusCode, 200);
      assertRefused(await update(t, fresh, order.order_id, {}), 403, 'READ_ONLY_ORDER', /expired/);
      assertRefused(await complete(t, fresh, order.order_id, 'accepted'), 403, 'READ_ONLY_ORDER', /expired/);
      assert.equal((await readCheckoutOrder(t, fresh, order.order_id)).status, 'checkout_incomplete');
      assert.equal((await abort(t, fresh, order.order_id)).statusCode, 200, 'an expired order may still be aborted');
    });
  });

  describe('idempotency keys', () => {
    it('a create with a key is replayed byte for byte, Location included, and makes one order', async () => {
      const t = ctx();
      const before = await count(t, 'checkout_orders');
      const headers = { 'klarna-idempotency-key': 'create-checkout-1' };
      const first = await call(t, { method: 'POST', url: CHECKOUT_ORDERS, auth: m, body: checkoutBody(), headers });
      const again = await call(t, { method: 'POST', url: CHECKOUT_ORDERS, auth: m, body: checkoutBody({ merchant_reference1: 'other body' }), headers });
      assert.equal(first.statusCode, 201);
      assert.equal(again.statusCode, 201);
      assert.equal(again.body, first.body);
      assert.equal(again.headers.location, first.headers.location);
      assert.equal(await count(t, 'checkout_orders'), before + 1);
    });

    it('concurrent creates with one key make one order and the same answer', async () => {
      const t = ctx();
      const before = await count(t, 'checkout_orders');
      const headers = { 'klarna-idempotency-key': 'create-checkout-concurrent' };
      const answers = await Promise.all(Array.from({ length: 6 }, () => call(t, { method: 'POST', url: CHECKOUT_ORDERS, auth: m, body: checkoutBody(), headers })));
      assert.deepEqual(new Set(answers.map((a) => `${a.statusCode} ${a.body}`)).size, 1);
      assert.equal(await count(t, 'checkout_orders'), before + 1);
    });

    it('an update with a key is replayed after later changes; the key used on another path is 400 naming the header', async () => {
      const t = ctx();
      const order = await createCheckout(t, m);
      const headers = { 'klarna-idempotency-key': `update-${order.order_id}` };
      const first = await update(t, m, order.order_id, { merchant_reference1: 'first' }, headers);
      assert.equal(first.statusCode, 200);
      assert.equal((await update(t, m, order.order_id, { merchant_reference1: 'second' })).statusCode, 200);
      const replay = await update(t, m, order.order_id, { merchant_reference1: 'third' }, headers);
      assert.equal(replay.body, first.body);
      assert.equal((await readCheckoutOrder(t, m, order.order_id)).merchant_reference1, 'second');
      const elsewhere = await call(t, { method: 'POST', url: `${CHECKOUT_ORDERS}/${order.order_id}/abort`, auth: m, headers });
      assertRefused(elsewhere, 400, 'BAD_VALUE', /Klarna-Idempotency-Key/);
      assert.equal((await readCheckoutOrder(t, m, order.order_id)).status, 'checkout_incomplete');
    });
  });

  describe('sandbox faults', () => {
    it('a fault on the Checkout API answers with its status, creates nothing and leaves the idempotency key unused', async () => {
      const t = ctx();
      const fresh = await createMerchant(t, 'Faulted Checkout AB');
      const fault = await call(t, { method: 'POST', url: '/sandbox/v1/faults', auth: fresh, body: { method: 'POST', path: CHECKOUT_ORDERS, status: 503 } });
      assert.equal(fault.statusCode, 201, fault.body);
      const before = await count(t, 'checkout_orders');
      const headers = { 'klarna-idempotency-key': 'faulted-create' };
      const faulted = await call(t, { method: 'POST', url: CHECKOUT_ORDERS, auth: fresh, body: checkoutBody(), headers });
      assertRefused(faulted, 503, 'SERVICE_UNAVAILABLE');
      assert.equal(faulted.headers['retry-after'], '1');
      assert.equal(await count(t, 'checkout_orders'), before);
      const retried = await call(t, { method: 'POST', url: CHECKOUT_ORDERS, auth: fresh, body: checkoutBody(), headers });
      assert.equal(retried.statusCode, 201, retried.body);
      assert.equal(await count(t, 'checkout_orders'), before + 1);
    });
  });

  describe('completing a purchase through the sandbox API', () => {
    it('accepted: checkout_complete, and an AUTHORIZED order with the same id, lines, amounts, addresses and references; the first push due 2 minutes later', async () => {
      const t = ctx();
      const address = { given_name: 'Ann', family_name: 'Andersson', street_address: 'Storgatan 1', postal_code: '11122', city: 'Stockholm', country: 'SE', email: 'ann@example.com' };
      const created = await createCheckout(t, m, checkoutBody({ billing_address: address, shipping_address: { ...address, street_address: 'Lillgatan 2' }, merchant_reference2: 'R2', merchant_data: 'md' }));
      const startedMs = Date.now();
      const res = await complete(t, m, created.order_id, 'accepted');
      assert.equal(res.statusCode, 200, res.body);
      const checkout = res.json() as CheckoutOrder;
      assert.equal(checkout.status, 'checkout_complete');
      assert.ok(checkout.completed_at !== undefined && Math.abs(Date.parse(checkout.completed_at) - Date.now()) < 5_000);
      assert.deepEqual(await readCheckoutOrder(t, m, created.order_id), checkout);

      const order = await getOrder(t, m, created.order_id);
      assert.equal(order.order_id, created.order_id);
      assert.equal(order.status, 'AUTHORIZED');
      assert.equal(order.fraud_status, 'ACCEPTED');
      for (const field of ['order_amount', 'order_lines', 'purchase_country', 'purchase_currency', 'locale', 'billing_address', 'shipping_address', 'merchant_reference1', 'merchant_reference2', 'merchant_data']) {
        assert.deepEqual(order[field], created[field], field);
      }
      assert.equal(order.remaining_authorized_amount, created.order_amount);
      assert.equal(order.created_at, checkout.completed_at);

      const pushes = (await jobsOf(t, created.order_id)).filter((j) => j.kind === 'push');
      assert.equal(pushes.length, 1);
      assert.deepEqual(JSON.parse(pushes[0]!.payload), { first_delay_seconds: 120 });
      assert.ok(Math.abs(Number(pushes[0]!.run_at) - (startedMs + 120_000)) < 5_000, 'due 120 s after the purchase');
      assert.equal((await jobsOf(t, created.order_id)).filter((j) => j.kind === 'fraud_decision').length, 0);
    });

    it('the pending outcomes: fraud_status PENDING, decided automatically an hour later on the merchant clock', async () => {
      const t = ctx();
      const ahead = await createMerchant(t, 'Pending AB');
      assert.equal((await advance(t, ahead, 5 * H)).statusCode, 200);
      for (const [outcome, decision] of [['pending_accepted', 'ACCEPTED'], ['pending_rejected', 'REJECTED']] as const) {
        const created = await createCheckout(t, ahead);
        const res = await complete(t, ahead, created.order_id, outcome);
        assert.equal(res.statusCode, 200, res.body);
        const order = await getOrder(t, ahead, created.order_id);
        assert.equal(order.status, 'AUTHORIZED');
        assert.equal(order.fraud_status, 'PENDING');
        const reviews = (await jobsOf(t, created.order_id)).filter((j) => j.kind === 'fraud_decision');
        assert.equal(reviews.length, 1);
        assert.deepEqual(JSON.parse(reviews[0]!.payload), { decision });
        // run_at is real time: an hour after the purchase, whatever the merchant's clock says.
        assert.ok(Math.abs(Number(reviews[0]!.run_at) - (Date.now() + H * 1000)) < 5_000);
      }
    });

    it('denied: 200 with the order still checkout_incomplete; no order, no jobs', async () => {
      const t = ctx();
      const created = await createCheckout(t, m);
      const res = await complete(t, m, created.order_id, 'denied');
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), created);
      assert.equal((await call(t, { method: 'GET', url: ordersUrl(created.order_id), auth: m })).statusCode, 404);
      assert.deepEqual(await jobsOf(t, created.order_id), []);
      assert.equal((await complete(t, m, created.order_id, 'accepted')).statusCode, 200, 'a denied purchase can be tried again');
    });

    it("the shopper's e-mail goes on the order's addresses; a bad one is 400", async () => {
      const t = ctx();
      const created = await createCheckout(t, m);
      assertRefused(await complete(t, m, created.order_id, 'accepted', 'no-at-sign'), 400, 'BAD_VALUE', /^Bad value: email/);
      assertRefused(await call(t, { method: 'POST', url: `/sandbox/v1/checkout/${created.order_id}/complete`, auth: m, body: { outcome: 'maybe' } }), 400, 'BAD_VALUE', /^Bad value: outcome/);
      assert.equal((await complete(t, m, created.order_id, 'accepted', 'shopper@example.com')).statusCode, 200);
      const order = await getOrder(t, m, created.order_id);
      assert.deepEqual(order.billing_address, { country: 'SE', email: 'shopper@example.com' });
      assert.deepEqual(order.shipping_address, { country: 'SE', email: 'shopper@example.com' });
      assert.deepEqual((await readCheckoutOrder(t, m, created.order_id)).billing_address, order.billing_address);
    });

    it('a second completion is 403 READ_ONLY_ORDER, and concurrent completions make one order', async () => {
      const t = ctx();
      const created = await createCheckout(t, m);
      const before = await count(t, 'orders');
      const answers = await Promise.all(['accepted', 'pending_accepted', 'accepted', 'pending_rejected', 'accepted'].map((o) => complete(t, m, created.order_id, o as 'accepted')));
      const statuses = answers.map((a) => a.statusCode).sort();
      assert.deepEqual(statuses, [200, 403, 403, 403, 403], answers.map((a) => a.body).join('\n'));
      for (const refused of answers.filter((a) => a.statusCode === 403)) assert.equal(errorOf(refused).error_code, 'READ_ONLY_ORDER');
      assert.equal(await count(t, 'orders'), before + 1);
      assert.equal((await jobsOf(t, created.order_id)).filter((j) => j.kind === 'push').length, 1);
    });
  });

  describe('push now', () => {
    it('204 for a checkout order (a push due now); 403 NOT_ALLOWED for an admin intake order; 404 for an unknown or another merchant’s order', async () => {
      const t = ctx();
      const created = await createCheckout(t, m);
      assert.equal((await complete(t, m, created.order_id, 'accepted')).statusCode, 200);
      const res = await call(t, { method: 'POST', url: `/sandbox/v1/orders/${created.order_id}/push`, auth: m });
      assert.equal(res.statusCode, 204, res.body);
      const manual = (await jobsOf(t, created.order_id)).filter((j) => j.kind === 'push' && JSON.parse(j.payload).manual === true);
      assert.equal(manual.length, 1);
      assert.ok(Number(manual[0]!.run_at) <= Date.now());

      const intake = await createOrder(t, m);
      assertRefused(await call(t, { method: 'POST', url: `/sandbox/v1/orders/${intake.order_id}/push`, auth: m }), 403, 'NOT_ALLOWED', /push URL/);
      assertRefused(await call(t, { method: 'POST', url: `/sandbox/v1/orders/${created.order_id}/push`, auth: other }), 404, 'NO_SUCH_ORDER');
      assertRefused(await call(t, { method: 'POST', url: '/sandbox/v1/orders/00000000-0000-4000-8000-000000000000/push', auth: m }), 404, 'NO_SUCH_ORDER');
      const incomplete = await createCheckout(t, m);
      assertRefused(await call(t, { method: 'POST', url: `/sandbox/v1/orders/${incomplete.order_id}/push`, auth: m }), 404, 'NO_SUCH_ORDER');
    });
  });
});

describeOnBothStores(
  'Checkout API v3 with OPENOM_PUBLIC_URL',
  (ctx) => {
    it('the html_snippet frames the hosted page at the public URL', async () => {
      const t = ctx();
      const m = await createMerchant(t);
      const order = await createCheckout(t, m);
      assert.equal(iframeSrc(order.html_snippet), `https://openom.example:8443/sandbox/checkout/${order.order_id}`);
    });
  },
  { OPENOM_PUBLIC_URL: 'https://openom.example:8443/' },
);

describeOnBothStores(
  'Checkout in production mode',
  (ctx) => {
    it('the Checkout API, the hosted page and the sandbox checkout calls answer 404 NOT_FOUND', async () => {
      const t = ctx();
      const m = await createMerchant(t);
      const id = '6b6f1a3e-0000-4000-8000-000000000000';
      for (const [method, url] of [
        ['POST', CHECKOUT_ORDERS],
        ['GET', `${CHECKOUT_ORDERS}/${id}`],
        ['POST', `${CHECKOUT_ORDERS}/${id}/abort`],
        ['GET', `/sandbox/checkout/${id}`],
        ['POST', `/sandbox/checkout/${id}/complete`],
        ['POST', `/sandbox/v1/checkout/${id}/complete`],
        ['POST', `/sandbox/v1/orders/${id}/push`],
      ] as const) {
        const res = await call(t, { method, url, auth: m, body: method === 'POST' ? checkoutBody() : undefined });
        assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
        assert.equal(errorOf(res).error_code, 'NOT_FOUND');
      }
    });
  },
  { OPENOM_MODE: 'production' },
);
