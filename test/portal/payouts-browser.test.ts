// The Payouts page in a real browser (Debian's Chromium): from the navigation to the list, one
// payout with its transactions, and the CSV download, each page scanned by axe-core (no serious or
// critical violation) with a screenshot in test-results/portal/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { merchantClock, readClock } from '../../src/store/clock.js';
import { formDuePayouts } from '../../src/store/payoutFormation.js';
import { axeScan, launchChromium, seriousViolations, withoutChromium } from '../support/browser.js';
import { call, capture, createMerchant, createOrder, refund, startTestApp, type MerchantCredentials, type TestApp } from '../support/harness.js';

const SCREENSHOTS = process.env.OPENOM_SCREENSHOT_DIR ?? join('test-results', 'portal');

describe('portal Payouts page in a browser', { concurrency: false, skip: withoutChromium }, () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let merchant: MerchantCredentials;
  let reference = '';

  async function check(name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    assert.deepEqual(seriousViolations(await axeScan(page)), [], name);
  }

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await startTestApp('sqlite');
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    merchant = await createMerchant(t, 'Tomato Shop AB');
    await call(t, { method: 'PATCH', url: `/admin/v1/merchants/${merchant.merchant_id}`, auth: 'admin', body: { settlement: { fee_rate_bp: 290, fee_fixed: 30 } } });
    for (const amount of [24_900, 12_000]) {
      const order = await createOrder(t, merchant, {}, amount);
      await capture(t, merchant, order.order_id, { captured_amount: amount });
      if (amount === 12_000) await refund(t, merchant, order.order_id, { refunded_amount: 2_000 });
    }
    await call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: merchant, body: { seconds: 8 * 86_400 } });
    const { offset_seconds } = await readClock(t.store, merchant.merchant_id);
    reference = (await formDuePayouts(t.store, merchant.merchant_id, merchantClock(t.store, offset_seconds)))[0]!.payment_reference;
    browser = await launchChromium();
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists payouts, opens one with its transactions and downloads its CSV', async () => {
    await page.goto(`${base}/portal/orders`);
    await page.getByLabel('Username').fill(merchant.username);
    await page.getByLabel('Password').fill(merchant.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Payouts' }).click();
    await page.getByRole('heading', { name: 'Payouts', level: 1 }).waitFor();
    assert.equal(await page.getByRole('row').count(), 2);
    await check('portal-payouts');
    await page.getByRole('link', { name: reference }).click();
    await page.getByRole('heading', { name: `Payout ${reference}` }).waitFor();
    // 2 sales, 4 fees, 1 return.
    assert.equal(await page.getByRole('row').count(), 1 + 7);
    await check('portal-payout');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the CSV report' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    assert.equal(csv.trimEnd().split('\r\n').length, 1 + 7);
    assert.equal(download.suggestedFilename(), `payout-${reference}.csv`);
  });
});
