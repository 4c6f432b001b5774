// Fairness bench (issue 24 §1, CONTRACT §7; not run in CI): how long another merchant waits for the
// first attempt of its webhook while a hostile merchant has 32 endpoints that never answer, keeps
// making orders (each fans out to all 32: 16 through the API, 16 more written to the store, as a
// merchant that registered them before the limit of 16 still has them) and moves its clock forward 61 s now and then (making
// its retries due). One in-process OpenOM per store (the test harness: app + worker at the default
// 16 call slots), a hanging listener and a receiver that answers 200 at once, all on 127.0.0.1.
// Prints the other merchant's first-attempt delay (order created → request received), p50/p99/max.
// Then what fairness costs a merchant alone: one merchant's backlog of DRAIN webhooks, all due at
// once, drained to a receiver that answers at once (deliveries/s; the cap leaves it a quarter of
// the call slots).
//
// Usage: node --import tsx bench/fairness.ts [--quick] [--only=sqlite|postgres] [--drain-only]
import pino from 'pino';
import { startWorker } from '../src/worker/worker.js';
import { createMerchant, createOrder, postgresReachable, startTestApp, type Backend, type TestApp } from '../test/support/harness.js';
import { addEndpoints, startHangingServer } from '../test/support/hanging.js';
import { startReceiver } from '../test/support/receiver.js';
import { advanceClock, registerWebhook } from '../test/support/webhooks.js';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const only = argv.find((a) => a.startsWith('--only='))?.split('=')[1];
const SAMPLES = QUICK ? 20 : 100;
const SAMPLE_EVERY_MS = 250;
const DRAIN = QUICK ? 1_000 : 5_000;
/** A first attempt not made within this is counted at this (and the bench says so). */
const GIVE_UP_MS = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function measure(backend: Backend): Promise<void> {
  const t: TestApp = await startTestApp(backend, { OPENOM_WORKER_CONCURRENCY: '16' });
  const hang = await startHangingServer();
  const rx = await startReceiver();
  let hostileRunning = true;
  try {
    const hostile = await createMerchant(t, 'Hostile AB');
    await addEndpoints(t, hostile, hang.urls(32));
    const other = await createMerchant(t, 'Other AB');
    await registerWebhook(t, other, rx.url, ['order.created']);
    const hostileLoad = (async () => {
      for (let i = 0; hostileRunning; i++) {
        await createOrder(t, hostile);
        if (i % 25 === 24) await advanceClock(t, hostile, 61);
        await sleep(200);
      }
    })();
    await sleep(1_000); // the hostile calls are hanging by now
    const delays: number[] = [];
    let missed = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const before = rx.received.length;
      const started = Date.now();
      await createOrder(t, other);
      const arrived = await rx.waitFor((r) => r.length > before, GIVE_UP_MS).then(
        (r) => r[before]!.at,
        () => undefined,
      );
      if (arrived === undefined) missed++;
      delays.push((arrived ?? started + GIVE_UP_MS) - started);
      await sleep(SAMPLE_EVERY_MS);
    }
    hostileRunning = false;
    await hostileLoad;
    const sorted = [...delays].sort((a, b) => a - b);
    console.log(
      `${backend}: other merchant's first attempt over ${SAMPLES} webhooks, 32 hanging endpoints of another merchant: ` +
        `p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms` +
        (missed ? `; ${missed} not within ${GIVE_UP_MS} ms (counted as ${GIVE_UP_MS})` : '') +
        `; hostile calls started: ${hang.received()}`,
    );
  } finally {
    hostileRunning = false;
    await rx.close();
    await hang.close();
    await t.close();
  }
}

/** One merchant's backlog, written with no worker running, then drained by a worker of 16 call slots. */
async function drain(backend: Backend): Promise<void> {
  const t: TestApp = await startTestApp(backend, { OPENOM_WORKER_CONCURRENCY: '0' });
  const rx = await startReceiver();
  try {
    const m = await createMerchant(t, 'Backlog AB');
    await registerWebhook(t, m, rx.url, ['order.created']);
    const orders = Array.from({ length: DRAIN }, () => () => createOrder(t, m));
    for (let i = 0; i < orders.length; i += 50) await Promise.all(orders.slice(i, i + 50).map((make) => make()));
    const started = Date.now();
    const worker = startWorker(t.store, { concurrency: 16, log: pino({ level: 'silent' }) });
    await rx.waitFor((r) => r.length >= DRAIN, 300_000);
    const seconds = (Date.now() - started) / 1000;
    await worker.stop(5_000);
    console.log(`${backend}: one merchant alone, ${DRAIN} due webhooks drained in ${seconds.toFixed(1)} s: ${Math.round(DRAIN / seconds)} deliveries/s`);
  } finally {
    await rx.close();
    await t.close();
  }
}

for (const backend of ['sqlite', 'postgres'] as const) {
  if (only && only !== backend) continue;
  if (backend === 'postgres' && !(await postgresReachable())) {
    console.log('postgres: skipped (unreachable)');
    continue;
  }
  if (!argv.includes('--drain-only')) await measure(backend);
  await drain(backend);
}
