// The hosted test checkout as HTML (CONTRACT §6): what it shows, that it can be framed and loads
// nothing from elsewhere, that merchant strings cannot inject markup, and what its form leads to.
// The browser test (test/browser/) clicks through it in Chromium.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { checkoutBody, complete, createCheckout, readCheckoutOrder } from '../support/checkout.js';
import { call, createMerchant, describeOnBothStores, getOrder, type MerchantCredentials, type TestApp } from '../support/harness.js';

const page = (t: TestApp, id: string) => t.app.inject({ method: 'GET', url: `/sandbox/checkout/${id}` });
const submit = (t: TestApp, id: string, form: string) =>
  t.app.inject({ method: 'POST', url: `/sandbox/checkout/${id}/complete`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form });

/** The visible text of an HTML page, roughly: tags dropped, entities of the escaper decoded. */
function textOf(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describeOnBothStores('hosted test checkout page', (ctx) => {
  let m: MerchantCredentials;
  before(async () => {
    m = await createMerchant(ctx(), 'Page AB');
  });

  it('shows the lines and total in the order’s currency and locale, and the four outcomes as buttons', async () => {
    const t = ctx();
    const body = checkoutBody({
      purchase_currency: 'EUR',
      locale: 'de-DE',
      order_amount: 123_456,
      order_lines: [
        { name: 'Kaffeemaschine', quantity: 2, quantity_unit: 'pcs', unit_price: 60_000, total_amount: 120_000, total_tax_amount: 0 },
        { name: 'Versand', quantity: 1, unit_price: 3_456, total_amount: 3_456, total_tax_amount: 0 },
      ],
    });
    const order = await createCheckout(t, m, body);
    const res = await page(t, order.order_id);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
    const text = textOf(res.body);
    assert.match(text, /Kaffeemaschine 2 pcs 1\.200,00\s€/);
    assert.match(text, /Versand 1 34,56\s€/);
    assert.match(text, /Total 1\.234,56\s€/);
    for (const label of ['Approve', 'Pending, then accept', 'Pending, then reject', 'Deny']) {
      assert.match(res.body, new RegExp(`<button[^>]*>${label}</button>`));
    }
  });

  it('may be framed by any merchant page, runs no script and loads nothing from elsewhere', async () => {
    const t = ctx();
    const order = await createCheckout(t, m);
    const res = await page(t, order.order_id);
    assert.equal(res.headers['x-frame-options'], undefined);
    const csp = String(res.headers['content-security-policy']);
    assert.doesNotMatch(csp, /frame-ancestors/);
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /script-src/);
    assert.doesNotMatch(res.body, /<script|<link|<img|@import|url\(/i);
    // The API itself still refuses to be framed.
    const api = await call(t, { method: 'GET', url: `/checkout/v3/orders/${order.order_id}`, auth: m });
    assert.equal(api.headers['x-frame-options'], 'DENY');
  });

  it('escapes every merchant string: no markup of the merchant’s reaches the page', async () => {
    const t = ctx();
    const evil = '<script>alert("x")</script><img src=x onerror=alert(1)>';
    const order = await createCheckout(
      t,
      m,
      checkoutBody({
        order_lines: [
          { name: evil, quantity: 1, quantity_unit: '"><b>', unit_price: 9_000, total_amount: 9_000, total_tax_amount: 0 },
          { name: "Ship' onmouseover='alert(2)", quantity: 1, unit_price: 1_000, total_amount: 1_000, total_tax_amount: 0 },
        ],
        merchant_urls: { terms: 'https://shop.example/terms?a="><script>alert(3)</script>', checkout: 'https://shop.example/c', confirmation: 'https://shop.example/t', push: 'https://shop.example/p' },
      }),
    );
    const res = await page(t, order.order_id);
    assert.equal(res.statusCode, 200);
    assert.doesNotMatch(res.body, /<script|<img|<b>|onmouseover='/);
    assert.ok(textOf(res.body).includes(evil), 'the name is shown as text');
    assert.ok(res.body.includes('href="https://shop.example/terms?a=&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"'));
  });

  it('an unknown or malformed checkout id is a 404 page', async () => {
    const t = ctx();
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      const res = await page(t, id);
      assert.equal(res.statusCode, 404);
      assert.match(textOf(res.body), /This checkout cannot be found/);
    }
  });

  it('Deny stays in the frame and says the purchase was declined; the checkout stays open', async () => {
    const t = ctx();
    const order = await createCheckout(t, m);
    const res = await submit(t, order.order_id, 'outcome=denied&email=');
    assert.equal(res.statusCode, 200);
    assert.match(textOf(res.body), /Your purchase was declined/);
    assert.match(res.body, /<button[^>]*>Approve<\/button>/, 'the shopper may choose again');
    assert.equal((await readCheckoutOrder(t, m, order.order_id)).status, 'checkout_incomplete');
  });

  it('Approve sends the top window to the confirmation URL with the order id, and the order exists', async () => {
    const t = ctx();
    const order = await createCheckout(t, m);
    const res = await submit(t, order.order_id, 'outcome=accepted&email=shopper%40example.com');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `https://shop.example/thanks?sid=${order.order_id}`);
    const om = await getOrder(t, m, order.order_id);
    assert.equal(om.status, 'AUTHORIZED');
    assert.equal((om.billing_address as { email?: string }).email, 'shopper@example.com');
  });

  it('tells the shopper when the checkout is complete, aborted or expired, and refuses a purchase then', async () => {
    const t = ctx();
    const fresh = await createMerchant(t, 'Page states AB');
    const completed = await createCheckout(t, fresh);
    assert.equal((await complete(t, fresh, completed.order_id, 'accepted')).statusCode, 200);
    const aborted = await createCheckout(t, fresh);
    assert.equal((await call(t, { method: 'POST', url: `/checkout/v3/orders/${aborted.order_id}/abort`, auth: fresh })).statusCode, 200);
    const expired = await createCheckout(t, fresh);
    assert.equal((await call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: fresh, body: { seconds: 48 * 3_600 } })).statusCode, 200);
    for (const [order, text] of [
      [completed, /Your purchase is complete/],
      [aborted, /cancelled by the shop/],
      [expired, /This checkout has expired/],
    ] as const) {
      const shown = await page(t, order.order_id);
      assert.equal(shown.statusCode, 200);
      assert.match(textOf(shown.body), text);
      assert.doesNotMatch(shown.body, /<button/, 'no outcome can be chosen');
      const refused = await submit(t, order.order_id, 'outcome=accepted');
      assert.equal(refused.statusCode, 403);
      assert.match(textOf(refused.body), text);
    }
    assert.match(textOf((await page(t, expired.order_id)).body), /Back to the shop/);
  });

  it('the hosted page needs no credentials and ignores any', async () => {
    const t = ctx();
    const order = await createCheckout(t, m);
    const res = await t.app.inject({ method: 'GET', url: `/sandbox/checkout/${order.order_id}`, headers: { authorization: 'Basic bm9ib2R5Om5vdGhpbmc=' } });
    assert.equal(res.statusCode, 200);
  });
});
