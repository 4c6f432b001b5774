// Expiry end to end (CONTRACT §7): openom.order.expired fires once when the merchant's clock passes
// an order's expires_at while part of the authorization is unused, never for cancelled, released or
// fully captured orders; an extension moves it; a part-captured order then shows EXPIRED.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { call, capture, createMerchant, createOrder, describeOnBothStores, getOrder, ordersUrl, WITH_WORKER, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { eventsOf, startReceiver } from '../support/receiver.js';
import { advanceClock, eventually, registerWebhook } from '../support/webhooks.js';

const DAY = 86_400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function expiredEvents(t: TestApp, orderId: string): Promise<number> {
  const rows = await t.store.db.selectFrom('order_events').select('id').where('order_id', '=', orderId).where('type', '=', 'ORDER_EXPIRED').execute();
  return rows.length;
}

async function clockOf(t: TestApp, m: MerchantCredentials): Promise<number> {
  const res = await call(t, { method: 'GET', url: '/sandbox/v1/clock', auth: m });
  return (res.json() as { offset_seconds: number }).offset_seconds;
}

describeOnBothStores(
  'order expiry',
  (ctx) => {
    it('fires openom.order.expired once when the clock reaches expires_at (not a second before); the part-captured order then shows EXPIRED', async () => {
      const t = ctx();
      const m = await createMerchant(t, 'Expiring AB');
      const rx = await startReceiver();
      try {
        await registerWebhook(t, m, rx.url, ['openom.order.expired']);
        const expiresAt = Math.ceil(Date.now() / 1000) * 1000 + 2 * DAY * 1000;
        const order = await createOrder(t, m, { expires_at: new Date(expiresAt).toISOString() });
        assert.equal((await capture(t, m, order.order_id, { captured_amount: 3_000 })).statusCode, 201);

        // Just after a whole second of real time, so the merchant's time (a whole number of
        // seconds ahead) is too: advancing then puts it one second before expires_at.
        while (Date.now() % 1000 > 50) await sleep(5);
        const merchantNow = Date.now() + (await clockOf(t, m)) * 1000;
        await advanceClock(t, m, Math.round((expiresAt - 1_000 - Math.floor(merchantNow / 1000) * 1000) / 1000));
        const before = await getOrder(t, m, order.order_id);
        assert.equal(before.status, 'PART_CAPTURED');
        assert.equal(before.remaining_authorized_amount, 7_000);
        await sleep(300);
        assert.equal(rx.received.length, 0, 'expired before expires_at');
        assert.equal(await expiredEvents(t, order.order_id), 0);

        const advanced = Date.now();
        await advanceClock(t, m, 1);
        const [received] = await rx.waitFor((r) => r.length === 1, 2_000);
        assert.ok(received!.at - advanced < 2_000);
        const [event] = eventsOf([received!]);
        assert.equal(event!.type, 'openom.order.expired');
        assert.deepEqual(event!.data, { order_id: order.order_id });
        assert.ok(Date.parse(event!.timestamp) >= expiresAt && Date.parse(event!.timestamp) < expiresAt + 3_000, event!.timestamp);
        const after = await getOrder(t, m, order.order_id);
        assert.equal(after.status, 'EXPIRED');
        assert.equal(after.remaining_authorized_amount, 0);
        assert.equal(after.captured_amount, 3_000);

        // Once: more time passing fires nothing more.
        await advanceClock(t, m, 30 * DAY);
        await sleep(700);
        assert.equal(rx.received.length, 1);
        assert.equal(await expiredEvents(t, order.order_id), 1);
      } finally {
        await rx.close();
      }
    });

    it('cancelled, released and fully captured orders never fire it; an extended order fires at its new expires_at', async () => {
      const t = ctx();
      const m = await createMerchant(t, 'Not Expiring AB');
      const rx = await startReceiver();
      try {
        await registerWebhook(t, m, rx.url, ['openom.order.expired']);
        const [control, cancelled, released, captured, extended] = await Promise.all([1, 2, 3, 4, 5].map(() => createOrder(t, m)));
        const post = async (orderId: string, rest: string, body?: unknown) => (await call(t, { method: 'POST', url: ordersUrl(orderId, rest), auth: m, body })).statusCode;
        assert.equal(await post(cancelled!.order_id, '/cancel'), 204);
        assert.equal(await post(released!.order_id, '/captures', { captured_amount: 1_000 }), 201);
        assert.equal(await post(released!.order_id, '/release-remaining-authorization'), 204);
        assert.equal(await post(captured!.order_id, '/captures', { captured_amount: 10_000 }), 201);
        await advanceClock(t, m, 10 * DAY);
        assert.equal(await post(extended!.order_id, '/extend-authorization-time'), 204);

        // Day 28: only the control order expires.
        await advanceClock(t, m, 18 * DAY + 1);
        await rx.waitFor((r) => r.length === 1, 2_000);
        const quiet = [cancelled!, released!, captured!].map((o) => o.order_id);
        await eventually('expiry jobs of the quiet orders done', async () => {
          const pending = await t.store.db.selectFrom('jobs').select('id').where('kind', '=', 'expiry').where('order_id', 'in', quiet).where('state', '=', 'pending').execute();
          return pending.length === 0 ? true : undefined;
        });
        await sleep(300);
        assert.deepEqual(
          eventsOf(rx.received).map((e) => e.data.order_id),
          [control!.order_id],
        );
        assert.equal((await getOrder(t, m, extended!.order_id)).status, 'AUTHORIZED');

        // Day 38: the extended order's new expires_at.
        await advanceClock(t, m, 10 * DAY);
        await rx.waitFor((r) => r.length === 2, 2_000);
        assert.equal(eventsOf(rx.received)[1]!.data.order_id, extended!.order_id);
        for (const id of quiet) assert.equal(await expiredEvents(t, id), 0);
        assert.equal((await getOrder(t, m, cancelled!.order_id)).status, 'CANCELLED');
        assert.equal((await getOrder(t, m, captured!.order_id)).status, 'CAPTURED');
      } finally {
        await rx.close();
      }
    });
  },
  WITH_WORKER,
);
