// Webhook deliveries end to end (CONTRACT §7): a real worker delivers to a real HTTP listener on
// 127.0.0.1. Every event type arrives signed; failures are retried on the merchant's clock until
// three days after the event; resend sends the same event again; first attempts for one order keep
// the order of its events; work made due by a clock advance goes out within 2 seconds.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { WEBHOOK_EVENT_TYPES } from '../../src/domain/webhookEvents.js';
import { USER_AGENT } from '../../src/outgoing/callMerchant.js';
import { call, capture, createMerchant, createOrder, describeOnBothStores, ordersUrl, refund, WITH_WORKER } from '../support/harness.js';
import { eventsOf, signatureIsValid, startReceiver, type Received } from '../support/receiver.js';
import { advanceClock, decidePendingFraud, deliveriesOf, eventually, registerWebhook } from '../support/webhooks.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const typeOf = (r: Received) => (JSON.parse(r.body) as { type: string }).type;

describeOnBothStores(
  'webhook deliveries',
  (ctx) => {
    it('every event type reaches a subscribed endpoint as a signed JSON POST with the documented body', async () => {
      const t = ctx();
      const m = await createMerchant(t, 'All Events AB');
      const rx = await startReceiver();
      try {
        const hook = await registerWebhook(t, m, rx.url, [...WEBHOOK_EVENT_TYPES]);
        const a = await createOrder(t, m);
        const c1 = await capture(t, m, a.order_id, { captured_amount: 6_000 });
        assert.equal(c1.statusCode, 201, c1.body);
        const r1 = await refund(t, m, a.order_id, { refunded_amount: 1_000 });
        assert.equal(r1.statusCode, 201, r1.body);
        assert.equal((await call(t, { method: 'POST', url: ordersUrl(a.order_id, '/release-remaining-authorization'), auth: m })).statusCode, 204);
        const b = await createOrder(t, m);
        assert.equal((await call(t, { method: 'POST', url: ordersUrl(b.order_id, '/cancel'), auth: m })).statusCode, 204);
        const c = await createOrder(t, m, { fraud_status: 'PENDING' });
        assert.equal(await decidePendingFraud(t, m, c.order_id, 'REJECTED'), 204);
        const d = await createOrder(t, m, { expires_at: new Date(Date.now() + 3_600_000).toISOString() });
        await advanceClock(t, m, 3_601);

        const expected = [
          [a.order_id, 'order.created'],
          [a.order_id, 'capture.created'],
          [a.order_id, 'refund.created'],
          [a.order_id, 'openom.order.released'],
          [b.order_id, 'order.created'],
          [b.order_id, 'openom.order.cancelled'],
          [c.order_id, 'order.created'],
          [c.order_id, 'openom.order.fraud_status_changed'],
          [c.order_id, 'openom.order.cancelled'],
          [d.order_id, 'order.created'],
          [d.order_id, 'openom.order.expired'],
        ];
        const received = await rx.waitFor((r) => r.length >= expected.length);
        await sleep(300); // anything invented or sent twice would arrive now
        assert.equal(rx.received.length, expected.length, rx.received.map((r) => r.body).join('\n'));
        const events = eventsOf(received);
        const key = ([order, type]: string[]) => `${order} ${type}`;
        assert.deepEqual(events.map((e) => key([e.data.order_id!, e.type])).sort(), expected.map(key).sort());
        assert.equal(new Set(events.map((e) => e.id)).size, expected.length, 'event ids are not unique');
        for (const [i, r] of received.entries()) {
          const e = events[i]!;
          assert.equal(r.method, 'POST');
          assert.equal(r.path, '/hooks');
          assert.equal(r.headers['content-type'], 'application/json');
          assert.equal(r.headers['user-agent'], USER_AGENT);
          assert.ok(signatureIsValid(hook.signing_secret, r.headers['openom-signature'], r.body), `bad signature on ${e.type}: ${String(r.headers['openom-signature'])}`);
          assert.ok(!signatureIsValid(`${hook.signing_secret}x`, r.headers['openom-signature'], r.body));
          assert.deepEqual(Object.keys(e), ['id', 'merchant_id', 'timestamp', 'type', 'data']);
          assert.match(e.id, /^kevt_[0-9a-f]{24}$/);
          assert.equal(e.merchant_id, m.merchant_id);
          assert.match(e.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
          const ids = e.type === 'capture.created' ? ['order_id', 'capture_id'] : e.type === 'refund.created' ? ['order_id', 'refund_id'] : ['order_id'];
          assert.deepEqual(Object.keys(e.data), ids, e.type);
        }
        const byType = (type: string) => events.find((e) => e.type === type)!;
        assert.equal(byType('capture.created').data.capture_id, c1.headers['capture-id']);
        assert.equal(byType('refund.created').data.refund_id, r1.headers['refund-id']);
        // The expiry happened on the merchant's clock, an hour ahead of real time.
        assert.ok(Date.parse(byType('openom.order.expired').timestamp) >= Date.parse(String(d.expires_at)));
      } finally {
        await rx.close();
      }
    });

    it('a failed delivery is retried 1 min, 5 min, 30 min, 2 h, 6 h, 12 h, then 24 h after each attempt on the merchant clock, until 3 days after the event: then it has failed', async () => {
      const t = ctx();
      const m = await createMerchant(t, 'Failing Endpoint AB');
      const rx = await startReceiver(() => 500);
      try {
        const hook = await registerWebhook(t, m, rx.url, ['order.created']);
        await createOrder(t, m);
        await rx.waitFor((r) => r.length === 1);
        const attempted = (n: number) => eventually(`attempt ${n} recorded`, async () => (await deliveriesOf(t, m, hook)).find((d) => d.attempt_count === n));

        let delivery = await attempted(1);
        // Not before the minute has passed on the merchant's clock.
        await advanceClock(t, m, 50);
        await sleep(700);
        assert.equal(rx.received.length, 1, 'retried before its time');
        await advanceClock(t, m, 10);
        await rx.waitFor((r) => r.length === 2, 2_000);

        const delays = [300, 1_800, 7_200, 21_600, 43_200, 86_400, 86_400];
        for (const [i, seconds] of delays.entries()) {
          delivery = await attempted(i + 2);
          assert.equal(delivery.status, 'pending');
          const latest = delivery.attempts[0]!;
          assert.equal(latest.status_code, 500);
          const gap = Date.parse(delivery.next_attempt_at!) - Date.parse(latest.attempted_at);
          assert.ok(Math.abs(gap - seconds * 1000) <= 1_000, `attempt ${i + 2}: next is due ${gap} ms after it, expected ${seconds} s`);
          const advanced = Date.now();
          await advanceClock(t, m, seconds);
          const got = await rx.waitFor((r) => r.length === i + 3, 2_000);
          assert.ok(got.at(-1)!.at - advanced < 2_000, 'not retried within 2 s of the clock advance');
        }
        // Nine attempts: the next would fall more than 3 days after the event.
        delivery = await attempted(9);
        assert.equal(delivery.status, 'failed');
        assert.equal(delivery.next_attempt_at, null);
        assert.deepEqual(
          delivery.attempts.map((a) => a.attempt),
          [9, 8, 7, 6, 5, 4, 3, 2, 1],
        );
        await advanceClock(t, m, 86_400);
        await sleep(700);
        assert.equal(rx.received.length, 9);
        // Every attempt carried the same event: same bytes, same id.
        assert.equal(new Set(rx.received.map((r) => r.body)).size, 1);
      } finally {
        await rx.close();
      }
    });

    it('resend (202) sends the same event body and id again now as the next attempt, also after the delivery has failed for good', async () => {
      const t = ctx();
      const m = await createMerchant(t, 'Resending AB');
      const rx = await startReceiver();
      try {
        const hook = await registerWebhook(t, m, rx.url, ['order.created']);
        await createOrder(t, m);
        await rx.waitFor((r) => r.length === 1);
        const delivered = await eventually('delivered', async () => (await deliveriesOf(t, m, hook)).find((d) => d.status === 'delivered'));
        const res = await call(t, { method: 'POST', url: `/sandbox/v1/webhooks/${hook.webhook_id}/deliveries/${delivered.delivery_id}/resend`, auth: m });
        assert.equal(res.statusCode, 202, res.body);
        assert.equal((res.json() as { status: string }).status, 'pending');
        const received = await rx.waitFor((r) => r.length === 2, 2_000);
        assert.equal(received[1]!.body, received[0]!.body);
        assert.ok(signatureIsValid(hook.signing_secret, received[1]!.headers['openom-signature'], received[1]!.body));
        const after = await eventually('second attempt recorded', async () => (await deliveriesOf(t, m, hook)).find((d) => d.attempt_count === 2));
        assert.equal(after.status, 'delivered');
        assert.equal(after.event_id, delivered.event_id);

        // A delivery that has run out of retries can be resent too.
        rx.answer = () => 500;
        await createOrder(t, m);
        await rx.waitFor((r) => r.length === 3);
        await advanceClock(t, m, 4 * 86_400);
        const failed = await eventually('failed for good', async () => (await deliveriesOf(t, m, hook)).find((d) => d.status === 'failed'), 5_000);
        rx.answer = () => 204;
        const again = await call(t, { method: 'POST', url: `/sandbox/v1/webhooks/${hook.webhook_id}/deliveries/${failed.delivery_id}/resend`, auth: m });
        assert.equal(again.statusCode, 202, again.body);
        await eventually('resent delivery delivered', async () => (await deliveriesOf(t, m, hook)).find((d) => d.delivery_id === failed.delivery_id && d.status === 'delivered'));
        assert.equal(rx.received.at(-1)!.body, rx.received[2]!.body);
      } finally {
        await rx.close();
      }
    });

    it("first attempts for one order are made in the order of its events, and a failing event does not hold back the later ones", async () => {
      const t = ctx();
      const m = await createMerchant(t, 'Ordered AB');
      let failedOnce = false;
      // A slow endpoint, so the order's events pile up while one is in flight; the first capture event fails once.
      const rx = await startReceiver((r) => {
        if (typeOf(r) === 'capture.created' && !failedOnce) {
          failedOnce = true;
          return { status: 500, delayMs: 80 };
        }
        return { status: 200, delayMs: 80 };
      });
      try {
        const hook = await registerWebhook(t, m, rx.url, ['order.created', 'capture.created', 'refund.created']);
        const order = await createOrder(t, m);
        for (let i = 0; i < 4; i++) assert.equal((await capture(t, m, order.order_id, { captured_amount: 1_000 })).statusCode, 201);
        assert.equal((await refund(t, m, order.order_id, { refunded_amount: 500 })).statusCode, 201);
        const received = await rx.waitFor((r) => r.length === 6);
        const written = (await deliveriesOf(t, m, hook)).sort((x, y) => Number(x.delivery_id) - Number(y.delivery_id));
        assert.deepEqual(
          eventsOf(received).map((e) => e.id),
          written.map((d) => d.event_id),
          'first attempts out of order',
        );
        // Each first attempt is made after the previous one was answered, not merely sent after it.
        for (let i = 1; i < received.length; i++) {
          assert.ok(received[i]!.at >= received[i - 1]!.answeredAt!, `event ${i + 1} was sent while event ${i} was still in flight`);
        }
        // The failed one waits for its retry (a minute on the merchant clock); the rest are delivered.
        const expected = ['delivered', 'pending', 'delivered', 'delivered', 'delivered', 'delivered'];
        const statuses = async () => (await deliveriesOf(t, m, hook)).sort((x, y) => Number(x.delivery_id) - Number(y.delivery_id)).map((d) => d.status);
        await eventually(`statuses ${expected.join(', ')}`, async () => ((await statuses()).join() === expected.join() ? true : undefined), 3_000);
      } finally {
        await rx.close();
      }
    });

    it('deleting an endpoint cancels its pending retries: nothing more is sent to it', async () => {
      const t = ctx();
      const m = await createMerchant(t, 'Deleted Endpoint AB');
      const rx = await startReceiver(() => 503);
      try {
        const hook = await registerWebhook(t, m, rx.url, ['order.created']);
        await createOrder(t, m);
        await rx.waitFor((r) => r.length === 1);
        await eventually('attempt recorded', async () => (await deliveriesOf(t, m, hook)).find((d) => d.attempt_count === 1));
        assert.equal((await call(t, { method: 'DELETE', url: `/sandbox/v1/webhooks/${hook.webhook_id}`, auth: m })).statusCode, 204);
        await advanceClock(t, m, 3_600);
        await sleep(1_000);
        assert.equal(rx.received.length, 1);
      } finally {
        await rx.close();
      }
    });
  },
  WITH_WORKER,
);
