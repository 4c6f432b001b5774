// Crashes (issue 5, item 4): two OpenOM processes on one PostgreSQL database under a steady load of
// captures and refunds; one of them is killed with SIGKILL and restarted, cycle after cycle.
// Clients retry an unanswered request with the same Klarna-Idempotency-Key on the other process,
// as a well-behaved client would. Every mutation a client saw acknowledged is in the store, none
// is applied twice, nothing is half-written, and the ledger check passes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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
  randomInt,
  send,
  startInstance,
  stopAll,
  storeConfigOf,
  type Instance,
  type Merchant,
  type Reply,
} from './cluster.js';

const CRASH_CYCLES = 4;
const WORKERS = 16;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('crash: SIGKILL and restart under load, on PostgreSQL', { concurrency: false }, async () => {
  if (!(await postgresOrSkip())) return;
  let db: { url: string; drop: () => Promise<void> };
  const instances: Instance[] = [];
  before(async () => {
    db = await createTempPostgresDatabase();
    instances.push(await startInstance(instanceEnv(db.url)));
    instances.push(await startInstance(instanceEnv(db.url)));
  });
  after(async () => {
    await stopAll(instances);
    await db?.drop();
  });

  it(`${CRASH_CYCLES} kill -9 / restart cycles under load: every acknowledged capture and refund is stored exactly once, the ledger check passes`, async () => {
    const merchant: Merchant = await createMerchant(instances[0]!.base);
    const orders = await Promise.all(Array.from({ length: 6 }, () => createOrder(instances[0]!.base, merchant, 1_000_000)));
    const acked = new Map(orders.map((o) => [o, { captures: new Map<string, number>(), refunds: new Map<string, number>() }]));
    const figures = { attempts: 0, operations: 0, acknowledged: 0, refused: 0, noAnswer: 0, unavailable: 0, fiveHundreds: 0 };

    /** One operation, retried with the same key until it gets a definitive answer. */
    const operate = async (orderId: string, kind: 'captures' | 'refunds', amount: number) => {
      figures.operations++;
      const key = randomUUID();
      const body = kind === 'captures' ? { captured_amount: amount } : { refunded_amount: amount };
      const deadline = Date.now() + 60_000;
      for (let attempt = 0; ; attempt++) {
        const inst = instances[(attempt + randomInt(0, 1)) % instances.length]!;
        figures.attempts++;
        const r: Reply = await send(inst.base, { path: orderPath(orderId, `/${kind}`), auth: merchant, body, headers: { 'klarna-idempotency-key': key } });
        if (r.status === 201) {
          figures.acknowledged++;
          const id = r.headers.get(kind === 'captures' ? 'capture-id' : 'refund-id')!;
          const book = acked.get(orderId)![kind];
          assert.ok(!book.has(id) || book.get(id) === amount);
          book.set(id, amount);
          return;
        }
        if (r.status === 403) {
          figures.refused++;
          assert.match(klarnaError(r).error_code, /^(CAPTURE|REFUND)_NOT_ALLOWED$/);
          return;
        }
        if (r.status === 0) figures.noAnswer++;
        else if (r.status === 503) figures.unavailable++;
        else {
          figures.fiveHundreds += r.status >= 500 ? 1 : 0;
          assert.fail(`unexpected ${r.status}: ${r.text}`);
        }
        assert.ok(Date.now() < deadline, 'an operation found no answer for 60 s');
        await sleep(50);
      }
    };

    let loading = true;
    const workers = Array.from({ length: WORKERS }, async () => {
      while (loading) {
        const orderId = orders[randomInt(0, orders.length - 1)]!;
        if (Math.random() < 0.6) await operate(orderId, 'captures', randomInt(1, 1_000));
        else await operate(orderId, 'refunds', randomInt(1, 500));
      }
    });

    for (let cycle = 1; cycle <= CRASH_CYCLES; cycle++) {
      await sleep(1_200);
      const victim = (cycle - 1) % instances.length;
      const old = instances[victim]!;
      old.server.child.kill('SIGKILL');
      const exit = await old.server.exited;
      assert.equal(exit.signal, 'SIGKILL');
      // Restart on the same port, as a supervisor would.
      instances[victim] = await startInstance(old.env, old.port);
    }
    await sleep(800);
    loading = false;
    await Promise.all(workers);

    for (const orderId of orders) {
      const order = await getOrder(instances[1]!.base, merchant, orderId);
      const book = acked.get(orderId)!;
      const sum = (m: Map<string, number>) => [...m.values()].reduce((s, v) => s + v, 0);
      assert.deepEqual(new Set(order.captures.map((c) => c.capture_id)), new Set(book.captures.keys()), 'captures differ from the acknowledged ones');
      assert.deepEqual(new Set(order.refunds.map((r) => r.refund_id)), new Set(book.refunds.keys()), 'refunds differ from the acknowledged ones');
      assert.equal(order.captured_amount, sum(book.captures));
      assert.equal(order.refunded_amount, sum(book.refunds));
    }
    await assertLedgerClean(storeConfigOf(db.url), 'crash');
    console.log(
      `[crash] ${CRASH_CYCLES} kill -9/restart cycles, ${figures.operations} operations (${figures.attempts} requests fired): ` +
        `acknowledged ${figures.acknowledged}, refused ${figures.refused}, unanswered and retried ${figures.noAnswer}, 503 and retried ${figures.unavailable}, 5xx other than 503: ${figures.fiveHundreds}, lost 0, applied twice 0`,
    );
    assert.ok(figures.acknowledged > 100, 'the load was too light to mean anything');
  });
});
