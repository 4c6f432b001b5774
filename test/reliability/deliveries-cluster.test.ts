// Two OpenOM processes on one PostgreSQL database run the job worker side by side (CONTRACT §7:
// "several instances never deliver the same attempt twice"). 500 orders expire at once on a clock
// advance: both instances lease the 500 expiry jobs and then the 500 webhook deliveries they fan
// out. The receiver sees every event exactly once, every job has exactly one attempt row, and
// both instances did part of the work.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTempPostgresDatabase, orderBody, postgresOrSkip } from '../support/harness.js';
import { eventsOf, startReceiver, type Receiver } from '../support/receiver.js';
import { createMerchant, instanceEnv, pool, send, startInstance, stopAll, storeConfigOf, type Instance, type Merchant } from './cluster.js';
import { openStore } from '../../src/store/dialect.js';

const ORDERS = 500;

describe('deliveries: two instances on one PostgreSQL', { concurrency: false }, async () => {
  if (!(await postgresOrSkip())) return;
  let db: { url: string; drop: () => Promise<void> };
  let rx: Receiver;
  const instances: Instance[] = [];
  before(async () => {
    db = await createTempPostgresDatabase();
    rx = await startReceiver();
    // info: every attempt is logged, so the test can tell which instance made it.
    const env = instanceEnv(db.url, { LOG_LEVEL: 'info' });
    instances.push(await startInstance(env));
    instances.push(await startInstance(env));
  });
  after(async () => {
    await stopAll(instances);
    await rx?.close();
    await db?.drop();
  });

  it(`${ORDERS} orders expiring at once: each expiry and each webhook is attempted once, by one of the two instances`, async () => {
    const [a, b] = instances as [Instance, Instance];
    const merchant: Merchant = await createMerchant(a.base, 'Cluster Deliveries AB');
    const hook = await send(a.base, { path: '/sandbox/v1/webhooks', auth: merchant, body: { url: rx.url, events: ['openom.order.expired'] } });
    assert.equal(hook.status, 201, hook.text);
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const orderIds = await pool(
      Array.from({ length: ORDERS }, (_, i) => i),
      16,
      async (i) => {
        const r = await send(instances[i % 2]!.base, { path: `/admin/v1/merchants/${merchant.merchant_id}/orders`, auth: 'admin', body: orderBody({ expires_at: expiresAt }, 1_000) });
        assert.equal(r.status, 201, r.text);
        return (JSON.parse(r.text) as { order_id: string }).order_id;
      },
    );

    const advanced = Date.now();
    const adv = await send(b.base, { path: '/sandbox/v1/clock/advance', auth: merchant, body: { seconds: 3_601 } });
    assert.equal(adv.status, 200, adv.text);
    await rx.waitFor((r) => r.length >= ORDERS, 60_000);
    const elapsed = Date.now() - advanced;
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // a duplicate would arrive now

    const events = eventsOf(rx.received);
    assert.equal(rx.received.length, ORDERS, 'an event was delivered more than once');
    assert.equal(new Set(events.map((e) => e.id)).size, ORDERS);
    assert.deepEqual(new Set(events.map((e) => e.data.order_id)), new Set(orderIds));

    const store = openStore(storeConfigOf(db.url), { pgPoolSize: 2 });
    try {
      const jobs = await store.db.selectFrom('jobs').select(['id', 'kind', 'state', 'attempts']).where('kind', 'in', ['expiry', 'webhook']).where('state', '!=', 'pending').execute();
      assert.equal(jobs.filter((j) => j.kind === 'expiry').length, ORDERS);
      assert.equal(jobs.filter((j) => j.kind === 'webhook').length, ORDERS);
      assert.ok(jobs.every((j) => j.state === 'done' && j.attempts === 1), 'a job was attempted more than once');
      const attempts = await store.db.selectFrom('job_attempts').select(['job_id', 'attempt']).execute();
      assert.equal(attempts.length, 2 * ORDERS);
      assert.equal(new Set(attempts.map((x) => `${x.job_id}/${x.attempt}`)).size, attempts.length);
    } finally {
      await store.close();
    }

    const attemptsLogged = (i: Instance) => i.server.stdout().split('\n').filter((line) => line.includes('"msg":"job attempt"')).length;
    const [byA, byB] = [attemptsLogged(a), attemptsLogged(b)];
    assert.equal(byA + byB, 2 * ORDERS, 'attempts logged do not add up');
    assert.ok(byA > 0 && byB > 0, `one instance did all the work (${byA} / ${byB})`);
    console.log(`[deliveries cluster] ${ORDERS} expiries + ${ORDERS} webhooks after one clock advance: all delivered in ${elapsed} ms, attempts by instance ${byA} / ${byB}, duplicates 0`);
  });
});
