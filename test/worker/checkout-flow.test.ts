// A merchant's checkout integration end to end over real HTTP (CONTRACT §6, §7): the shopper's
// browser side (the hosted page's form, the redirect to the confirmation page) and every call
// OpenOM makes to the shop (validation, push, fraud notification) against a local shop server, with
// the job worker running and the push schedule driven by the merchant's sandbox clock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkoutBody, complete, createCheckout, merchantUrls, readCheckoutOrder, type Outcome } from '../support/checkout.js';
import { call, createMerchant, describeOnBothStores, getOrder, WITH_WORKER, type MerchantCredentials } from '../support/harness.js';
import { freePort } from '../support/process.js';
import { startReceiver, type Answer, type Received, type Receiver } from '../support/receiver.js';
import { advanceClock, eventually } from '../support/webhooks.js';

const port = await freePort();
const OPENOM = `http://127.0.0.1:${port}`;
const H = 3_600;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeOnBothStores(
  'checkout flow with a real shop server',
  (ctx) => {
    let shop: Receiver;
    /** How the shop's validation endpoint answers the current test. */
    let validation: Answer = 200;
    before(async () => {
      await ctx().app.listen({ host: '127.0.0.1', port });
      shop = await startReceiver((r) => (r.path.startsWith('/validate') ? validation : 200));
    });
    after(async () => {
      await shop?.close();
    });

    const from = (path: string, orderId: string) => (r: Received) => r.path === `${path}?sid=${orderId}`;
    const callsTo = (path: string, orderId: string) => shop.received.filter(from(path, orderId));
    const shopUrls = () => merchantUrls(shop.origin, { validation: `${shop.origin}/validate?sid={checkout.order.id}`, notification: `${shop.origin}/notify?sid={checkout.order.id}` });

    /** The shopper clicks an outcome on the hosted page: the form post, and the top window following its redirect. */
    async function buy(orderId: string, outcome: Outcome): Promise<Response> {
      const form = new URLSearchParams({ outcome, email: 'shopper@example.com' });
      return fetch(`${OPENOM}/sandbox/checkout/${orderId}/complete`, { method: 'POST', body: form, redirect: 'follow' });
    }

    async function newShopper(name: string): Promise<MerchantCredentials> {
      return createMerchant(ctx(), name);
    }

    describe('each outcome', () => {
      it('Approve: the shop validates the order, the shopper lands on the confirmation page, the push follows 2 minutes later', async () => {
        const t = ctx();
        const m = await newShopper('Approve AB');
        validation = 200;
        const order = await createCheckout(t, m, checkoutBody({ merchant_urls: shopUrls() }));
        const page = await fetch(`${OPENOM}/sandbox/checkout/${order.order_id}`);
        assert.equal(page.status, 200);
        assert.match(await page.text(), /<button[^>]*>Approve<\/button>/);

        const landed = await buy(order.order_id, 'accepted');
        assert.equal(landed.status, 200);
        assert.equal(landed.url, `${shop.origin}/thanks?sid=${order.order_id}`);
        const [validated] = callsTo('/validate', order.order_id);
        assert.ok(validated, 'the validation callback was called');
        assert.equal(validated.method, 'POST');
        assert.match(String(validated.headers['content-type']), /^application\/json/);
        assert.match(String(validated.headers['user-agent']), /^OpenOM\//);
        const sent = JSON.parse(validated.body) as Record<string, unknown>;
        assert.equal(sent.order_id, order.order_id);
        assert.equal(sent.status, 'checkout_incomplete');
        assert.equal(sent.order_amount, order.order_amount);
        assert.equal((sent.billing_address as { email?: string }).email, 'shopper@example.com');
        assert.equal((await getOrder(t, m, order.order_id)).status, 'AUTHORIZED');

        await sleep(1_000);
        assert.equal(callsTo('/push', order.order_id).length, 0, 'no push before 2 minutes');
        await advanceClock(t, m, 120);
        const [push] = await shop.waitFor((r) => r.some(from('/push', order.order_id)), 5_000);
        assert.ok(push);
        const pushed = callsTo('/push', order.order_id)[0]!;
        assert.equal(pushed.method, 'POST');
        assert.equal(pushed.body, '');
        assert.match(String(pushed.headers['user-agent']), /^OpenOM\//);
        // The attempt is recorded once the shop has answered.
        const attempts = await eventually('the push attempt is recorded', async () => {
          const rows = await t.store.db.selectFrom('job_attempts').selectAll().where('order_id', '=', order.order_id).where('kind', '=', 'push').execute();
          return rows.length > 0 ? rows : undefined;
        });
        assert.equal(attempts.length, 1);
        assert.equal(attempts[0]!.status, 200);
        assert.equal(attempts[0]!.url, `${shop.origin}/push?sid=${order.order_id}`);
      });

      for (const [outcome, label, decision, status] of [
        ['pending_accepted', 'Pending, then accept', 'ACCEPTED', 'AUTHORIZED'],
        ['pending_rejected', 'Pending, then reject', 'REJECTED', 'CANCELLED'],
      ] as const) {
        it(`${label}: PENDING until an hour later on the merchant clock, then ${decision} with a notification to the shop`, async () => {
          const t = ctx();
          const m = await newShopper(`${label} AB`);
          validation = 200;
          const order = await createCheckout(t, m, checkoutBody({ merchant_urls: shopUrls() }));
          const landed = await buy(order.order_id, outcome);
          assert.equal(landed.url, `${shop.origin}/thanks?sid=${order.order_id}`);
          assert.equal((await getOrder(t, m, order.order_id)).fraud_status, 'PENDING');
          await advanceClock(t, m, H - 60);
          await sleep(1_000);
          assert.equal(callsTo('/notify', order.order_id).length, 0);
          assert.equal((await getOrder(t, m, order.order_id)).fraud_status, 'PENDING');
          await advanceClock(t, m, 61);
          await shop.waitFor((r) => r.some(from('/notify', order.order_id)), 5_000);
          const notification = JSON.parse(callsTo('/notify', order.order_id)[0]!.body) as Record<string, unknown>;
          assert.deepEqual(notification, { order_id: order.order_id, event_type: `FRAUD_RISK_${decision}` });
          const decided = await getOrder(t, m, order.order_id);
          assert.equal(decided.fraud_status, decision);
          assert.equal(decided.status, status);
        });
      }

      it('Deny: no validation call, the page says declined, no order and no push', async () => {
        const t = ctx();
        const m = await newShopper('Deny AB');
        const order = await createCheckout(t, m, checkoutBody({ merchant_urls: shopUrls() }));
        const answer = await buy(order.order_id, 'denied');
        assert.equal(answer.status, 200);
        assert.equal(answer.url, `${OPENOM}/sandbox/checkout/${order.order_id}/complete`);
        assert.match(await answer.text(), /Your purchase was declined/);
        await advanceClock(t, m, 49 * H);
        await sleep(1_500);
        assert.deepEqual(shop.received.filter((r) => r.path.endsWith(order.order_id)), []);
        assert.equal((await call(t, { method: 'GET', url: `/ordermanagement/v1/orders/${order.order_id}`, auth: m })).statusCode, 404);
      });
    });

    describe('the validation callback', () => {
      it('no answer within 3 seconds approves', async () => {
        const t = ctx();
        const m = await newShopper('Slow shop AB');
        validation = { status: 200, delayMs: 5_000 };
        const order = await createCheckout(t, m, checkoutBody({ merchant_urls: shopUrls() }));
        const started = Date.now();
        const res = await complete(t, m, order.order_id, 'accepted');
        const took = Date.now() - started;
        assert.equal(res.statusCode, 200, res.body);
        assert.ok(took >= 2_900 && took < 4_900, `waited ${took} ms`);
        assert.equal((await getOrder(t, m, order.order_id)).status, 'AUTHORIZED');
      });

      it('a 303 denies: the shopper goes to its Location, nothing is created', async () => {
        const t = ctx();
        const m = await newShopper('Redirecting shop AB');
        validation = { status: 303, headers: { location: '/cart?error=out-of-stock' } };
        const order = await createCheckout(t, m, checkoutBody({ merchant_urls: shopUrls() }));
        const landed = await buy(order.order_id, 'accepted');
        assert.equal(landed.url, `${shop.origin}/cart?error=out-of-stock`);
        const headless = await complete(t, m, order.order_id, 'accepted');
        assert.equal(headless.statusCode, 200);
        assert.equal((headless.json() as { status: string }).status, 'checkout_incomplete');
        assert.equal((await call(t, { method: 'GET', url: `/ordermanagement/v1/orders/${order.order_id}`, auth: m })).statusCode, 404);
      });

      it('a 400 with error_text denies and the page shows the text; a 500 approves', async () => {
        const t = ctx();
        const m = await newShopper('Picky shop AB');
        validation = { status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error_type: 'address_error', error_text: 'We cannot deliver to <Mars> & back.' }) };
        const order = await createCheckout(t, m, checkoutBody({ merchant_urls: shopUrls() }));
        const shown = await buy(order.order_id, 'accepted');
        assert.equal(shown.status, 200);
        const html = await shown.text();
        assert.ok(html.includes('The shop could not accept your purchase: We cannot deliver to &lt;Mars&gt; &amp; back.'), html);
        assert.equal((await readCheckoutOrder(t, m, order.order_id)).status, 'checkout_incomplete');
        validation = 500;
        const landed = await buy(order.order_id, 'accepted');
        assert.equal(landed.url, `${shop.origin}/thanks?sid=${order.order_id}`);
        assert.equal((await getOrder(t, m, order.order_id)).status, 'AUTHORIZED');
      });
    });

    describe('the push schedule on the merchant clock', () => {
      const pushesOf = (orderId: string) => callsTo('/push', orderId).length;
      async function expectPushes(orderId: string, n: number): Promise<void> {
        await shop.waitFor(() => pushesOf(orderId) >= n, 5_000);
        // Nothing more is on its way.
        await sleep(1_200);
        assert.equal(pushesOf(orderId), n);
      }

      it('pushes at 2, 5 minutes…; pushes made due together by a jump are one; acknowledging stops them', async () => {
        const t = ctx();
        const m = await newShopper('Pushed AB');
        validation = 200;
        const order = await createCheckout(t, m, checkoutBody({ merchant_urls: merchantUrls(shop.origin) }));
        assert.equal((await complete(t, m, order.order_id, 'accepted')).statusCode, 200);
        await advanceClock(t, m, 120);
        await expectPushes(order.order_id, 1);
        await advanceClock(t, m, 180);
        await expectPushes(order.order_id, 2);
        await advanceClock(t, m, 3 * H); // past 15, 30 and 60 minutes: one push
        await expectPushes(order.order_id, 3);
        await advanceClock(t, m, H);
        await expectPushes(order.order_id, 4);
        assert.equal((await call(t, { method: 'POST', url: `/ordermanagement/v1/orders/${order.order_id}/acknowledge`, auth: m })).statusCode, 204);
        await advanceClock(t, m, 8 * H);
        await expectPushes(order.order_id, 4);
        const made = await t.store.db.selectFrom('job_attempts').select(['status', 'url']).where('order_id', '=', order.order_id).where('kind', '=', 'push').where('url', 'is not', null).execute();
        assert.equal(made.length, 4, 'every push made is in job_attempts');
        assert.ok(made.every((a) => a.status === 200));
      });

      it('a capture stops the pushes; one after the order is captured is not made', async () => {
        const t = ctx();
        const m = await newShopper('Captured AB');
        const order = await createCheckout(t, m, checkoutBody({ merchant_urls: merchantUrls(shop.origin) }));
        assert.equal((await complete(t, m, order.order_id, 'accepted')).statusCode, 200);
        assert.equal((await call(t, { method: 'POST', url: `/ordermanagement/v1/orders/${order.order_id}/captures`, auth: m, body: { captured_amount: 100 } })).statusCode, 201);
        await advanceClock(t, m, 49 * H);
        await sleep(1_500);
        assert.equal(pushesOf(order.order_id), 0);
      });

      it('a shop that never acknowledges is pushed whatever it answers, the last time 48 hours after the purchase', async () => {
        const t = ctx();
        const m = await newShopper('Silent AB');
        const failing = await startReceiver(() => 500);
        try {
          const order = await createCheckout(t, m, checkoutBody({ merchant_urls: merchantUrls(failing.origin) }));
          assert.equal((await complete(t, m, order.order_id, 'accepted')).statusCode, 200);
          const count = () => failing.received.filter((r) => r.path === `/push?sid=${order.order_id}`).length;
          await advanceClock(t, m, 120);
          await failing.waitFor(() => count() === 1, 5_000);
          await advanceClock(t, m, 44 * H);
          await failing.waitFor(() => count() === 2, 5_000);
          await advanceClock(t, m, 4 * H);
          await failing.waitFor(() => count() === 3, 5_000);
          await advanceClock(t, m, 30 * 24 * H);
          await sleep(1_500);
          assert.equal(count(), 3, 'nothing after the push at 48 hours');
        } finally {
          await failing.close();
        }
      });

      it('push now sends one at once, also to an acknowledged order', async () => {
        const t = ctx();
        const m = await newShopper('Push now AB');
        const order = await createCheckout(t, m, checkoutBody({ merchant_urls: merchantUrls(shop.origin) }));
        assert.equal((await complete(t, m, order.order_id, 'accepted')).statusCode, 200);
        assert.equal((await call(t, { method: 'POST', url: `/ordermanagement/v1/orders/${order.order_id}/acknowledge`, auth: m })).statusCode, 204);
        const asked = Date.now();
        assert.equal((await call(t, { method: 'POST', url: `/sandbox/v1/orders/${order.order_id}/push`, auth: m })).statusCode, 204);
        await shop.waitFor((r) => r.some(from('/push', order.order_id)), 5_000);
        assert.ok(callsTo('/push', order.order_id)[0]!.at - asked < 2_000, 'within 2 seconds');
      });
    });
  },
  { ...WITH_WORKER, PORT: String(port), OPENOM_PUBLIC_URL: OPENOM },
);
