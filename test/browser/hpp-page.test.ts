// Pay by link in a real browser (Debian's Chromium through playwright-core): the merchant creates a
// checkout order and an HPP session over real HTTP, the shopper opens redirect_url as it was
// answered, clicks by role and name, and ends on the merchant's success page with the placeholders
// filled; the session is COMPLETED and the order captured (CAPTURE_ORDER). The page gets an
// axe-core scan and a screenshot, hpp-page.png in test-results/hpp/.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { axeScan, launchChromium, seriousViolations, withoutChromium } from '../support/browser.js';
import { checkoutBody, merchantUrls } from '../support/checkout.js';
import { createMerchant, describeOnBothStores, getOrder, listenOnLocalPort, type MerchantCredentials } from '../support/harness.js';

const SCREENSHOTS = process.env.OPENOM_SCREENSHOT_DIR ?? join('test-results', 'hpp');

/** The merchant's pages the shopper is sent back to. */
async function startShop(): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://shop');
    const order = (url.searchParams.get('order') ?? '').replace(/[^0-9a-f-]/g, '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>${url.pathname === '/paid' ? `Paid: order ${order}` : 'Not paid'}</h1></body></html>`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return { server, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

describeOnBothStores('Hosted Payment Page in Chromium', (ctx) => {
  if (withoutChromium) {
    it(withoutChromium, { skip: true }, () => {});
    return;
  }
  let browser: Browser;
  let shop: { server: Server; base: string };
  let openom: string;
  let m: MerchantCredentials;

  before(async () => {
    openom = `http://127.0.0.1:${await listenOnLocalPort(ctx())}`;
    shop = await startShop();
    m = await createMerchant(ctx(), 'Link AB');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    shop?.server.closeAllConnections();
    await new Promise((resolve) => shop?.server.close(resolve));
  });

  async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${openom}${path}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`${m.username}:${m.password}`).toString('base64')}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(res.ok, `${method} ${path}: ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }

  it('the shopper opens the link, clicks Approve, lands on the success page; the session is COMPLETED and the order captured', async () => {
    const checkout = await api('POST', '/checkout/v3/orders', checkoutBody({ merchant_urls: merchantUrls(shop.base) }));
    const session = await api('POST', '/hpp/v1/sessions', {
      payment_session_url: `${openom}/checkout/v3/orders/${String(checkout.order_id)}`,
      merchant_urls: { success: `${shop.base}/paid?order={{order_id}}&sid={{session_id}}`, cancel: `${shop.base}/cancelled` },
      options: { place_order_mode: 'CAPTURE_ORDER' },
    });
    const page = await browser.newPage({ viewport: { width: 520, height: 900 } });
    try {
      await page.goto(String(session.redirect_url));
      await page.getByRole('cell', { name: '100,00 kr' }).first().waitFor();
      assert.equal((await api('GET', `/hpp/v1/sessions/${String(session.session_id)}`)).status, 'IN_PROGRESS');
      if (ctx().backend === 'sqlite') {
        mkdirSync(SCREENSHOTS, { recursive: true });
        await page.screenshot({ path: join(SCREENSHOTS, 'hpp-page.png'), fullPage: true });
      }
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.getByRole('heading', { name: `Paid: order ${String(checkout.order_id)}` }).waitFor();
      assert.equal(new URL(page.url()).searchParams.get('sid'), session.session_id);
      const read = await api('GET', `/hpp/v1/sessions/${String(session.session_id)}`);
      assert.equal(read.status, 'COMPLETED');
      const order = await getOrder(ctx(), m, String(checkout.order_id));
      assert.equal(order.status, 'CAPTURED');
    } finally {
      await page.close();
    }
  });

  it('Cancel sends the shopper to the cancel page; the page passes an axe scan', async () => {
    const checkout = await api('POST', '/checkout/v3/orders', checkoutBody({ merchant_urls: merchantUrls(shop.base) }));
    const session = await api('POST', '/hpp/v1/sessions', { payment_session_url: `${openom}/checkout/v3/orders/${String(checkout.order_id)}`, merchant_urls: { cancel: `${shop.base}/cancelled` } });
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    try {
      await page.goto(String(session.redirect_url));
      await page.getByRole('button', { name: 'Cancel' }).waitFor();
      assert.deepEqual(seriousViolations(await axeScan(page)), []);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('heading', { name: 'Not paid' }).waitFor();
      assert.equal((await api('GET', `/hpp/v1/sessions/${String(session.session_id)}`)).status, 'CANCELLED');
    } finally {
      await context.close();
    }
  });
});
