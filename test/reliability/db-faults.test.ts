// Database faults (issue 5, item 5), on PostgreSQL: the server kills OpenOM's connections
// (pg_terminate_backend) in the middle of a load, and the network to the database is cut and
// restored through a TCP proxy the test controls. Clients get 503 SERVICE_UNAVAILABLE with
// Retry-After and the Klarna error body, never a 500 or a hang; /health/ready goes 503 and back;
// OpenOM recovers by itself within 5 s of the database coming back; nothing acknowledged is lost.
// And the connection is cut exactly at COMMIT (issue 9, item 3): a 503 only when nothing was
// applied, the stored response when the commit happened.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTempPostgresDatabase, PG_BASE_URL, postgresOrSkip } from '../support/harness.js';
import {
  assertLedgerClean,
  assertUnavailable,
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
} from './cluster.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How the proxy treats a COMMIT it was told to cut at. */
type CommitCut = 'deliver-commit-lose-answer' | 'lose-commit';

/**
 * A TCP proxy to PostgreSQL that can drop every connection and refuse new ones, then recover; and
 * that can cut a connection exactly at a COMMIT: either after forwarding it (the server commits,
 * its answer never arrives) or instead of forwarding it (the server never sees it).
 */
class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private commitCuts: { how: CommitCut; left: number } | undefined;
  up = true;
  port = 0;
  /** COMMITs cut so far. */
  commitsCut = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (!this.up) {
        client.destroy();
        return;
      }
      const upstream = connect(this.target.port, this.target.host);
      const cutBoth = () => {
        client.destroy();
        upstream.destroy();
      };
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.sockets.delete(s);
          cutBoth();
        });
      }
      let muted = false;
      upstream.on('data', (chunk: Buffer) => {
        if (!muted) client.write(chunk);
      });
      // Frontend messages: the startup message (length first), then a type byte and a length each.
      let startup = true;
      let pending: Buffer = Buffer.alloc(0);
      client.on('data', (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        let offset = 0;
        for (;;) {
          const header = startup ? 0 : 1;
          if (pending.length - offset < header + 4) break;
          const end = offset + header + pending.readInt32BE(offset + header);
          if (pending.length < end) break;
          const isCommit = !startup && pending[offset] === 0x51 /* Q */ && /^commit\b/i.test(pending.toString('utf8', offset + 5, end - 1));
          startup = false;
          if (isCommit && this.commitCuts) {
            const { how } = this.commitCuts;
            if (--this.commitCuts.left === 0) this.commitCuts = undefined;
            this.commitsCut++;
            if (how === 'deliver-commit-lose-answer') {
              upstream.write(pending.subarray(0, end));
              muted = true;
              setTimeout(cutBoth, 300);
            } else {
              upstream.write(pending.subarray(0, offset));
              cutBoth();
            }
            pending = Buffer.alloc(0);
            return;
          }
          offset = end;
        }
        if (offset > 0) {
          upstream.write(pending.subarray(0, offset));
          pending = pending.subarray(offset);
        }
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as { port: number }).port;
  }

  /** The next `times` COMMITs are cut as `how` says (0: none). */
  cutAtCommits(how: CommitCut, times = 1): void {
    this.commitCuts = times > 0 ? { how, left: times } : undefined;
  }

  cut(): void {
    this.up = false;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.up = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

interface Load {
  stop(): Promise<void>;
  figures: { operations: number; requests: number; acknowledged: number; refused: number; unavailable: number; maxMs: number };
  ackedSum: () => number;
  ackedIds: Set<string>;
}

/** Captures with idempotency keys from 16 workers; a 503 is checked and retried with the same key. */
function captureLoad(inst: Instance, merchant: Merchant, orderId: string): Load {
  const figures = { operations: 0, requests: 0, acknowledged: 0, refused: 0, unavailable: 0, maxMs: 0 };
  const ackedIds = new Set<string>();
  let sum = 0;
  let running = true;
  const workers = Array.from({ length: 16 }, async () => {
    while (running) {
      figures.operations++;
      const key = randomUUID();
      const amount = randomInt(1, 100);
      for (;;) {
        figures.requests++;
        const r = await send(inst.base, { path: orderPath(orderId, '/captures'), auth: merchant, body: { captured_amount: amount }, headers: { 'klarna-idempotency-key': key }, timeoutMs: 15_000 });
        figures.maxMs = Math.max(figures.maxMs, r.ms);
        assert.notEqual(r.status, 0, `no answer (hang or reset): ${r.error}`);
        if (r.status === 201) {
          figures.acknowledged++;
          const id = r.headers.get('capture-id')!;
          if (!ackedIds.has(id)) sum += amount;
          ackedIds.add(id);
          break;
        }
        if (r.status === 403) {
          figures.refused++;
          assert.equal(klarnaError(r).error_code, 'CAPTURE_NOT_ALLOWED');
          break;
        }
        assertUnavailable(r); // anything else (a 500 above all) fails the test here
        figures.unavailable++;
        await sleep(50);
      }
    }
  });
  return {
    figures,
    ackedIds,
    ackedSum: () => sum,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

describe('database faults: killed connections and a cut network, on PostgreSQL', { concurrency: false }, async () => {
  if (!(await postgresOrSkip())) return;
  let db: { url: string; drop: () => Promise<void> };
  let dbName = '';
  let proxy: CuttableProxy;
  let inst: Instance;
  let merchant: Merchant;
  before(async () => {
    db = await createTempPostgresDatabase();
    const url = new URL(db.url);
    dbName = url.pathname.slice(1);
    proxy = new CuttableProxy({ host: url.hostname, port: Number(url.port || 5432) });
    await proxy.start();
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    // No worker: its lease transactions commit through the proxy too, and a cut meant for a
    // capture's COMMIT could land on one of them instead.
    inst = await startInstance(instanceEnv(url.toString(), { OPENOM_WORKER_CONCURRENCY: '0' }));
    merchant = await createMerchant(inst.base);
  });
  after(async () => {
    if (inst) await stopAll([inst]);
    await proxy?.close();
    await db?.drop();
  });

  it('pg_terminate_backend of every OpenOM connection, 8 times mid-load: only 201, 403 or 503 with Retry-After; nothing acknowledged is lost', async () => {
    const orderId = await createOrder(inst.base, merchant, 10_000_000);
    const load = captureLoad(inst, merchant, orderId);
    const admin = new pg.Client({ connectionString: PG_BASE_URL });
    await admin.connect();
    let killed = 0;
    try {
      for (let i = 0; i < 8; i++) {
        await sleep(250);
        const r = await admin.query('select pg_terminate_backend(pid) as t from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [dbName]);
        killed += r.rowCount ?? 0;
      }
    } finally {
      await admin.end();
    }
    await sleep(300);
    await load.stop();
    const order = await getOrder(inst.base, merchant, orderId);
    assert.equal(order.captured_amount, load.ackedSum(), 'captured_amount differs from the acknowledged captures');
    assert.deepEqual(new Set(order.captures.map((c) => c.capture_id)), load.ackedIds);
    const f = load.figures;
    console.log(
      `[db faults] pg_terminate_backend ×8 (${killed} connections killed): ${f.requests} requests fired, acknowledged ${f.acknowledged}, ` +
        `refused ${f.refused}, 503 with Retry-After ${f.unavailable} (retried), 500 0, hangs 0, lost 0; slowest answer ${Math.round(f.maxMs)} ms`,
    );
    assert.ok(killed > 0, 'no connection was killed: the test proved nothing');
  });

  it('the network to PostgreSQL cut for 3 s mid-load: 503s with Retry-After, /health/ready 503 and back, recovery within 5 s without a restart', async () => {
    const orderId = await createOrder(inst.base, merchant, 10_000_000);
    const load = captureLoad(inst, merchant, orderId);
    await sleep(500);
    const pidBefore = inst.server.child.pid;
    proxy.cut();
    const cutAt = performance.now();
    // Readiness goes 503 promptly, with the Klarna error body.
    let ready = await send(inst.base, { path: '/health/ready', timeoutMs: 10_000 });
    while (ready.status !== 503 && performance.now() - cutAt < 6_000) {
      await sleep(50);
      ready = await send(inst.base, { path: '/health/ready', timeoutMs: 10_000 });
    }
    assertUnavailable(ready);
    // A request during the outage: a quick 503, not a hang.
    const during = await send(inst.base, { path: orderPath(orderId), auth: merchant, timeoutMs: 10_000 });
    assertUnavailable(during);
    const during2 = await send(inst.base, { path: orderPath(orderId, '/captures'), auth: merchant, body: { captured_amount: 1 }, timeoutMs: 10_000 });
    assertUnavailable(during2);
    const outageAnswerMs = Math.max(during.ms, during2.ms);
    await sleep(Math.max(0, 3_000 - (performance.now() - cutAt)));

    proxy.restore();
    const restoredAt = performance.now();
    let readyAgain = false;
    while (performance.now() - restoredAt < 10_000) {
      const r = await send(inst.base, { path: '/health/ready', timeoutMs: 5_000 });
      if (r.status === 200) {
        readyAgain = true;
        break;
      }
      await sleep(25);
    }
    const readyMs = performance.now() - restoredAt;
    const probe = await send(inst.base, { path: orderPath(orderId, '/captures'), auth: merchant, body: { captured_amount: 1 } });
    const recoveredMs = performance.now() - restoredAt;
    assert.ok(readyAgain, '/health/ready did not come back');
    assert.equal(probe.status, 201, probe.text);
    assert.ok(recoveredMs <= 5_000, `recovery took ${Math.round(recoveredMs)} ms`);
    assert.equal(inst.server.child.pid, pidBefore);
    assert.equal(inst.server.child.exitCode, null, 'the process restarted or died');

    await sleep(300);
    await load.stop();
    const order = await getOrder(inst.base, merchant, orderId);
    assert.equal(order.captured_amount, load.ackedSum() + 1, 'captured_amount differs from the acknowledged captures');
    const f = load.figures;
    console.log(
      `[db faults] network cut 3 s: ${f.requests} requests fired, acknowledged ${f.acknowledged + 1}, 503 with Retry-After ${f.unavailable} (retried), 500 0, hangs 0, lost 0; ` +
        `answers during the outage within ${Math.round(outageAnswerMs)} ms; /health/ready 200 again ${Math.round(readyMs)} ms and a capture succeeded ${Math.round(recoveredMs)} ms after the network returned`,
    );
    assert.ok(f.unavailable > 0, 'no client saw the outage: the test proved nothing');
  });

  it('a connection lost right after COMMIT reached the server: the capture is answered 201 (it was made), once, and its key replays it', async () => {
    for (const withKey of [false, true]) {
      const orderId = await createOrder(inst.base, merchant, 10_000);
      const headers: Record<string, string> = withKey ? { 'klarna-idempotency-key': randomUUID() } : {};
      const cutsBefore = proxy.commitsCut;
      proxy.cutAtCommits('deliver-commit-lose-answer');
      const r = await send(inst.base, { path: orderPath(orderId, '/captures'), auth: merchant, body: { captured_amount: 1_234 }, headers, timeoutMs: 30_000 });
      assert.equal(proxy.commitsCut, cutsBefore + 1, 'the COMMIT was not cut: the test proved nothing');
      assert.equal(r.status, 201, `${r.status} ${r.text}`);
      const order = await getOrder(inst.base, merchant, orderId);
      assert.equal(order.captured_amount, 1_234);
      assert.deepEqual(order.captures.map((c) => c.capture_id), [r.headers.get('capture-id')], 'the capture must exist exactly once, under the id answered');
      if (withKey) {
        const again = await send(inst.base, { path: orderPath(orderId, '/captures'), auth: merchant, body: { captured_amount: 1 }, headers });
        assert.equal(again.status, 201);
        assert.equal(again.headers.get('capture-id'), r.headers.get('capture-id'));
      }
      console.log(`[db faults] COMMIT delivered, answer lost (${withKey ? 'with' : 'without'} idempotency key): answered ${r.status} in ${Math.round(r.ms)} ms, 1 capture stored`);
    }
  });

  it('a connection lost before COMMIT reached the server: 503 with Retry-After, and nothing was applied', async () => {
    const orderId = await createOrder(inst.base, merchant, 10_000);
    const cutsBefore = proxy.commitsCut;
    proxy.cutAtCommits('lose-commit');
    const r = await send(inst.base, { path: orderPath(orderId, '/captures'), auth: merchant, body: { captured_amount: 500 }, timeoutMs: 30_000 });
    assert.equal(proxy.commitsCut, cutsBefore + 1, 'the COMMIT was not cut: the test proved nothing');
    assertUnavailable(r);
    const order = await getOrder(inst.base, merchant, orderId);
    assert.equal(order.captured_amount, 0, 'a 503 was answered for a capture that was made');
    assert.deepEqual(order.captures, []);
    console.log(`[db faults] COMMIT lost before the server: answered 503 in ${Math.round(r.ms)} ms, nothing stored`);
  });

  it('a batch of concurrent captures on several orders whose shared COMMIT answer is lost: every one answered 201 and stored once', async () => {
    const orders = await Promise.all(Array.from({ length: 6 }, () => createOrder(inst.base, merchant, 10_000)));
    const cutsBefore = proxy.commitsCut;
    proxy.cutAtCommits('deliver-commit-lose-answer');
    const replies = await Promise.all(orders.map((id, i) => send(inst.base, { path: orderPath(id, '/captures'), auth: merchant, body: { captured_amount: 100 + i }, timeoutMs: 30_000 })));
    assert.equal(proxy.commitsCut, cutsBefore + 1);
    for (const [i, r] of replies.entries()) {
      assert.equal(r.status, 201, `${r.status} ${r.text}`);
      const order = await getOrder(inst.base, merchant, orders[i]!);
      assert.deepEqual(order.captures.map((c) => c.capture_id), [r.headers.get('capture-id')]);
      assert.equal(order.captured_amount, 100 + i);
    }
    console.log(`[db faults] ${orders.length} concurrent captures, one COMMIT answer lost: ${replies.length} × 201, each stored once`);
  });

  it('the ledger check passes afterwards', async () => {
    await assertLedgerClean(storeConfigOf(db.url), 'db faults');
  });
});
