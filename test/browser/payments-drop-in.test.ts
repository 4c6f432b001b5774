// Klarna Payments' drop-in api.js in a real browser (Debian's Chromium through playwright-core): a
// merchant page loads OpenOM's api.js where Klarna's script tag would point, inits it with the
// session's client_token, loads the widget and authorizes; the shopper clicks Approve on the hosted
// test page in the overlay, the callback gets the token, and the merchant creates the order and
// captures it. Prints the session → order time (the README's Chromium figure) and saves a
// screenshot of the overlay, payments-drop-in.png in test-results/payments/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axeScan, launchChromium, seriousViolations, startShopServer, withoutChromium, type ShopServer } from '../support/browser.js';
import { capture, createMerchant, describeOnBothStores, getOrder, type MerchantCredentials } from '../support/harness.js';
import { KLARNA, cartBody, createSession, placeOrder } from '../support/payments.js';
import { freePort } from '../support/process.js';

const SCREENSHOTS = process.env.OPENOM_SCREENSHOT_DIR ?? join('test-results', 'payments');
const port = await freePort();
const OPENOM = `http://127.0.0.1:${port}`;

/** The merchant's checkout page as Klarna's docs have it, with only the script's address changed. */
function checkoutPage(clientToken: string): string {
  return `<!doctype html><html lang="en"><head><title>Shop</title><script src="${OPENOM}/sandbox/payments/lib/v1/api.js"></script></head><body>
<h1>Checkout</h1><div id="klarna-payments-container"></div><button id="buy" disabled>Buy</button><p id="loaded"></p><p id="result"></p>
<script>
Klarna.Payments.init({ client_token: ${JSON.stringify(clientToken)} });
Klarna.Payments.load({ container: '#klarna-payments-container', payment_method_category: 'pay_later' }, {}, function (res) {
  document.getElementById('loaded').textContent = JSON.stringify(res);
  document.getElementById('buy').disabled = !res.show_form;
});
document.getElementById('buy').addEventListener('click', function () {
  Klarna.Payments.authorize({ payment_method_category: 'pay_later' }, {}, function (res) {
    document.getElementById('result').textContent = JSON.stringify(res);
  });
});
</script></body></html>`;
}

async function startShop(pages: Map<string, string>): Promise<ShopServer> {
  return startShopServer((req, res) => {
    const sid = new URL(req.url ?? '/', 'http://shop').searchParams.get('sid') ?? '';
    const page = pages.get(sid);
    if (page === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
}

describeOnBothStores(
  'Klarna Payments drop-in api.js in Chromium',
  (ctx) => {
    if (withoutChromium) {
      it(withoutChromium, { skip: true }, () => {});
      return;
    }
    let browser: Browser;
    let shop: ShopServer;
    let m: MerchantCredentials;
    const pages = new Map<string, string>();

    before(async () => {
      await ctx().app.listen({ host: '127.0.0.1', port });
      shop = await startShop(pages);
      m = await createMerchant(ctx(), 'Drop-in AB');
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await shop?.close();
    });

    async function shopPage(): Promise<{ page: Page; sessionId: string; started: number }> {
      const started = performance.now();
      const session = await createSession(ctx(), m, cartBody());
      pages.set(session.session_id, checkoutPage(session.client_token));
      const page = await browser.newPage({ viewport: { width: 600, height: 900 } });
      await page.goto(`${shop.base}/checkout?sid=${session.session_id}`);
      await page.locator('#loaded').filter({ hasText: '{"show_form":true}' }).waitFor();
      return { page, sessionId: session.session_id, started };
    }
    const overlay = (page: Page) => page.frameLocator('iframe[title="OpenOM test payment"]');
    const resultOf = async (page: Page) => {
      await page.locator('#result').filter({ hasText: 'approved' }).waitFor();
      return JSON.parse((await page.locator('#result').textContent()) ?? '{}') as { approved: boolean; authorization_token?: string; show_form: boolean };
    };

    it('Approve: the callback gets {approved: true, authorization_token}; the order from it is AUTHORIZED and can be captured', async () => {
      const { page, started } = await shopPage();
      try {
        await page.getByRole('button', { name: 'Buy' }).click();
        await overlay(page).getByRole('cell', { name: '100,00 kr' }).waitFor();
        if (ctx().backend === 'sqlite') {
          mkdirSync(SCREENSHOTS, { recursive: true });
          await page.screenshot({ path: join(SCREENSHOTS, 'payments-drop-in.png') });
        }
        await overlay(page).getByRole('button', { name: 'Approve' }).click();
        const result = await resultOf(page);
        assert.equal(result.approved, true);
        assert.equal(result.show_form, true);
        assert.ok(result.authorization_token);
        assert.equal(await page.locator('[data-openom="overlay"]').count(), 0, 'the overlay is gone');
        const order = await placeOrder(ctx(), m, result.authorization_token);
        assert.equal(order.statusCode, 200, order.body);
        const orderId = (order.json() as { order_id: string }).order_id;
        const ms = performance.now() - started;
        console.log(`# session → order in Chromium (${ctx().backend}): ${ms.toFixed(0)} ms`);
        assert.equal((await getOrder(ctx(), m, orderId)).status, 'AUTHORIZED');
        assert.equal((await capture(ctx(), m, orderId, { captured_amount: 10_000 })).statusCode, 201);
        assert.equal((await getOrder(ctx(), m, orderId)).status, 'CAPTURED');
      } finally {
        await page.close();
      }
    });

    it('Deny: the callback gets {approved: false, show_form: false} and no token', async () => {
      const { page } = await shopPage();
      try {
        await page.getByRole('button', { name: 'Buy' }).click();
        await overlay(page).getByRole('button', { name: 'Deny' }).click();
        assert.deepEqual(await resultOf(page), { approved: false, show_form: false });
      } finally {
        await page.close();
      }
    });

    it('the hosted test page has no serious accessibility violations', async () => {
      const session = await createSession(ctx(), m, cartBody());
      const context = await browser.newContext({ bypassCSP: true });
      const page = await context.newPage();
      try {
        await page.goto(`${OPENOM}/sandbox/payments/${session.session_id}`);
        await page.getByRole('button', { name: 'Pending' }).waitFor();
        assert.deepEqual(seriousViolations(await axeScan(page)), []);
      } finally {
        await context.close();
      }
    });
  },
  { ...KLARNA, PORT: String(port), OPENOM_PUBLIC_URL: OPENOM },
);
