// A hot order must not starve everyone else (issue 9, item 2): three OpenOM processes on one
// PostgreSQL database, 1,500 concurrent captures at one order (500 through each process) while a
// second merchant keeps reading and capturing its own orders through the same processes. Each
// process runs one command per order at a time from an in-process queue, so the hot order holds
// one connection per process: every capture of the burst is answered 201 or 403, and the other
// merchant sees no failure and no starvation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTempPostgresDatabase, postgresOrSkip } from '../support/harness.js';
import {
  assertLedgerClean,
  createMerchant,
  createOrder,
  getOrder,
  instanceEnv,
  klarnaError,
  orderPath,
  pool,
  randomInt,
  send,
  startCluster,
  stopAll,
  storeConfigOf,
  type Instance,
  type Merchant,
  type Reply,
} from './cluster.js';

const BURST = 1_500;
/**
 * Generous for a loaded 2-core CI machine (a GET of an order with captures is six round trips, each
 * slow when the cores are oversubscribed); the goal on a quiet machine is 250 ms. Starvation, as
 * before the per-order queue, showed as failures and a p99 of up to 12 s.
 */
const BYSTANDER_P99_LIMIT_MS = 5_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

describe('a hot order: 1,500 concurrent captures at one order over 3 processes on one PostgreSQL', { concurrency: false }, async () => {
  if (!(await postgresOrSkip())) return;
  let db: { url: string; drop: () => Promise<void> };
  let instances: Instance[] = [];
  let hot: Merchant;
  let bystander: Merchant;
  before(async () => {
    db = await createTempPostgresDatabase();
    instances = await startCluster(3, instanceEnv(db.url));
    hot = await createMerchant(instances[0]!.base, 'Hot Order AB');
    bystander = await createMerchant(instances[0]!.base, 'Bystander AB');
  });
  after(async () => {
    await stopAll(instances);
    await db?.drop();
  });

  it('every capture of the burst is answered 201 or 403, amounts add up, and the other merchant is served throughout without a failure', async () => {
    const orderAmount = 100_000;
    const orderId = await createOrder(instances[0]!.base, hot, orderAmount);
    const own = await Promise.all(Array.from({ length: 6 }, () => createOrder(instances[0]!.base, bystander, 10_000_000)));

    // The other merchant: GETs and 1-unit captures on its own orders, through every process, until the burst is over.
    let bursting = true;
    const bystanderReplies: (Reply & { kind: 'GET' | 'capture' })[] = [];
    const bystanderLoad = Promise.all(
      own.map(async (id, w) => {
        for (let i = 0; bursting; i++) {
          const inst = instances[(w + i) % instances.length]!;
          const r =
            i % 2 === 0
              ? { ...(await send(inst.base, { path: orderPath(id), auth: bystander })), kind: 'GET' as const }
              : { ...(await send(inst.base, { path: orderPath(id, '/captures'), auth: bystander, body: { captured_amount: 1 } })), kind: 'capture' as const };
          bystanderReplies.push(r);
        }
      }),
    );

    const amounts = Array.from({ length: BURST }, () => randomInt(1, 150));
    const started = performance.now();
    const replies = await pool(amounts, BURST, (amount, i) =>
      send(instances[i % instances.length]!.base, { path: orderPath(orderId, '/captures'), auth: hot, body: { captured_amount: amount }, timeoutMs: 60_000 }),
    );
    const burstMs = performance.now() - started;
    bursting = false;
    await bystanderLoad;

    const statuses: Record<number, number> = {};
    let acknowledgedSum = 0;
    for (const [i, r] of replies.entries()) {
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status === 201) acknowledgedSum += amounts[i]!;
    }
    const hotMs = replies.map((r) => r.ms).sort((a, b) => a - b);
    const bystanderMs = bystanderReplies.map((r) => r.ms).sort((a, b) => a - b);
    const p99Of = (kind: 'GET' | 'capture') => percentile(bystanderReplies.filter((r) => r.kind === kind).map((r) => r.ms).sort((a, b) => a - b), 99).toFixed(1);
    const bystanderFailures = bystanderReplies.filter((r) => r.status !== 200 && r.status !== 201);
    console.log(
      `[hot order] ${BURST} concurrent captures at one order over ${instances.length} processes in ${Math.round(burstMs)} ms: ` +
        `${Object.entries(statuses).map(([s, n]) => `${n} × ${s}`).join(', ')}; latency p50 ${Math.round(percentile(hotMs, 50))} ms, max ${Math.round(hotMs[hotMs.length - 1]!)} ms. ` +
        `Other merchant: ${bystanderReplies.length} requests (GET and capture), ${bystanderFailures.length} failed, ` +
        `p50 ${percentile(bystanderMs, 50).toFixed(1)} ms, p99 ${percentile(bystanderMs, 99).toFixed(1)} ms (GET ${p99Of('GET')}, capture ${p99Of('capture')}), max ${Math.round(bystanderMs[bystanderMs.length - 1]!)} ms`,
    );

    for (const r of replies) {
      if (r.status === 201) continue;
      assert.equal(r.status, 403, `a capture of the burst was answered ${r.status} ${r.error ?? ''} ${r.text}`);
      assert.equal(klarnaError(r).error_code, 'CAPTURE_NOT_ALLOWED');
    }
    const order = await getOrder(instances[0]!.base, hot, orderId);
    assert.equal(order.captured_amount, acknowledgedSum, 'captured_amount is not the sum of acknowledged captures');
    assert.equal(order.captures.length, statuses[201] ?? 0);
    assert.ok((statuses[201] ?? 0) > 0 && (statuses[403] ?? 0) > 0, 'the burst should both fill the order and be refused beyond it');

    assert.deepEqual(
      bystanderFailures.map((r) => `${r.status} ${r.error ?? ''} ${r.text.slice(0, 200)}`),
      [],
      'the other merchant saw failures',
    );
    assert.ok(bystanderReplies.length >= 20, `the other merchant got only ${bystanderReplies.length} requests through`);
    assert.ok(percentile(bystanderMs, 99) < BYSTANDER_P99_LIMIT_MS, `the other merchant's p99 was ${Math.round(percentile(bystanderMs, 99))} ms`);
  });

  it('the ledger check passes afterwards', async () => {
    await assertLedgerClean(storeConfigOf(db.url), 'hot order');
  });
});
