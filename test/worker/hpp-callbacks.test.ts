// status_update callbacks of Hosted Payment Page sessions (CONTRACT §13, §7) through the delivery
// engine, with the worker running against a real shop server: one POST per status change, in the
// order the changes happened, {"event_id", "session"}; a failing endpoint is retried on the webhook
// schedule of the merchant's clock, the same event id each time, and every attempt is logged.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createCheckout } from '../support/checkout.js';
import { call, createMerchant, describeOnBothStores, WITH_WORKER, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { advanceClock, eventually } from '../support/webhooks.js';

interface StatusUpdate {
  event_id: string;
  session: { session_id: string; status: string; order_id?: string; updated_at: string; expires_at: string };
}

describeOnBothStores(
  'HPP status_update callbacks',
  (ctx) => {
    let shop: Receiver;
    /** Sessions whose callbacks the shop refuses with 500. */
    const failing = new Set<string>();
    before(async () => {
      shop = await startReceiver((r) => (failing.has(r.path.split('/').pop() ?? '') ? 500 : 200));
    });
    after(async () => {
      await shop?.close();
    });

    const updatesOf = (sessionId: string) => shop.received.filter((r) => r.path === `/status/${sessionId}`).map((r) => JSON.parse(r.body) as StatusUpdate);

    async function newSession(t: TestApp, m: MerchantCredentials) {
      const checkout = await createCheckout(t, m);
      const res = await call(t, {
        method: 'POST',
        url: '/hpp/v1/sessions',
        auth: m,
        body: { payment_session_url: `http://localhost/checkout/v3/orders/${checkout.order_id}`, merchant_urls: { status_update: `${shop.origin}/status/{{session_id}}` } },
      });
      assert.equal(res.statusCode, 201, res.body);
      return { ...(res.json() as { session_id: string }), order_id: checkout.order_id };
    }
    const page = (sessionId: string) => `/sandbox/hpp/${sessionId}`;
    const pay = (t: TestApp, sessionId: string, outcome: string) =>
      t.app.inject({ method: 'POST', url: `${page(sessionId)}/pay`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `outcome=${outcome}` });

    it('posts each status change in order: IN_PROGRESS, then COMPLETED with the order id', async () => {
      const t = ctx();
      const m = await createMerchant(t);
      const s = await newSession(t, m);
      await t.app.inject({ method: 'GET', url: page(s.session_id) });
      await t.app.inject({ method: 'GET', url: page(s.session_id) }); // opened again: no change, no callback
      assert.match((await pay(t, s.session_id, 'accepted')).body, /purchase is complete/, 'without a success URL the page says so');
      const updates = await eventually('two status updates', async () => {
        const got = updatesOf(s.session_id);
        return got.length >= 2 ? got : undefined;
      });
      assert.deepEqual(updates.map((u) => u.session.status), ['IN_PROGRESS', 'COMPLETED']);
      assert.equal(updates[1]!.session.order_id, s.order_id);
      assert.notEqual(updates[0]!.event_id, updates[1]!.event_id);
      const received = shop.received.find((r) => r.path === `/status/${s.session_id}`)!;
      assert.match(String(received.headers['content-type']), /^application\/json/);
      assert.match(String(received.headers['user-agent']), /^OpenOM\//);
      // The sandbox shows them with every other call to the merchant (CONTRACT §15).
      const listed = await call(t, { method: 'GET', url: '/sandbox/v1/calls?kind=hpp_status_update', auth: m });
      assert.equal(listed.statusCode, 200, listed.body);
      const calls = (listed.json() as { calls: { url: string; response_status: number; request_body: string }[] }).calls;
      assert.deepEqual(calls.map((c) => [c.url, c.response_status, (JSON.parse(c.request_body) as StatusUpdate).session.status]).sort(), [
        [`${shop.origin}/status/${s.session_id}`, 200, 'COMPLETED'],
        [`${shop.origin}/status/${s.session_id}`, 200, 'IN_PROGRESS'],
      ]);
    });

    it('a refused callback is retried a minute later on the merchant clock with the same event, every attempt logged', async () => {
      const t = ctx();
      const m = await createMerchant(t);
      const s = await newSession(t, m);
      failing.add(s.session_id);
      assert.equal((await call(t, { method: 'DELETE', url: `/hpp/v1/sessions/${s.session_id}`, auth: m })).statusCode, 204);
      await eventually('the first attempt', async () => (updatesOf(s.session_id).length >= 1 ? true : undefined));
      failing.delete(s.session_id);
      await advanceClock(t, m, 60);
      const updates = await eventually('the retry', async () => {
        const got = updatesOf(s.session_id);
        return got.length >= 2 ? got : undefined;
      });
      assert.deepEqual(updates.map((u) => u.session.status), ['DISABLED', 'DISABLED']);
      assert.equal(updates[0]!.event_id, updates[1]!.event_id);
      const attempts = await eventually('two attempts logged', async () => {
        const rows = await t.store.db.selectFrom('job_attempts').selectAll().where('merchant_id', '=', m.merchant_id).where('kind', '=', 'hpp_status_update').orderBy('attempt').execute();
        return rows.length >= 2 ? rows : undefined;
      });
      assert.deepEqual(attempts.map((a) => [a.attempt, a.status]), [[1, 500], [2, 200]]);
      assert.equal(attempts[0]!.order_id, s.order_id);
    });
  },
  WITH_WORKER,
);
