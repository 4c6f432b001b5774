// The portal's customer tokens in a real browser (Debian's Chromium), driven by labels and roles:
// log in, open Tokens from the navigation, follow a token's checkout order, see the token there.
// Both pages get an axe-core scan (no serious or critical violation) and a screenshot in test-results/portal/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axeScan, launchChromium, seriousViolations, withoutChromium } from '../support/browser.js';
import { createMerchant, startTestApp, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { orderWithToken, recurringPurchase, setSandboxStatus } from '../tokens/support.js';

const SCREENSHOTS = process.env.OPENOM_SCREENSHOT_DIR ?? join('test-results', 'portal');

describe('portal customer tokens in a browser', { concurrency: false, skip: withoutChromium }, () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let merchant: MerchantCredentials;
  let subscription: { orderId: string; token: string };

  async function check(name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    assert.deepEqual(seriousViolations(await axeScan(page)), [], name);
  }

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await startTestApp('sqlite');
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    merchant = await createMerchant(t, 'Tomato Shop AB');
    subscription = await recurringPurchase(t, merchant);
    for (let month = 0; month < 3; month++) await orderWithToken(t, merchant, subscription.token);
    const paused = await recurringPurchase(t, merchant, { recurring_description: 'Seed club, yearly' });
    await setSandboxStatus(t, merchant, paused.token, 'SUSPENDED');
    browser = await launchChromium();
    // axe-core is injected as a script: the portal's CSP (no scripts) would refuse it.
    page = await (await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } })).newPage();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('Tokens lists the tokens with their status; a token leads to its checkout order, which names it', async () => {
    await page.goto(`${base}/portal/login`);
    await page.getByLabel('Username').fill(merchant.username);
    await page.getByLabel('Password').fill(merchant.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Tokens' }).click();
    await page.getByRole('heading', { name: 'Customer tokens', level: 1 }).waitFor();
    assert.equal(await page.getByRole('row').count(), 1 + 2);
    const active = page.getByRole('row').filter({ hasText: subscription.token });
    assert.match(await active.innerText(), /Active[\s\S]*Tomato box, monthly[\s\S]*\b3\b/);
    assert.match(await page.getByRole('row').filter({ hasText: 'Seed club, yearly' }).innerText(), /Suspended/);
    await check('tokens-list');
    await active.getByRole('link', { name: subscription.orderId }).click();
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'Order' }).waitFor();
    assert.match(await page.getByRole('definition').filter({ hasText: subscription.token }).innerText(), /Active[\s\S]*made by this checkout/);
    await check('order-with-token');
  });
});
