// Graceful shutdown (issue 5, item 6): SIGTERM under load. A request already in flight (its body
// still arriving) completes with 201; new connections are refused; every capture the database
// holds was answered to its client; the process exits 0 within 10 s and leaves no connection or
// transaction open in PostgreSQL.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createTempPostgresDatabase, PG_BASE_URL, postgresOrSkip } from '../support/harness.js';
import {
  assertLedgerClean,
  basicAuth,
  createMerchant,
  createOrder,
  instanceEnv,
  klarnaError,
  orderPath,
  pgActivity,
  randomInt,
  send,
  startInstance,
  stopAll,
  storeConfigOf,
  type Instance,
  type Merchant,
  type Reply,
} from './cluster.js';
import { openStore } from '../../src/store/dialect.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a capture whose body arrives in two parts; call finish() to send the rest. */
function slowCapture(inst: Instance, merchant: Merchant, orderId: string, amount: number) {
  const body = JSON.stringify({ captured_amount: amount, description: 'in flight during SIGTERM' });
  const half = Math.floor(body.length / 2);
  let resolveReply: (r: { status: number; headers: Record<string, unknown> }) => void;
  let rejectReply: (e: Error) => void;
  const reply = new Promise<{ status: number; headers: Record<string, unknown> }>((res, rej) => {
    resolveReply = res;
    rejectReply = rej;
  });
  const req = request(
    {
      host: '127.0.0.1',
      port: inst.port,
      method: 'POST',
      path: orderPath(orderId, '/captures'),
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), authorization: basicAuth(merchant.username, merchant.password) },
    },
    (res) => {
      res.resume();
      res.on('end', () => resolveReply({ status: res.statusCode ?? 0, headers: res.headers }));
    },
  );
  req.on('error', (e) => rejectReply(e));
  req.write(body.slice(0, half));
  return { reply, finish: () => req.end(body.slice(half)) };
}

describe('graceful shutdown: SIGTERM under load, on PostgreSQL', { concurrency: false }, async () => {
  if (!(await postgresOrSkip())) return;
  let db: { url: string; drop: () => Promise<void> };
  let inst: Instance | undefined;
  before(async () => {
    db = await createTempPostgresDatabase();
    inst = await startInstance(instanceEnv(db.url));
  });
  after(async () => {
    if (inst) await stopAll([inst]);
    await db?.drop();
  });

  it('in-flight requests complete, new connections are refused, exit code 0 within 10 s, nothing left open', async () => {
    const merchant = await createMerchant(inst!.base);
    const orderId = await createOrder(inst!.base, merchant, 100_000_000);
    assert.equal((await send(inst!.base, { path: orderPath(orderId), auth: merchant })).status, 200); // warm the credential cache
    const slow = slowCapture(inst!, merchant, orderId, 777);
    await sleep(200);

    let loading = true;
    const replies: { amount: number; r: Reply }[] = [];
    const workers = Array.from({ length: 16 }, async () => {
      while (loading) {
        const amount = randomInt(1, 1_000);
        const r = await send(inst!.base, { path: orderPath(orderId, '/captures'), auth: merchant, body: { captured_amount: amount }, timeoutMs: 15_000 });
        replies.push({ amount, r });
        if (r.status === 0) await sleep(20);
      }
    });
    await sleep(500);

    const sigtermAt = performance.now();
    inst!.server.child.kill('SIGTERM');
    await sleep(300);
    slow.finish(); // the rest of the in-flight request's body arrives after SIGTERM
    const slowReply = await slow.reply;
    const exit = await inst!.server.exited;
    const exitMs = performance.now() - sigtermAt;
    const refusedNew = await send(inst!.base, { path: '/health/live', timeoutMs: 5_000 });
    loading = false;
    await Promise.all(workers);

    assert.equal(slowReply.status, 201, 'the request in flight at SIGTERM did not complete');
    assert.deepEqual(exit, { code: 0, signal: null }, `exit ${JSON.stringify(exit)}; stderr: ${inst!.server.stderr()}`);
    assert.ok(exitMs < 10_000, `exit took ${Math.round(exitMs)} ms`);
    assert.equal(refusedNew.status, 0);
    assert.equal(refusedNew.error, 'ECONNREFUSED', 'a new connection after shutdown was not refused');

    const tally = { acknowledged: 0, refused: 0, closing503: 0, noAnswer: 0 };
    let ackSum = 777;
    for (const { amount, r } of replies) {
      if (r.status === 201) {
        tally.acknowledged++;
        ackSum += amount;
      } else if (r.status === 503) {
        tally.closing503++;
        assert.ok(['SERVICE_UNAVAILABLE'].includes(klarnaError(r).error_code) || r.text === '', r.text);
      } else if (r.status === 0) tally.noAnswer++;
      else assert.fail(`unexpected ${r.status}: ${r.text}`);
    }
    // Every capture that made it into the database was answered 201 to its client: no request was
    // cut off after its transaction committed.
    const store = openStore(storeConfigOf(db.url), { pgPoolSize: 1 });
    try {
      const row = await store.db.selectFrom('orders').select(['captured_amount']).where('order_id', '=', orderId).executeTakeFirstOrThrow();
      assert.equal(row.captured_amount, ackSum, 'a capture was stored but its client got no 201');
    } finally {
      await store.close();
    }
    const dbName = new URL(db.url).pathname.slice(1);
    const activity = await pgActivity(PG_BASE_URL, dbName);
    assert.deepEqual(activity, { connections: 0, inTransaction: 0 }, 'OpenOM left connections or transactions open');
    await assertLedgerClean(storeConfigOf(db.url), 'shutdown');
    console.log(
      `[shutdown] SIGTERM under load: exit 0 after ${Math.round(exitMs)} ms; in-flight request 201; ${replies.length} requests fired: acknowledged ${tally.acknowledged} (all stored), ` +
        `503 while closing ${tally.closing503}, refused connections ${tally.noAnswer}, lost 0; open connections/transactions afterwards ${activity.connections}/${activity.inTransaction}`,
    );
    inst = undefined;
  });
});
