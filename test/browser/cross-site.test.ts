// A page on another site must not use the API through a merchant's browser (CONTRACT §2, issue 24
// §3), in Chromium: the merchant's browser holds its Basic credentials for OpenOM (it answered
// the API's challenge), then the merchant opens a page served from another origin (a second
// listener on 127.0.0.1, another port) whose script posts a webhook registration to the API the
// ways a page can without asking first: fetch in no-cors mode with the browser's credentials, and a
// text/plain form. OpenOM refuses each (403) and registers nothing; a script that sends the
// credentials itself is stopped by the browser, as OpenOM grants no CORS.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, withoutChromium } from '../support/browser.js';
import { call, createMerchant, startTestApp, type Json, type MerchantCredentials, type TestApp } from '../support/harness.js';

const HOOK = { url: 'https://attacker.example/collect', events: ['order.created', 'capture.created'] };

describe('a page on another origin calling the API through the merchant\'s browser', { concurrency: false, skip: withoutChromium }, () => {
  let t: TestApp;
  let api: string;
  let attacker: Server;
  let attackerBase: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let merchant: MerchantCredentials;

  /** The attacker's pages: each posts the registration to the API one way when it loads. */
  function attackerPage(path: string): string {
    const target = `${api}/sandbox/v1/webhooks`;
    const body = JSON.stringify(JSON.stringify(HOOK));
    const basic = JSON.stringify(`Basic ${Buffer.from(`${merchant.username}:${merchant.password}`).toString('base64')}`);
    const scripts: Record<string, string> = {
      '/no-cors': `fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: ${body} }).then(() => { document.title = 'sent'; }, () => { document.title = 'failed'; });`,
      '/with-credentials': `fetch(${JSON.stringify(target)}, { method: 'POST', headers: { authorization: ${basic}, 'content-type': 'application/json' }, body: ${body} }).then(() => { document.title = 'sent'; }, () => { document.title = 'failed'; });`,
    };
    if (path === '/form') {
      // A text/plain form writes name=value: the name carries the JSON, the value closes a dummy field.
      const name = JSON.stringify(HOOK).slice(0, -1) + ',"pad":"';
      return `<!doctype html><title>Prize</title><form method="post" enctype="text/plain" action="${target}"><input type="hidden" name='${name}' value='"}'><button>Win a prize</button></form>`;
    }
    return `<!doctype html><title>loading</title><script>${scripts[path] ?? ''}</script>`;
  }

  const registered = async () => ((await call(t, { method: 'GET', url: '/sandbox/v1/webhooks', auth: merchant })).json() as { webhooks: Json[] }).webhooks;

  before(async () => {
    t = await startTestApp('sqlite');
    api = await t.app.listen({ host: '127.0.0.1', port: 0 });
    merchant = await createMerchant(t, 'Browsing Merchant AB');
    attacker = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(attackerPage(req.url ?? '/')));
    attacker.listen(0, '127.0.0.1');
    await once(attacker, 'listening');
    const address = attacker.address();
    attackerBase = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    assert.notEqual(new URL(attackerBase).origin, new URL(api).origin);
    browser = await launchChromium();
    // The browser answers OpenOM's Basic challenge with the merchant's credentials, as a merchant who
    // once opened the API in a tab and typed them in.
    context = await browser.newContext({ httpCredentials: { username: merchant.username, password: merchant.password } });
    page = await context.newPage();
    const own = await page.goto(`${api}/sandbox/v1/webhooks`);
    assert.equal(own?.status(), 200, 'the browser holds the merchant credentials');
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (attacker ? attacker.close(resolve) : resolve(undefined)));
    await t?.close();
  });

  it('fetch in no-cors mode with the browser\'s credentials and a text/plain body: refused with 403, nothing registered', async () => {
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/sandbox/v1/webhooks') && r.request().method() === 'POST'), page.goto(`${attackerBase}/no-cors`)]);
    assert.equal(response.status(), 403);
    await page.waitForFunction(() => document.title !== 'loading');
    assert.deepEqual(await registered(), []);
  });

  it('a text/plain form posting JSON to the API: refused with 403, nothing registered', async () => {
    await page.goto(`${attackerBase}/form`);
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/sandbox/v1/webhooks')), page.getByRole('button', { name: 'Win a prize' }).click()]);
    assert.equal(response.status(), 403);
    assert.deepEqual(await registered(), []);
  });

  it('a script that sends the Basic credentials itself is stopped by the browser: no CORS grant, nothing registered', async () => {
    await page.goto(`${attackerBase}/with-credentials`);
    await page.waitForFunction(() => document.title !== 'loading');
    assert.equal(await page.title(), 'failed');
    assert.deepEqual(await registered(), []);
  });
});
