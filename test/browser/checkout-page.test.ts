// The hosted test checkout in a real browser (Debian's Chromium through playwright-core): a
// merchant's checkout page embeds the html_snippet as it is, the shopper clicks in the iframe by
// role and name, and the top window ends on the merchant's confirmation page. The hosted page gets
// an axe-core scan and a screenshot, checkout-page.png in test-results/checkout/ (docs/ has one:
// OPENOM_SCREENSHOT_DIR=docs npm test -- test/browser).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axeScan, launchChromium, seriousViolations, startShopServer, withoutChromium, type ShopServer } from '../support/browser.js';
import { createCheckout, checkoutBody, merchantUrls, readCheckoutOrder, type CheckoutOrder } from '../support/checkout.js';
import { createMerchant, describeOnBothStores, getOrder, type MerchantCredentials } from '../support/harness.js';
import { freePort } from '../support/process.js';

const SCREENSHOTS = process.env.OPENOM_SCREENSHOT_DIR ?? join('test-results', 'checkout');

/** The merchant's web shop: a checkout page with the snippet in it, and a confirmation page. */
async function startShop(snippets: Map<string, string>): Promise<ShopServer> {
  return startShopServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://shop');
    const sid = url.searchParams.get('sid') ?? '';
    const html = (body: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="en"><head><title>Shop</title></head><body>${body}</body></html>`);
    if (url.pathname === '/checkout') html(`<h1>Checkout</h1>${snippets.get(sid) ?? ''}`);
    else if (url.pathname === '/thanks') html(`<h1>Thank you for order ${sid.replace(/[^0-9a-f-]/g, '')}</h1>`);
    else res.writeHead(200).end();
  });
}

const port = await freePort();

describeOnBothStores(
  'hosted test checkout in Chromium',
  (ctx) => {
    if (withoutChromium) {
      it(withoutChromium, { skip: true }, () => {});
      return;
    }
    let browser: Browser;
    let shop: ShopServer;
    let m: MerchantCredentials;
    const snippets = new Map<string, string>();

    before(async () => {
      await ctx().app.listen({ host: '127.0.0.1', port });
      shop = await startShop(snippets);
      m = await createMerchant(ctx(), 'Browser AB');
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await shop?.close();
    });

    async function shopCheckout(): Promise<{ page: Page; order: CheckoutOrder }> {
      const order = await createCheckout(ctx(), m, checkoutBody({ merchant_urls: merchantUrls(shop.base) }));
      snippets.set(order.order_id, order.html_snippet);
      const page = await browser.newPage({ viewport: { width: 520, height: 900 } });
      await page.goto(`${shop.base}/checkout?sid=${order.order_id}`);
      return { page, order };
    }
    const frameOf = (page: Page) => page.frameLocator('iframe[title="OpenOM test checkout"]');

    it('Approve inside the iframe takes the top window to the confirmation page, and the order is AUTHORIZED', async () => {
      const { page, order } = await shopCheckout();
      try {
        const frame = frameOf(page);
        await frame.getByRole('button', { name: 'Approve' }).waitFor();
        await frame.getByRole('cell', { name: '100,00 kr' }).waitFor();
        if (ctx().backend === 'sqlite') {
          mkdirSync(SCREENSHOTS, { recursive: true });
          await page.locator('iframe').screenshot({ path: join(SCREENSHOTS, 'checkout-page.png') });
        }
        await frame.getByLabel('E-mail (optional)').fill('shopper@example.com');
        const clickedAt = Date.now();
        await frame.getByRole('button', { name: 'Approve' }).click();
        await page.waitForURL(`${shop.base}/thanks?sid=${order.order_id}`);
        assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), `Thank you for order ${order.order_id}`);
        const om = await getOrder(ctx(), m, order.order_id);
        assert.ok(Date.now() - clickedAt < 10_000);
        assert.equal(om.status, 'AUTHORIZED');
        assert.equal(om.fraud_status, 'ACCEPTED');
        assert.equal((om.billing_address as { email?: string }).email, 'shopper@example.com');
        assert.equal((await readCheckoutOrder(ctx(), m, order.order_id)).status, 'checkout_complete');
      } finally {
        await page.close();
      }
    });

    it('the hosted page has no serious or critical accessibility violation, and runs under its CSP with nothing blocked', async () => {
      const order = await createCheckout(ctx(), m, checkoutBody({ merchant_urls: merchantUrls(shop.base) }));
      const scanned = await browser.newContext({ bypassCSP: true });
      const strict = await browser.newContext();
      try {
        const page = await scanned.newPage();
        await page.goto(`http://127.0.0.1:${port}/sandbox/checkout/${order.order_id}`);
        assert.deepEqual(seriousViolations(await axeScan(page)), []);
        const plain = await strict.newPage();
        const blocked: string[] = [];
        plain.on('console', (message) => {
          if (/Content.Security.Policy/i.test(message.text())) blocked.push(message.text());
        });
        await plain.goto(`http://127.0.0.1:${port}/sandbox/checkout/${order.order_id}`);
        await plain.getByRole('button', { name: 'Approve' }).waitFor();
        assert.equal(await plain.getByRole('button', { name: 'Approve' }).evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(11, 87, 208)', 'the inline CSS applies');
        assert.deepEqual(blocked, []);
      } finally {
        await scanned.close();
        await strict.close();
      }
    });

    it('Deny keeps the shopper on the checkout page and the iframe says the purchase was declined', async () => {
      const { page, order } = await shopCheckout();
      try {
        await frameOf(page).getByRole('button', { name: 'Deny' }).click();
        await frameOf(page).getByRole('alert').filter({ hasText: 'Your purchase was declined' }).waitFor();
        assert.equal(page.url(), `${shop.base}/checkout?sid=${order.order_id}`);
        assert.equal((await readCheckoutOrder(ctx(), m, order.order_id)).status, 'checkout_incomplete');
      } finally {
        await page.close();
      }
    });

    it('Pending, then reject: the top window goes to the confirmation page and the order is PENDING', async () => {
      const { page, order } = await shopCheckout();
      try {
        await frameOf(page).getByRole('button', { name: 'Pending, then reject' }).click();
        await page.waitForURL(`${shop.base}/thanks?sid=${order.order_id}`);
        assert.equal((await getOrder(ctx(), m, order.order_id)).fraud_status, 'PENDING');
      } finally {
        await page.close();
      }
    });
  },
  { PORT: String(port), OPENOM_PUBLIC_URL: `http://127.0.0.1:${port}` },
);
