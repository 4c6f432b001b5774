// The portal's webhooks page (CONTRACT §10, sandbox mode) over real HTTP on both stores, with the
// job worker running so that "Resend" is seen to make a real new attempt: only the merchant's own
// endpoints, deliveries with their attempts, pages, Resend (CSRF-protected, the API's store
// function), adding an endpoint (secret shown once), Delete after confirming; absent in production.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { call, createMerchant, createOrder, describeOnBothStores, WITH_WORKER, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { FORM, portalLogin } from '../support/portal.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { deliveriesOf, eventually, registerWebhook, type DeliveryJson, type Hook } from '../support/webhooks.js';

/** A merchant with an endpoint on a receiver and `orders` orders whose order.created has been delivered. */
async function merchantWithDeliveries(t: TestApp, rx: Receiver, name: string, orders = 1): Promise<{ m: MerchantCredentials; hook: Hook; deliveries: DeliveryJson[] }> {
  const m = await createMerchant(t, name);
  const hook = await registerWebhook(t, m, `${rx.url}/${encodeURIComponent(name)}`, ['order.created', 'capture.created']);
  for (let i = 0; i < orders; i++) await createOrder(t, m);
  const deliveries = await eventually('all delivered', async () => {
    const list = await deliveriesOf(t, m, hook);
    return list.length === orders && list.every((d) => d.status === 'delivered') ? list : undefined;
  });
  return { m, hook, deliveries };
}

const jobState = async (t: TestApp, deliveryId: string) =>
  (await t.store.db.selectFrom('jobs').select(['state', 'attempts']).where('id', '=', Number(deliveryId)).executeTakeFirstOrThrow());

describeOnBothStores(
  'portal webhooks page',
  (ctx) => {
    let rx: Receiver;
    before(async () => {
      rx = await startReceiver();
    });
    after(async () => {
      await rx?.close();
    });

    it("lists only the merchant's own endpoints, each with its deliveries: event, order link, status, attempts", async () => {
      const t = ctx();
      const own = await merchantWithDeliveries(t, rx, 'Own Shop');
      const other = await merchantWithDeliveries(t, rx, 'Other Shop');
      const client = await portalLogin(t, own.m);
      const res = await client.get('/portal/webhooks');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<a href="\/portal\/webhooks" aria-current="page">Webhooks<\/a>/);
      assert.ok(res.body.includes(`${rx.url}/Own%20Shop`));
      assert.ok(!res.body.includes(`${rx.url}/Other%20Shop`), "another merchant's endpoint is not shown");
      const [delivery] = own.deliveries;
      assert.ok(delivery && delivery.order_id);
      assert.ok(res.body.includes(`<a class="mono" href="/portal/orders/${delivery.order_id}">`));
      assert.ok(!res.body.includes(other.deliveries[0]!.order_id!));
      assert.match(res.body, /<code>order\.created<\/code>/);
      assert.match(res.body, /<span class="badge delivery-delivered">Delivered<\/span>/);
      assert.match(res.body, /#1 HTTP 200/);
      assert.ok(res.body.includes(`action="/portal/webhooks/${own.hook.webhook_id}/deliveries/${delivery.delivery_id}/resend"`));
      // Every page's navigation links to it in sandbox mode.
      assert.match((await client.get('/portal/orders')).body, /<a href="\/portal\/webhooks">Webhooks<\/a>/);
    });

    it('escapes the URLs merchants give', async () => {
      const t = ctx();
      const m = await createMerchant(t, 'Escaping AB');
      await registerWebhook(t, m, 'https://shop.example/hooks?<script>alert(1)</script>&q="x"', ['order.created']);
      const res = await (await portalLogin(t, m)).get('/portal/webhooks');
      assert.equal(res.statusCode, 200);
      assert.ok(!res.body.includes('<script>'));
      assert.ok(res.body.includes('https://shop.example/hooks?&lt;script&gt;alert(1)&lt;/script&gt;&amp;q=&quot;x&quot;'));
    });

    it('"Resend" shows "Resent" and makes a new attempt with the same event, through the store function the API uses', async () => {
      const t = ctx();
      const { m, hook, deliveries } = await merchantWithDeliveries(t, rx, 'Resend Shop');
      const delivery = deliveries[0]!;
      const client = await portalLogin(t, m);
      const before = rx.received.length;
      const res = await client.post(`/portal/webhooks/${hook.webhook_id}/deliveries/${delivery.delivery_id}/resend`, { return_to: '/portal/webhooks' });
      assert.equal(res.statusCode, 303, res.body);
      assert.equal(res.headers.location, `/portal/webhooks?resent=${delivery.delivery_id}`);
      const page = await client.get(res.headers.location as string);
      assert.match(page.body, new RegExp(`<div class="notice ok" role="status">Resent delivery ${delivery.delivery_id}:`));
      const received = await rx.waitFor((r) => r.length > before, 5_000);
      assert.equal(received.at(-1)!.body, rx.received.find((r) => r.body.includes(delivery.event_id))!.body, 'the same event body again');
      const again = await eventually('second attempt recorded', async () => (await deliveriesOf(t, m, hook)).find((d) => d.attempt_count === 2));
      assert.equal(again.status, 'delivered');
      assert.match((await client.get('/portal/webhooks')).body, /#2 HTTP 200/);
    });

    it('Resend goes back to the page it was on, and never off the portal', async () => {
      const t = ctx();
      const { m, hook, deliveries } = await merchantWithDeliveries(t, rx, 'Return Shop');
      const client = await portalLogin(t, m);
      const url = `/portal/webhooks/${hook.webhook_id}/deliveries/${deliveries[0]!.delivery_id}/resend`;
      const cases: [string, string][] = [
        [`/portal/webhooks/${hook.webhook_id}?before=99&resent=1&deleted=1`, `/portal/webhooks/${hook.webhook_id}?before=99&resent=${deliveries[0]!.delivery_id}`],
        ['https://evil.example/', `/portal/webhooks?resent=${deliveries[0]!.delivery_id}`],
        ['/portal/a/../..//evil.example/x', `/portal/webhooks?resent=${deliveries[0]!.delivery_id}`],
      ];
      for (const [returnTo, location] of cases) {
        const res = await client.post(url, { return_to: returnTo });
        assert.equal(res.statusCode, 303, returnTo);
        assert.equal(res.headers.location, location, returnTo);
      }
    });

    it('a Resend without the session CSRF token, or with a wrong one, is refused with 403 and sends nothing', async () => {
      const t = ctx();
      const { m, hook, deliveries } = await merchantWithDeliveries(t, rx, 'Csrf Shop');
      const client = await portalLogin(t, m);
      const url = `/portal/webhooks/${hook.webhook_id}/deliveries/${deliveries[0]!.delivery_id}/resend`;
      const without = await t.app.inject({ method: 'POST', url, headers: { cookie: client.cookie, 'content-type': FORM }, payload: 'return_to=%2Fportal%2Fwebhooks' });
      const wrong = await client.post(url, { csrf_token: 'forged' });
      for (const res of [without, wrong]) {
        assert.equal(res.statusCode, 403);
        assert.match(res.body, /Refused/);
      }
      assert.deepEqual(await jobState(t, deliveries[0]!.delivery_id), { state: 'done', attempts: deliveries[0]!.attempt_count });
    });

    it("resending another merchant's delivery or an unknown one is refused, and the page says why", async () => {
      const t = ctx();
      const victim = await merchantWithDeliveries(t, rx, 'Victim Shop');
      const m = await createMerchant(t, 'Nosy Shop');
      const own = await registerWebhook(t, m, `${rx.url}/nosy`, ['order.created']);
      const client = await portalLogin(t, m);
      const foreign = await client.post(`/portal/webhooks/${victim.hook.webhook_id}/deliveries/${victim.deliveries[0]!.delivery_id}/resend`, {});
      assert.equal(foreign.statusCode, 404);
      assert.match(foreign.body, new RegExp(`role="alert"><strong>Refused:</strong> Webhook ${victim.hook.webhook_id} cannot be found\\.`));
      assert.ok(foreign.body.includes('name="return_to" value="/portal/webhooks"'), 'its forms come back to the webhooks page, not to the resend path');
      const crossed = await client.post(`/portal/webhooks/${own.webhook_id}/deliveries/${victim.deliveries[0]!.delivery_id}/resend`, {});
      assert.equal(crossed.statusCode, 404);
      assert.match(crossed.body, new RegExp(`Delivery ${victim.deliveries[0]!.delivery_id} cannot be found\\.`));
      const junk = await client.post(`/portal/webhooks/${own.webhook_id}/deliveries/1e3/resend`, {});
      assert.equal(junk.statusCode, 404);
      assert.match(junk.body, /Delivery 1e3 cannot be found\./);
      assert.deepEqual(await jobState(t, victim.deliveries[0]!.delivery_id), { state: 'done', attempts: 1 });
      // Nor can its endpoint's page or delete confirmation be opened.
      assert.equal((await client.get(`/portal/webhooks/${victim.hook.webhook_id}`)).statusCode, 404);
      assert.equal((await client.get(`/portal/webhooks/${victim.hook.webhook_id}/delete`)).statusCode, 404);
    });

    it('shows the newest deliveries of each endpoint and pages through older ones as the store lists them', async () => {
      const t = ctx();
      const { m, hook, deliveries } = await merchantWithDeliveries(t, rx, 'Busy Shop', 12);
      const client = await portalLogin(t, m);
      const ids = deliveries.map((d) => d.delivery_id);
      const shown = (body: string) => ids.filter((id) => body.includes(`/deliveries/${id}/resend"`));
      const overview = await client.get('/portal/webhooks');
      assert.deepEqual(shown(overview.body), ids.slice(0, 10));
      const older = `/portal/webhooks/${hook.webhook_id}?before=${ids[9]}`;
      assert.ok(overview.body.includes(`<a href="${older}">Older deliveries →</a>`));
      const page2 = await client.get(older);
      assert.equal(page2.statusCode, 200);
      assert.deepEqual(shown(page2.body), ids.slice(10));
      assert.ok(!page2.body.includes('Older deliveries'));
      assert.ok(page2.body.includes(`<a href="/portal/webhooks/${hook.webhook_id}">← Newest deliveries</a>`));
      assert.deepEqual(shown((await client.get(`/portal/webhooks/${hook.webhook_id}`)).body), ids);
      assert.equal((await client.get(`/portal/webhooks/${hook.webhook_id}?before=abc`)).statusCode, 400);
    });

    it('adding an endpoint shows its signing secret once; a bad URL or no event is refused with the reason and adds nothing', async () => {
      const t = ctx();
      const m = await createMerchant(t, 'Adding AB');
      const client = await portalLogin(t, m);
      const bad: [Record<string, string | string[]>, RegExp][] = [
        [{ url: 'ftp://shop.example/hooks', events: ['order.created'] }, /The URL must be an http or https URL\./],
        [{ url: 'not a url', events: ['order.created'] }, /The URL must be an absolute http or https URL\./],
        [{ url: '', events: ['order.created'] }, /Enter the URL the events are to be sent to\./],
        [{ url: 'https://shop.example/hooks' }, /Choose at least one event\./],
        [{ url: 'https://shop.example/hooks', events: ['order.created', 'order.deleted'] }, /Choose among the events listed\./],
      ];
      for (const [fields, message] of bad) {
        const res = await client.post('/portal/webhooks', fields);
        assert.equal(res.statusCode, 400, JSON.stringify(fields));
        assert.match(res.body, message);
        assert.match(res.body, /aria-invalid="true"|aria-describedby="hook-events-error"/);
      }
      const res = await client.post('/portal/webhooks', { url: 'https://shop.example/hooks', events: ['refund.created', 'order.created'] });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const secret = /<code class="secret">(whsec_[A-Za-z0-9_-]+)<\/code>/.exec(res.body)?.[1];
      const [hook, ...others] = await t.store.db.selectFrom('webhooks').selectAll().where('merchant_id', '=', m.merchant_id).execute();
      assert.equal(others.length, 0, 'only the valid form added an endpoint');
      assert.equal(hook?.signing_secret, secret);
      assert.deepEqual(JSON.parse(hook!.events), ['order.created', 'refund.created']);
      assert.equal(hook?.url, 'https://shop.example/hooks');
      const later = await client.get('/portal/webhooks');
      assert.ok(later.body.includes('https://shop.example/hooks'));
      assert.ok(!later.body.includes(secret!), 'the secret is not shown again');
    });

    it('"Delete" asks to confirm first, then deletes the endpoint and cancels its pending deliveries', async () => {
      const t = ctx();
      const m = await createMerchant(t, 'Deleting AB');
      const failing = await startReceiver(() => 500);
      try {
        const hook = await registerWebhook(t, m, failing.url, ['order.created']);
        await createOrder(t, m);
        const pending = await eventually('a failed first attempt', async () => (await deliveriesOf(t, m, hook)).find((d) => d.attempt_count === 1));
        assert.equal(pending.status, 'pending');
        const client = await portalLogin(t, m);
        const confirm = await client.get(`/portal/webhooks/${hook.webhook_id}/delete`);
        assert.equal(confirm.statusCode, 200);
        assert.ok(confirm.body.includes(`Delete the endpoint ${failing.url}?`));
        assert.ok(confirm.body.includes(`<form method="post" action="/portal/webhooks/${hook.webhook_id}/delete">`));
        assert.equal((await call(t, { method: 'GET', url: '/sandbox/v1/webhooks', auth: m })).json().webhooks.length, 1, 'nothing deleted before confirming');
        const res = await client.post(`/portal/webhooks/${hook.webhook_id}/delete`, {});
        assert.equal(res.statusCode, 303);
        assert.equal(res.headers.location, '/portal/webhooks?deleted=1');
        assert.match((await client.get('/portal/webhooks?deleted=1')).body, /Endpoint deleted\./);
        assert.equal((await call(t, { method: 'GET', url: '/sandbox/v1/webhooks', auth: m })).json().webhooks.length, 0);
        assert.equal((await jobState(t, pending.delivery_id)).state, 'cancelled');
        const twice = await client.post(`/portal/webhooks/${hook.webhook_id}/delete`, {});
        assert.equal(twice.statusCode, 404);
        assert.match(twice.body, /cannot be found\./);
      } finally {
        await failing.close();
      }
    });
  },
  WITH_WORKER,
);

describeOnBothStores(
  'portal webhooks page in production mode',
  (ctx) => {
    it('does not exist: a 404 page, no Webhooks link, and its forms are 404 too', async () => {
      const t = ctx();
      const m = await createMerchant(t, 'Production AB');
      const client = await portalLogin(t, m);
      const orders = await client.get('/portal/orders');
      assert.equal(orders.statusCode, 200);
      assert.ok(!orders.body.includes('/portal/webhooks'));
      for (const url of ['/portal/webhooks', '/portal/webhooks/00000000-0000-4000-8000-000000000000']) {
        const res = await client.get(url);
        assert.equal(res.statusCode, 404, url);
        assert.match(res.body, /<h1>Not found<\/h1>/);
        assert.ok(!res.body.includes('/portal/webhooks"'), 'no Webhooks link on the 404 page either');
      }
      const post = await client.post('/portal/webhooks', { url: 'https://shop.example/hooks', events: 'order.created' });
      assert.equal(post.statusCode, 404);
      assert.equal((await t.store.db.selectFrom('webhooks').select('webhook_id').execute()).length, 0);
    });
  },
  { OPENOM_MODE: 'production' },
);
