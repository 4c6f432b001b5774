// Money actions in the portal never act twice (CONTRACT §10, issue 17 §1), in a real browser
// (Debian's Chromium through playwright-core), driven by labels and roles: Back to a used
// confirmation, a reload of it, a second tab, each checked through the API; the page that says the
// order changed; amounts with the locale's decimal comma; an amount over the maximum refused before
// any confirmation; actions the order's state does not allow disabled with the reason. Each page
// gets an axe-core scan (no serious or critical violation) and a screenshot in test-results/portal/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeScan, launchChromium, seriousViolations, withoutChromium } from '../support/browser.js';
import { capture, createMerchant, createOrder, getOrder, startTestApp, type MerchantCredentials, type TestApp } from '../support/harness.js';

const SCREENSHOTS = process.env.OPENOM_SCREENSHOT_DIR ?? join('test-results', 'portal');

describe('portal money actions act once, in a browser', { concurrency: false, skip: withoutChromium }, () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let merchant: MerchantCredentials;

  async function check(p: Page, name: string): Promise<void> {
    await p.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    assert.deepEqual(seriousViolations(await axeScan(p)), [], name);
  }

  /** A new order of `amount` minor units (SEK, sv-SE), `captured` of it captured through the API. */
  async function newOrder(amount = 10_000, captured = 0): Promise<{ order_id: string; klarna_reference: string }> {
    const order = await createOrder(t, merchant, {}, amount);
    if (captured > 0) await capture(t, merchant, order.order_id, { captured_amount: captured });
    return { order_id: order.order_id, klarna_reference: order.klarna_reference as string };
  }

  const orderUrl = (orderId: string) => `${base}/portal/orders/${orderId}`;

  async function amounts(orderId: string): Promise<{ captures: number[]; refunds: number[] }> {
    const order = await getOrder(t, merchant, orderId);
    return {
      captures: (order.captures as { captured_amount: number }[]).map((c) => c.captured_amount),
      refunds: (order.refunds as { refunded_amount: number }[]).map((r) => r.refunded_amount),
    };
  }

  /** Types an amount into the action's field and asks for it: the confirmation page (or the form's refusal). */
  async function ask(p: Page, action: 'capture' | 'refund', amount: string): Promise<void> {
    await p.getByLabel(action === 'capture' ? 'Amount to capture (SEK)' : 'Amount to refund (SEK)').fill(amount);
    await p.getByRole('button', { name: action === 'capture' ? 'Capture' : 'Refund', exact: true }).click();
    await p.getByRole('heading', { level: 1 }).waitFor();
  }

  /** Clicks Confirm and waits for the page it leads to (an order page either way). */
  async function confirm(p: Page): Promise<void> {
    await Promise.all([p.waitForNavigation(), p.getByRole('button', { name: 'Confirm' }).click()]);
  }

  /** Clicks Confirm if the page offers it (a confirmation page the browser showed again). */
  async function confirmIfOffered(p: Page): Promise<void> {
    if ((await p.getByRole('button', { name: 'Confirm' }).count()) > 0) await confirm(p);
  }

  const changedNotice = (p: Page) => p.getByRole('alert').filter({ hasText: 'The order changed' });

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await startTestApp('sqlite');
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    merchant = await createMerchant(t, 'Tomato Shop AB');
    browser = await launchChromium();
    // CSP is bypassed only so that axe can be injected (browser.test.ts checks the pages under it).
    context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await page.goto(`${base}/portal/login`);
    await page.getByLabel('Username').fill(merchant.username);
    await page.getByLabel('Password').fill(merchant.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Orders', level: 1 }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('Back to a used capture confirmation and Confirm again: one capture, and a page that says the order changed', async () => {
    const order = await newOrder();
    await page.goto(orderUrl(order.order_id));
    await ask(page, 'capture', '10.00');
    await page.getByText('Capture 10,00 kr on order').waitFor();
    await confirm(page);
    await page.getByRole('status').filter({ hasText: 'Capture created.' }).waitFor();
    const back = await page.goBack();
    await confirmIfOffered(page);
    assert.deepEqual((await amounts(order.order_id)).captures, [1_000]);
    await changedNotice(page).waitFor();
    // Chromium asked the server again for the confirmation page (the portal's pages are no-store),
    // which answered that the order changed; a browser that shows a kept copy instead sends the
    // used key with its Confirm, and gets the first answer again.
    assert.equal(back?.status(), 409);
    // The page shows the order as it is now, with its one capture.
    await page.getByRole('heading', { name: `Order ${order.klarna_reference} Part captured` }).waitFor();
    await check(page, 'portal-order-changed');
  });

  it('a reload of a used capture confirmation, then Confirm: one capture', async () => {
    const order = await newOrder();
    await page.goto(orderUrl(order.order_id));
    await ask(page, 'capture', '10.00');
    await confirm(page);
    await page.getByRole('status').filter({ hasText: 'Capture created.' }).waitFor();
    await page.goBack();
    await page.reload();
    await confirmIfOffered(page);
    assert.deepEqual((await amounts(order.order_id)).captures, [1_000]);
    await changedNotice(page).waitFor();
  });

  it('Confirm in a second tab after the first confirmed: one capture, and the second tab says the order changed; its reload (a re-POST) changes nothing', async () => {
    const order = await newOrder();
    const second = await context.newPage();
    try {
      for (const tab of [page, second]) {
        await tab.goto(orderUrl(order.order_id));
        await ask(tab, 'capture', '10.00');
        await tab.getByText('Capture 10,00 kr on order').waitFor();
      }
      await confirm(page);
      await page.getByRole('status').filter({ hasText: 'Capture created.' }).waitFor();
      await confirm(second);
      assert.deepEqual((await amounts(order.order_id)).captures, [1_000]);
      await changedNotice(second).waitFor();
      await check(second, 'portal-order-changed-second-tab');
      // The stale page is the answer to the POST: reloading it sends the same form again.
      const resent = await second.reload();
      assert.equal(resent?.request().method(), 'POST');
      assert.equal(resent?.status(), 409);
      await changedNotice(second).waitFor();
      assert.deepEqual((await amounts(order.order_id)).captures, [1_000]);
    } finally {
      await second.close();
    }
  });

  it('a refund: Back + Confirm, a reload + Confirm and a second tab each leave exactly one refund', async () => {
    const order = await newOrder(6_000, 6_000);
    const second = await context.newPage();
    try {
      await second.goto(orderUrl(order.order_id));
      await ask(second, 'refund', '12,50');
      await page.goto(orderUrl(order.order_id));
      await ask(page, 'refund', '12,50');
      await page.getByText('Refund 12,50 kr of order').waitFor();
      await check(page, 'portal-confirm-refund');
      await confirm(page);
      await page.getByRole('status').filter({ hasText: 'Refund created.' }).waitFor();
      await page.goBack();
      await confirmIfOffered(page);
      await changedNotice(page).waitFor();
      await page.reload();
      await confirmIfOffered(page);
      await changedNotice(page).waitFor();
      await confirm(second);
      await changedNotice(second).waitFor();
      assert.deepEqual(await amounts(order.order_id), { captures: [6_000], refunds: [1_250] });
    } finally {
      await second.close();
    }
  });

  it('a double click on Confirm captures once', async () => {
    const order = await newOrder();
    await page.goto(orderUrl(order.order_id));
    await ask(page, 'capture', '10');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Confirm' }).dblclick()]);
    await page.getByRole('status').filter({ hasText: 'Capture created.' }).waitFor();
    assert.deepEqual((await amounts(order.order_id)).captures, [1_000]);
  });

  it('accepts the order locale\'s decimal comma and its thousands separator, as the page shows amounts', async () => {
    const order = await newOrder(500_000);
    await page.goto(orderUrl(order.order_id));
    await ask(page, 'capture', '12,50');
    await page.getByText('Capture 12,50 kr on order').waitFor();
    await confirm(page);
    await page.getByRole('status').filter({ hasText: 'Capture created.' }).waitFor();
    await ask(page, 'capture', '1 234,50');
    await page.getByText('Capture 1 234,50 kr on order').waitFor();
    await confirm(page);
    await page.getByRole('status').filter({ hasText: 'Capture created.' }).waitFor();
    assert.deepEqual((await amounts(order.order_id)).captures, [1_250, 123_450]);
  });

  it('refuses an amount above what the action allows on the form, naming the maximum as the page shows money, before any confirmation', async () => {
    const order = await newOrder(6_000, 6_000);
    await page.goto(orderUrl(order.order_id));
    await ask(page, 'refund', '9 999,00');
    await page.getByText('at most 60,00 kr').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Confirm' }).count(), 0);
    assert.equal(await page.getByLabel('Amount to refund (SEK)').getAttribute('aria-invalid'), 'true');
    await check(page, 'portal-order-over-maximum');
    const part = await newOrder(10_000, 4_000);
    await page.goto(orderUrl(part.order_id));
    await ask(page, 'capture', '60,01');
    await page.getByText('at most 60,00 kr').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Confirm' }).count(), 0);
    assert.deepEqual(await amounts(order.order_id), { captures: [6_000], refunds: [] });
    assert.deepEqual((await amounts(part.order_id)).captures, [4_000]);
  });

  it('does not offer what the order\'s state does not allow: the buttons are disabled, with the reason', async () => {
    const fresh = await newOrder();
    await page.goto(orderUrl(fresh.order_id));
    const button = (name: string) => page.getByRole('button', { name, exact: true });
    for (const name of ['Capture', 'Cancel', 'Extend authorization']) assert.equal(await button(name).isEnabled(), true, name);
    for (const name of ['Refund', 'Release remaining']) assert.equal(await button(name).isDisabled(), true, name);
    await page.getByText('Order has no captures. Refund not possible.').waitFor();
    await check(page, 'portal-order-actions-authorized');

    const captured = await newOrder(6_000, 6_000);
    await page.goto(orderUrl(captured.order_id));
    for (const name of ['Capture', 'Cancel', 'Release remaining', 'Extend authorization']) assert.equal(await button(name).isDisabled(), true, name);
    assert.equal(await button('Refund').isEnabled(), true);
    await page.getByText('Capture not allowed: the order has no remaining authorized amount.').waitFor();
    await page.getByText('Order has previous captures. Cancel not possible.').waitFor();
    // The reason is the disabled button's description, for screen readers too.
    const described = (await button('Capture').getAttribute('aria-describedby')) ?? '';
    const descriptions = await Promise.all(described.split(' ').filter(Boolean).map((id) => page.locator(`[id="${id}"]`).innerText()));
    assert.ok(descriptions.some((text) => text.includes('no remaining authorized amount')), described);
    await check(page, 'portal-order-actions-captured');
  });
});
