// The end of a pending fraud review (CONTRACT §5, §7): openom.order.fraud_status_changed (and
// openom.order.cancelled for a rejection), the fraud notification to merchant_urls.notification
// retried as webhooks are, and the automatic decision a checkout schedules as a 'fraud_decision' job.
// Admin intake orders have no merchant_urls, so the tests give one a notification URL in the store,
// as a completed checkout would have.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { merchantClock } from '../../src/store/clock.js';
import { jobInsert } from '../../src/store/jobs.js';
import { createMerchant, createOrder, describeOnBothStores, getOrder, WITH_WORKER, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { eventsOf, startReceiver, type Received, type Receiver } from '../support/receiver.js';
import { advanceClock, decidePendingFraud, eventually, registerWebhook } from '../support/webhooks.js';

const isNotification = (r: Received) => r.path.startsWith('/notify/');
const notificationUrl = (rx: Receiver) => rx.url.replace('/hooks', '/notify/{checkout.order.id}?shop=7');

async function pendingCheckoutOrder(t: TestApp, m: MerchantCredentials, rx: Receiver): Promise<string> {
  const order = await createOrder(t, m, { fraud_status: 'PENDING' });
  await t.store.db
    .updateTable('orders')
    .set({ merchant_urls: JSON.stringify({ notification: notificationUrl(rx) }) })
    .where('order_id', '=', order.order_id)
    .execute();
  return order.order_id;
}

describeOnBothStores(
  'fraud decisions',
  (ctx) => {
    for (const [decision, eventType, webhooks, status] of [
      ['ACCEPTED', 'FRAUD_RISK_ACCEPTED', ['openom.order.fraud_status_changed'], 'AUTHORIZED'],
      ['REJECTED', 'FRAUD_RISK_REJECTED', ['openom.order.fraud_status_changed', 'openom.order.cancelled'], 'CANCELLED'],
      ['STOPPED', 'FRAUD_RISK_STOPPED', ['openom.order.fraud_status_changed', 'openom.order.cancelled'], 'CANCELLED'],
    ] as const) {
      it(`${decision}: fires ${webhooks.join(' and ')} and POSTs {order_id, event_type: ${eventType}} to merchant_urls.notification`, async () => {
        const t = ctx();
        const m = await createMerchant(t, `Fraud ${decision} AB`);
        const rx = await startReceiver();
        try {
          await registerWebhook(t, m, rx.url, ['openom.order.fraud_status_changed', 'openom.order.cancelled']);
          const orderId = await pendingCheckoutOrder(t, m, rx);
          assert.equal(await decidePendingFraud(t, m, orderId, decision), 204);
          const received = await rx.waitFor((r) => r.length === webhooks.length + 1, 3_000);
          const notifications = received.filter(isNotification);
          assert.equal(notifications.length, 1);
          const n = notifications[0]!;
          assert.equal(n.method, 'POST');
          assert.equal(n.path, `/notify/${orderId}?shop=7`);
          assert.equal(n.headers['content-type'], 'application/json');
          assert.deepEqual(JSON.parse(n.body), { order_id: orderId, event_type: eventType });
          assert.deepEqual(
            eventsOf(received.filter((r) => !isNotification(r))).map((e) => [e.type, e.data.order_id]),
            webhooks.map((w) => [w, orderId]),
          );
          const order = await getOrder(t, m, orderId);
          assert.equal(order.status, status);
          assert.equal(order.fraud_status, decision === 'ACCEPTED' ? 'ACCEPTED' : 'REJECTED');
        } finally {
          await rx.close();
        }
      });
    }

    it('a failed fraud notification is retried as webhooks are: a minute later on the merchant clock', async () => {
      const t = ctx();
      const m = await createMerchant(t, 'Fraud Retry AB');
      const rx = await startReceiver(() => 502);
      try {
        const orderId = await pendingCheckoutOrder(t, m, rx);
        assert.equal(await decidePendingFraud(t, m, orderId, 'ACCEPTED'), 204);
        await rx.waitFor((r) => r.length === 1, 2_000);
        await eventually('attempt recorded', async () => {
          const job = await t.store.db.selectFrom('jobs').select('attempts').where('order_id', '=', orderId).where('kind', '=', 'notification').executeTakeFirst();
          return job?.attempts === 1 ? true : undefined;
        });
        rx.answer = () => 200;
        await advanceClock(t, m, 60);
        const received = await rx.waitFor((r) => r.length === 2, 2_000);
        assert.equal(received[1]!.body, received[0]!.body);
      } finally {
        await rx.close();
      }
    });

    it("the automatic decision (a 'fraud_decision' job) decides a pending order when due, and leaves one decided earlier by hand as it is", async () => {
      const t = ctx();
      const m = await createMerchant(t, 'Fraud Timer AB');
      const rx = await startReceiver();
      try {
        await registerWebhook(t, m, rx.url, ['openom.order.fraud_status_changed']);
        const automatic = (await createOrder(t, m, { fraud_status: 'PENDING' })).order_id;
        const byHand = (await createOrder(t, m, { fraud_status: 'PENDING' })).order_id;
        const inAnHour = new Date(Date.now() + 3_600_000);
        for (const orderId of [automatic, byHand]) {
          await jobInsert(t.store.db, m.merchant_id, merchantClock(t.store, 0), { kind: 'fraud_decision', orderId, payload: { decision: 'ACCEPTED' }, dueAt: inAnHour }).execute();
        }
        assert.equal(await decidePendingFraud(t, m, byHand, 'REJECTED'), 204);
        await rx.waitFor((r) => r.length === 1, 2_000);
        assert.equal((await getOrder(t, m, automatic)).fraud_status, 'PENDING');

        await advanceClock(t, m, 3_600);
        const received = await rx.waitFor((r) => r.length === 2, 2_000);
        assert.equal(eventsOf(received)[1]!.data.order_id, automatic);
        assert.equal((await getOrder(t, m, automatic)).fraud_status, 'ACCEPTED');
        const handDecided = await eventually('the job for the order decided by hand has run', async () => {
          const job = await t.store.db.selectFrom('jobs').select(['id', 'state']).where('order_id', '=', byHand).where('kind', '=', 'fraud_decision').executeTakeFirstOrThrow();
          return job.state === 'done' ? job : undefined;
        });
        const attempt = await t.store.db.selectFrom('job_attempts').select(['status', 'error']).where('job_id', '=', handDecided.id).executeTakeFirstOrThrow();
        assert.equal(attempt.status, 403);
        assert.match(attempt.error ?? '', /not PENDING/);
        const order = await getOrder(t, m, byHand);
        assert.deepEqual([order.fraud_status, order.status], ['REJECTED', 'CANCELLED']);
        const events = await t.store.db.selectFrom('order_events').select('type').where('order_id', '=', byHand).orderBy('id').execute();
        assert.deepEqual(
          events.map((e) => e.type),
          ['ORDER_CREATED', 'FRAUD_STATUS_CHANGED', 'ORDER_CANCELLED'],
        );
      } finally {
        await rx.close();
      }
    });
  },
  WITH_WORKER,
);
