// The portal in a real browser (Debian's Chromium through playwright-core), driven by labels and
// roles as a person would: log in, search, filter, open an order, capture, refund, a capture that
// is not possible, a bad amount, another merchant's order, the webhooks page and "Resend", a cross-site post, log out. Every page gets an axe-core scan
// (no serious or critical violation) and a screenshot in test-results/portal/.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axeScan, launchChromium, seriousViolations, withoutChromium } from '../support/browser.js';
import { capture, createMerchant, createOrder, getOrder, startTestApp, WITH_WORKER, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { deliveriesOf, eventually, registerWebhook, type Hook } from '../support/webhooks.js';

const SCREENSHOTS = process.env.OPENOM_SCREENSHOT_DIR ?? join('test-results', 'portal');

describe('merchant portal in a browser', { concurrency: false, skip: withoutChromium }, () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let attacker: Server;
  let merchant: MerchantCredentials;
  let receiver: Receiver;
  let hook: Hook;
  /** The merchant's server refuses refund events until it is "fixed". */
  let refundsFail = true;
  const orders: Record<string, { order_id: string; klarna_reference: string }> = {};
  const axeSummary: Record<string, Record<string, number>> = {};
  const cspViolations: string[] = [];

  /** Scans the current page with axe-core, saves a screenshot, and fails on serious or critical violations. */
  async function check(name: string): Promise<void> {
    const results = await axeScan(page);
    const counts: Record<string, number> = {};
    for (const v of results.violations) counts[v.impact ?? 'unknown'] = (counts[v.impact ?? 'unknown'] ?? 0) + v.nodes.length;
    axeSummary[name] = counts;
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    assert.deepEqual(seriousViolations(results), [], name);
  }

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // With the job worker, so webhooks are really delivered (and resent) while the pages are used.
    t = await startTestApp('sqlite', WITH_WORKER);
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    merchant = await createMerchant(t, 'Tomato Shop AB');
    receiver = await startReceiver((r) => (refundsFail && r.body.includes('"refund.created"') ? 500 : 200));
    hook = await registerWebhook(t, merchant, `${receiver.url}/tomato-shop`, ['order.created', 'capture.created', 'refund.created', 'openom.order.cancelled']);
    const add = async (name: string, overrides: Record<string, unknown>, amount?: number) => {
      const o = await createOrder(t, merchant, overrides, amount);
      orders[name] = { order_id: o.order_id, klarna_reference: o.klarna_reference as string };
      return o;
    };
    for (let i = 1; i <= 6; i++) await add(`filler${i}`, { merchant_reference1: `ORDER-10${i}0` }, 5_000 + i * 1_250);
    const shipped = await add('shipped', { merchant_reference1: 'ORDER-2001', merchant_reference2: 'cart-88' }, 24_900);
    await capture(t, merchant, shipped.order_id, { captured_amount: 24_900 });
    await add('pending', { merchant_reference1: 'ORDER-3001', fraud_status: 'PENDING' }, 12_000);
    await add('main', { merchant_reference1: 'ORDER-4242', merchant_reference2: 'web-shop' }, 45_000);
    const other = await createMerchant(t, 'Other Shop');
    orders.foreign = { order_id: (await createOrder(t, other)).order_id, klarna_reference: '' };
    browser = await launchChromium();
    // CSP is bypassed only so that axe can be injected; a second context below checks that the
    // pages themselves run under their CSP with nothing blocked.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });

  after(async () => {
    writeFileSync(join(SCREENSHOTS, 'axe-summary.json'), `${JSON.stringify(axeSummary, null, 2)}\n`);
    await browser?.close();
    await new Promise((resolve) => (attacker ? attacker.close(resolve) : resolve(undefined)));
    await t?.close();
    await receiver?.close();
  });

  it('logs in with the Username and Password fields and the "Log in" button', async () => {
    await page.goto(`${base}/portal/orders`);
    assert.match(page.url(), /\/portal\/login$/);
    await check('portal-login');
    await page.getByLabel('Username').fill(merchant.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();
    await page.getByLabel('Password').fill(merchant.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    assert.equal(await page.getByRole('row').count(), 1 + 9);
    await check('portal-orders');
  });

  it('searches by merchant reference', async () => {
    await page.getByLabel('Search').fill('ORDER-2001');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: orders.shipped!.order_id }).waitFor();
    assert.equal(await page.getByRole('row').count(), 2);
    await check('portal-orders-search');
  });

  it('filters by status', async () => {
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Status').selectOption({ label: 'Captured' });
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/status=CAPTURED/);
    assert.equal(await page.getByRole('row').count(), 2);
    await page.getByRole('link', { name: orders.shipped!.order_id }).waitFor();
    await page.getByRole('link', { name: 'Show all orders' }).click();
    await page.waitForURL(/\/portal\/orders$/);
  });

  it('opens an order and captures part of it after confirming', async () => {
    await page.getByRole('link', { name: orders.main!.order_id }).click();
    await page.getByRole('heading', { name: `Order ${orders.main!.klarna_reference} Authorized` }).waitFor();
    await check('portal-order');
    await page.getByLabel('Amount to capture (SEK)').fill('120.50');
    await page.getByRole('button', { name: 'Capture', exact: true }).click();
    await page.getByText('Capture 120,50 kr on order').waitFor();
    await check('portal-confirm-capture');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('status').filter({ hasText: 'Capture created.' }).waitFor();
    assert.equal((await getOrder(t, merchant, orders.main!.order_id)).captured_amount, 12_050);
    await page.getByText('Captured 120,50 kr').first().waitFor();
    await check('portal-order-captured');
  });

  it('refunds a return', async () => {
    await page.getByLabel('Amount to refund (SEK)').fill('20');
    await page.getByRole('button', { name: 'Refund', exact: true }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('status').filter({ hasText: 'Refund created.' }).waitFor();
    assert.equal((await getOrder(t, merchant, orders.main!.order_id)).refunded_amount, 2_000);
  });

  it('says why a capture is not possible on an order pending fraud review, with Klarna\'s message', async () => {
    await page.goto(`${base}/portal/orders/${orders.pending!.order_id}`);
    assert.equal(await page.getByRole('button', { name: 'Capture', exact: true }).isDisabled(), true);
    await page.getByText('Not possible now: Capture not allowed: the order is pending fraud review.').waitFor();
    await check('portal-order-refused');
  });

  it('says what is wrong with an amount that is not one, beside its field', async () => {
    await page.goto(`${base}/portal/orders/${orders.main!.order_id}`);
    await page.getByLabel('Amount to capture (SEK)').fill('12.50.0');
    await page.getByRole('button', { name: 'Capture', exact: true }).click();
    await page.getByText('is not an amount').waitFor();
    await check('portal-order-bad-amount');
  });

  it('says another merchant\'s order is not found', async () => {
    const res = await page.goto(`${base}/portal/orders/${orders.foreign!.order_id}`);
    assert.equal(res?.status(), 404);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await check('portal-not-found');
  });

  it('lists the webhook deliveries with their attempts, and "Resend" sends a failed one again', async () => {
    const refund = await eventually('the refund event failed once', async () =>
      (await deliveriesOf(t, merchant, hook)).find((d) => d.event_type === 'refund.created' && d.attempt_count === 1),
    );
    await page.goto(`${base}/portal/orders`);
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await page.getByRole('heading', { name: `${receiver.url}/tomato-shop`, level: 2 }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: `Resend delivery ${refund.delivery_id}` }) });
    await row.getByText('Pending').waitFor();
    await row.getByText('#1 HTTP 500').waitFor();
    await row.getByRole('link', { name: orders.main!.order_id }).waitFor();
    await check('portal-webhooks');
    refundsFail = false;
    await row.getByRole('button', { name: `Resend delivery ${refund.delivery_id}` }).click();
    await page.getByRole('status').filter({ hasText: `Resent delivery ${refund.delivery_id}` }).waitFor();
    await eventually('the resent delivery shown as delivered', async () => {
      await page.reload();
      return (await row.getByText('#2 HTTP 200').count()) > 0 && (await row.getByText('Delivered').count()) > 0 ? true : undefined;
    });
    assert.equal(receiver.received.filter((r) => r.body.includes(refund.event_id)).length, 2);
    await check('portal-webhooks-resent');
    await page.getByRole('button', { name: `Delete endpoint ${receiver.url}/tomato-shop` }).click();
    await page.getByRole('heading', { name: 'Confirm deletion' }).waitFor();
    await check('portal-webhooks-delete');
    await page.getByRole('link', { name: 'Back to the webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
  });

  it('refuses a form posted from another site, even one that knows the CSRF token', async () => {
    await page.goto(`${base}/portal/orders/${orders.main!.order_id}/cancel`);
    const token = await page.locator('input[name="csrf_token"]').first().inputValue();
    attacker = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><title>Prize</title><form method="post" action="${base}/portal/orders/${orders.main!.order_id}/cancel">
<input type="hidden" name="csrf_token" value="${token}"><input type="hidden" name="idempotency_key" value="attack-1">
<button>Win a prize</button></form>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/cancel')), page.getByRole('button', { name: 'Win a prize' }).click()]);
    assert.equal(response.status(), 403);
    await page.getByText('The form was sent from another site.').waitFor();
    assert.equal((await getOrder(t, merchant, orders.main!.order_id)).status, 'PART_CAPTURED');
  });

  it('runs every page under its CSP with nothing blocked', async () => {
    const context = await browser.newContext({ storageState: await page.context().storageState() });
    const strict = await context.newPage();
    strict.on('console', (m) => {
      if (m.type() === 'error') cspViolations.push(m.text());
    });
    await strict.goto(`${base}/portal/orders/${orders.main!.order_id}`);
    const version = await strict.locator('input[name="version"]').first().inputValue();
    for (const url of ['/portal/orders', `/portal/orders/${orders.main!.order_id}`, `/portal/orders/${orders.main!.order_id}/extend?version=${version}`, '/portal/webhooks', `/portal/webhooks/${hook.webhook_id}/delete`]) {
      await strict.goto(`${base}${url}`);
      const background = await strict.locator('header.top').evaluate((e) => getComputedStyle(e).backgroundColor);
      assert.equal(background, 'rgb(20, 33, 61)', `stylesheet applied on ${url}`);
    }
    await context.close();
    assert.deepEqual(cspViolations, []);
  });

  it('logs out', async () => {
    await page.goto(`${base}/portal/orders`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await page.goto(`${base}/portal/orders`);
    assert.match(page.url(), /\/portal\/login$/);
  });
});
