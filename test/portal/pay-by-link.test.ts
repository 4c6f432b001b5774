// /portal/pay-by-link (CONTRACT §13, §10): a merchant sees its Hosted Payment Page sessions, the
// status_update callbacks made for them with every attempt (a refused one shows its HTTP status),
// and the outbox of distributed links; another merchant's are not shown.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createCheckout } from '../support/checkout.js';
import { call, createMerchant, describeOnBothStores, WITH_WORKER } from '../support/harness.js';
import { portalLogin } from '../support/portal.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { eventually } from '../support/webhooks.js';

describeOnBothStores(
  'portal: pay by link',
  (ctx) => {
    let shop: Receiver;
    before(async () => {
      shop = await startReceiver(() => 503);
    });
    after(async () => {
      await shop?.close();
    });

    it('lists sessions, their status updates with each attempt, and the outbox', async () => {
      const t = ctx();
      const m = await createMerchant(t);
      const checkout = await createCheckout(t, m);
      const created = await call(t, {
        method: 'POST',
        url: '/hpp/v1/sessions',
        auth: m,
        body: { payment_session_url: `http://localhost/checkout/v3/orders/${checkout.order_id}`, merchant_urls: { status_update: `${shop.origin}/status?secret=s3cr3t` } },
      });
      const { session_id } = created.json() as { session_id: string };
      await call(t, { method: 'POST', url: `/hpp/v1/sessions/${session_id}/distribution`, auth: m, body: { method: 'email', contact_information: { email: 'shopper@example.com' } } });
      await t.app.inject({ method: 'GET', url: `/sandbox/hpp/${session_id}` });
      await eventually('an attempt logged', async () => {
        const row = await t.store.db.selectFrom('job_attempts').select('id').where('merchant_id', '=', m.merchant_id).executeTakeFirst();
        return row ?? undefined;
      });

      const client = await portalLogin(t, m);
      const res = await client.get('/portal/pay-by-link');
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /<a href="\/portal\/pay-by-link" aria-current="page">Pay by link<\/a>/);
      assert.ok(res.body.includes(session_id));
      assert.match(res.body, /<span class="badge">IN_PROGRESS<\/span>/);
      assert.match(res.body, /<code>IN_PROGRESS<\/code>/);
      assert.match(res.body, /#1 HTTP 503/);
      assert.ok(res.body.includes(`${shop.origin}/status`));
      assert.ok(!res.body.includes('s3cr3t'), 'the URL is shown without its query string');
      assert.ok(res.body.includes('shopper@example.com'));

      const other = await createMerchant(t, 'Other AB');
      const theirs = await (await portalLogin(t, other)).get('/portal/pay-by-link');
      assert.ok(!theirs.body.includes(session_id));
      assert.match(theirs.body, /No pay-by-link sessions yet/);
    });
  },
  WITH_WORKER,
);
