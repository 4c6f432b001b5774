// Merchant URLs at the boundary (CONTRACT §7, issue 24 §4): user info is refused for webhook
// endpoints and every merchant_urls field (400 BAD_VALUE naming the field); non-ASCII text and line
// separators in a merchant URL are percent-encoded (UTF-8) where it is stored and where OpenOM
// redirects to it, so the hosted page never answers 5xx after the purchase and Latin-1 text is not
// turned into other characters; the portal's return_to with CR/LF or U+2028 is never a 5xx.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CHECKOUT_ORDERS, checkoutBody, createCheckout, merchantUrls } from '../support/checkout.js';
import { startWorker } from '../../src/worker/worker.js';
import { captureLogs } from '../support/capturedLogs.js';
import { call, createMerchant, createOrder, describeOnBothStores, getOrder } from '../support/harness.js';
import { portalLogin } from '../support/portal.js';
import { startReceiver } from '../support/receiver.js';
import { eventually, registerWebhook } from '../support/webhooks.js';

const USER_INFO_URLS = ['http://user:pass@shop.example/hooks', 'https://user@shop.example/hooks', 'http://@shop.example/hooks'];
const submit = (t: Parameters<typeof createCheckout>[0], id: string) =>
  t.app.inject({ method: 'POST', url: `/sandbox/checkout/${id}/complete`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'outcome=accepted&email=' });

describeOnBothStores('merchant URLs', (ctx) => {
  it('a webhook URL with user info is 400 BAD_VALUE naming url, through the merchant and the admin API; nothing is stored', async () => {
    const t = ctx();
    const m = await createMerchant(t, 'Userinfo Hooks AB');
    for (const url of USER_INFO_URLS) {
      for (const [path, auth] of [
        ['/sandbox/v1/webhooks', m],
        [`/admin/v1/merchants/${m.merchant_id}/webhooks`, 'admin'],
      ] as const) {
        const res = await call(t, { method: 'POST', url: path, auth, body: { url, events: ['order.created'] } });
        assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
        const body = res.json() as { error_code: string; error_messages: string[] };
        assert.equal(body.error_code, 'BAD_VALUE');
        assert.match(body.error_messages[0]!, /url.*user info/);
      }
    }
    const list = await call(t, { method: 'GET', url: '/sandbox/v1/webhooks', auth: m });
    assert.deepEqual((list.json() as { webhooks: unknown[] }).webhooks, []);
  });

  it('the portal refuses a webhook URL with user info on its form', async () => {
    const t = ctx();
    const m = await createMerchant(t, 'Userinfo Portal AB');
    const portal = await portalLogin(t, m);
    const res = await portal.post('/portal/webhooks', { url: USER_INFO_URLS[0]!, events: ['order.created'] });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /user info/);
  });

  it('every merchant_urls field with user info is 400 BAD_VALUE naming that field, on create and on update', async () => {
    const t = ctx();
    const m = await createMerchant(t, 'Userinfo Checkout AB');
    const open = await createCheckout(t, m);
    for (const field of ['terms', 'checkout', 'confirmation', 'push', 'validation', 'notification']) {
      const urls = merchantUrls('https://shop.example', { [field]: 'https://shop:secret@shop.example/x?sid={checkout.order.id}' });
      const created = await call(t, { method: 'POST', url: CHECKOUT_ORDERS, auth: m, body: checkoutBody({ merchant_urls: urls }) });
      assert.equal(created.statusCode, 400, `${field}: ${created.body}`);
      assert.equal((created.json() as { error_code: string }).error_code, 'BAD_VALUE');
      assert.match((created.json() as { error_messages: string[] }).error_messages[0]!, new RegExp(`merchant_urls\\.${field} .*user info`));
      const updated = await call(t, { method: 'POST', url: `${CHECKOUT_ORDERS}/${open.order_id}`, auth: m, body: { merchant_urls: urls } });
      assert.equal(updated.statusCode, 400, `${field} update: ${updated.body}`);
    }
  });

  it('a confirmation URL with Cyrillic, €, U+2028 or Latin-1 text: the purchase redirects to it percent-encoded (UTF-8), never a 5xx', async () => {
    const t = ctx();
    const m = await createMerchant(t, 'Unicode Shop AB');
    const cases = [
      ['https://shop.example/спасибо?sid={checkout.order.id}&msg=Привет', 'https://shop.example/%D1%81%D0%BF%D0%B0%D1%81%D0%B8%D0%B1%D0%BE?sid=ID&msg=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82'],
      ['https://shop.example/thanks?sid={checkout.order.id}&total=12€', 'https://shop.example/thanks?sid=ID&total=12%E2%82%AC'],
      ['https://shop.example/thanks\u2028x?sid={checkout.order.id}', 'https://shop.example/thanks%E2%80%A8x?sid=ID'],
      ['https://shop.example/café?sid={checkout.order.id}&ü=é', 'https://shop.example/caf%C3%A9?sid=ID&%C3%BC=%C3%A9'],
      ['https://bücher.example/danke?sid={checkout.order.id}', 'https://xn--bcher-kva.example/danke?sid=ID'],
    ] as const;
    for (const [confirmation, expected] of cases) {
      const order = await createCheckout(t, m, checkoutBody({ merchant_urls: merchantUrls('https://shop.example', { confirmation }) }));
      const res = await submit(t, order.order_id);
      assert.equal(res.statusCode, 303, `${confirmation}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      assert.equal(res.headers.location, expected.replace('ID', order.order_id));
      assert.equal((await getOrder(t, m, order.order_id)).status, 'AUTHORIZED');
    }
  });

  it('merchant URLs are stored percent-encoded: the checkout order and the webhook list show them so', async () => {
    const t = ctx();
    const m = await createMerchant(t, 'Stored Encoded AB');
    const order = await createCheckout(t, m, checkoutBody({ merchant_urls: merchantUrls('https://shop.example', { push: 'https://shop.example/push?sid={checkout.order.id}&n=ä' }) }));
    assert.equal(order.merchant_urls.push, 'https://shop.example/push?sid={checkout.order.id}&n=%C3%A4');
    const hook = await call(t, { method: 'POST', url: '/sandbox/v1/webhooks', auth: m, body: { url: 'https://shop.example/hooks/\u2028ä', events: ['order.created'] } });
    assert.equal(hook.statusCode, 201, hook.body);
    assert.equal((hook.json() as { url: string }).url, 'https://shop.example/hooks/%E2%80%A8%C3%A4');
  });

  it("the portal's return_to with CR/LF, U+2028 or non-ASCII text redirects within the portal, never a 5xx", async () => {
    const t = ctx();
    const m = await createMerchant(t, 'Return To AB');
    const portal = await portalLogin(t, m);
    for (const returnTo of ['/portal/orders\r\nSet-Cookie: x=1', '/portal/orders\u2028', '/portal/orders?q=Привет', '/portal/orders\ud800']) {
      const res = await portal.post('/portal/clock/advance', { amount: '1', unit: 'seconds', return_to: returnTo });
      assert.equal(res.statusCode, 303, `${JSON.stringify(returnTo)}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      const location = String(res.headers.location);
      assert.match(location, /^\/portal\/orders[\x21-\x7e]*$/);
      assert.equal(res.headers['set-cookie'], undefined);
    }
  });

  it('a webhook URL is called with its query string and logged without it', async () => {
    const t = ctx();
    const m = await createMerchant(t, 'Query Token AB');
    const rx = await startReceiver();
    const logs = captureLogs();
    const worker = startWorker(t.store, { concurrency: 2, log: logs.logger });
    try {
      await registerWebhook(t, m, `${rx.url}?token=sekrit-123`, ['order.created']);
      await createOrder(t, m);
      const [delivery] = await rx.waitFor((r) => r.length === 1);
      assert.equal(delivery!.path, '/hooks?token=sekrit-123');
      const attempt = await eventually('the attempt logged', async () => logs.lines.find((l) => l.msg === 'job attempt'));
      assert.equal((attempt as { url?: string }).url, rx.url);
      assert.ok(!JSON.stringify(logs.lines).includes('sekrit'), 'the query string reached the log');
    } finally {
      await worker.stop(1_000);
      await rx.close();
    }
  });
});
