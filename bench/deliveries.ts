// Delivery benchmark (not run in CI): one OpenOM instance (dist/openom.mjs, its worker at the default
// concurrency) delivering webhooks to a local receiver that answers 200 at once, per store:
//   1. RSS with 100,000 pending deliveries (due in 30 days) in the store, idle;
//   2. deliveries/s: 20,000 more made due at once, drained while the 100,000 wait (peak RSS too);
//   3. clock advance → delivery delay, p50/p99: a retry (one job) and an expiry (the expiry job,
//      then the webhook it fans out), each made due by POST /sandbox/v1/clock/advance;
//   4. how long POST /sandbox/v1/clock/advance takes for a merchant with the 100,000 pending jobs
//      (an advance moves every pending job of the merchant: one row update each).
// The 100,000 belong to a second merchant, so steps 2 and 3 measure the worker, not step 4.
// Backlogs are cloned in SQL from one real delivery (same body, a new event id each), as
// bench/lib/stores.ts clones orders.
//
// Usage: node --import tsx bench/deliveries.ts [--no-build] [--only=postgres|sqlite] [--pending=100000] [--drain=20000] [--samples=50]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { parseStoreUrl } from '../src/config.js';
import { openStore, type Store } from '../src/store/dialect.js';
import { orderBody } from '../test/support/harness.js';
import { startReceiver, type Receiver } from '../test/support/receiver.js';
import { ROOT, rssMb, RssSampler, sleep, startOpenOM, type Server } from './lib/proc.js';
import { createPgDatabase, dropPgDatabase, pgReachable } from './lib/stores.js';

const ADMIN = 'bench-admin-token-0123456789';
const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const PENDING = option('pending', 100_000);
const DRAIN = option('drain', 20_000);
const SAMPLES = option('samples', 50);
const only = argv.find((a) => a.startsWith('--only='))?.split('=')[1];

interface Figures {
  store: string;
  rss_idle_mb: number;
  rss_with_pending_mb: number;
  deliveries_per_s: number;
  rss_peak_draining_mb: number;
  retry_ms: { p50: number; p99: number };
  expiry_ms: { p50: number; p99: number };
  advance_with_pending: string;
}

async function api(server: Server, method: string, path: string, auth: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function expect(server: Server, method: string, path: string, auth: string, status: number, body?: unknown): Promise<Record<string, unknown>> {
  const r = await api(server, method, path, auth, body);
  if (r.status !== status) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
};

/** Clones delivery `templateId` n times for merchantId, due at runAt, each with its own event id and no sequence. */
async function cloneDeliveries(store: Store, templateId: number, merchantId: string, n: number, runAt: number, tag: string): Promise<void> {
  const template = await store.db.selectFrom('jobs').select('payload').where('id', '=', templateId).executeTakeFirstOrThrow();
  const eventId = (JSON.parse(template.payload) as { id: string }).id;
  for (let done = 0; done < n; done += 50_000) {
    const batch = Math.min(50_000, n - done);
    await sql`
      with recursive s(i) as (select 1 union all select i + 1 from s where i < ${batch})
      insert into jobs (kind, merchant_id, order_id, webhook_id, sequence_key, payload, state, run_at, attempts, created_at, updated_at)
      select kind, ${merchantId}, order_id, webhook_id, null, replace(payload, ${eventId}, ${`kevt_${tag}_${done}_`} || cast(i as text)), 'pending', ${runAt}, 0, created_at, updated_at
      from jobs t, s where t.id = ${templateId}`.execute(store.db);
  }
}

async function measure(kind: 'postgres' | 'sqlite'): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'openom-bench-deliveries-'));
  const pgName = `openom_bench_deliveries_${process.pid}`;
  const url = kind === 'postgres' ? await createPgDatabase(pgName) : `sqlite:${join(dir, 'openom.sqlite')}`;
  const env = { DATABASE_URL: url, OPENOM_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn' };
  let receiver: Receiver | undefined;
  let server: Server | undefined;
  let store: Store | undefined;
  try {
    receiver = await startReceiver();
    server = await startOpenOM(env);
    const admin = `Bearer ${ADMIN}`;
    const merchant = await expect(server, 'POST', '/admin/v1/merchants', admin, 201, { name: 'Bench Deliveries AB' });
    const basic = `Basic ${Buffer.from(`${String(merchant.username)}:${String(merchant.password)}`).toString('base64')}`;
    await expect(server, 'POST', '/sandbox/v1/webhooks', basic, 201, { url: receiver.url, events: ['order.created', 'openom.order.expired'] });
    const orders = `/admin/v1/merchants/${String(merchant.merchant_id)}/orders`;
    const backlog = await expect(server, 'POST', '/admin/v1/merchants', admin, 201, { name: 'Bench Backlog AB' });
    const backlogAuth = `Basic ${Buffer.from(`${String(backlog.username)}:${String(backlog.password)}`).toString('base64')}`;
    await expect(server, 'POST', orders, admin, 201, orderBody());
    await receiver.waitFor((r) => r.length === 1, 10_000);
    store = openStore(parseStoreUrl(url), { pgPoolSize: 2 });
    const template = Number((await store.db.selectFrom('jobs').select('id').where('kind', '=', 'webhook').executeTakeFirstOrThrow()).id);
    const rssIdle = rssMb(server.proc.pid) ?? 0;

    // 1. RSS with PENDING deliveries due in 30 days (beyond the clock advances of step 3).
    await cloneDeliveries(store, template, String(backlog.merchant_id), PENDING, Date.now() + 30 * 86_400_000, 'later');
    await sleep(3_000); // several polls over the backlog
    const rssWithPending = rssMb(server.proc.pid) ?? 0;

    // 2. DRAIN deliveries due now, through the one instance.
    const sampler = new RssSampler(server.proc.pid);
    const before = receiver.received.length;
    const started = performance.now();
    await cloneDeliveries(store, template, String(merchant.merchant_id), DRAIN, Date.now(), 'now');
    await receiver.waitFor((r) => r.length >= before + DRAIN, 600_000);
    const perSecond = Math.round(DRAIN / ((performance.now() - started) / 1000));
    const rssPeak = sampler.peak();
    sampler.stop();

    // 3. Clock advance → delivery.
    const retryMs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const n = receiver.received.length;
      // The new order's first attempt fails; its retry is due a minute later on the merchant's clock.
      receiver.answer = () => (receiver!.received.length === n + 1 ? 500 : 200);
      await expect(server, 'POST', orders, admin, 201, orderBody());
      await receiver.waitFor((r) => r.length === n + 1);
      await sleep(50); // the failed attempt is recorded
      const t0 = performance.now();
      await expect(server, 'POST', '/sandbox/v1/clock/advance', basic, 200, { seconds: 60 });
      await receiver.waitFor((r) => r.length === n + 2);
      retryMs.push(performance.now() - t0);
    }
    receiver.answer = () => 200;
    const expiryMs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const clock = await expect(server, 'GET', '/sandbox/v1/clock', basic, 200);
      const expiresAt = new Date(Date.parse(String(clock.now)) + 3_600_000).toISOString();
      const n = receiver.received.length;
      await expect(server, 'POST', orders, admin, 201, orderBody({ expires_at: expiresAt }));
      await receiver.waitFor((r) => r.length === n + 1); // its order.created
      const t0 = performance.now();
      await expect(server, 'POST', '/sandbox/v1/clock/advance', basic, 200, { seconds: 3_601 });
      await receiver.waitFor((r) => r.length === n + 2);
      expiryMs.push(performance.now() - t0);
    }
    // 4. An advance that moves PENDING jobs.
    const t0 = performance.now();
    const advanced = await api(server, 'POST', '/sandbox/v1/clock/advance', backlogAuth, { seconds: 1 });
    const advanceMs = Math.round(performance.now() - t0);
    return {
      store: kind,
      rss_idle_mb: Math.round(rssIdle),
      rss_with_pending_mb: Math.round(rssWithPending),
      deliveries_per_s: perSecond,
      rss_peak_draining_mb: Math.round(rssPeak),
      retry_ms: { p50: percentile(retryMs, 50), p99: percentile(retryMs, 99) },
      expiry_ms: { p50: percentile(expiryMs, 50), p99: percentile(expiryMs, 99) },
      advance_with_pending: advanced.status === 200 ? `${advanceMs} ms` : `${advanced.status} after ${advanceMs} ms`,
    };
  } finally {
    await store?.close();
    await server?.stop();
    await receiver?.close();
    if (kind === 'postgres') await dropPgDatabase(pgName).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!argv.includes('--no-build')) {
    const b = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  const kinds = (['sqlite', 'postgres'] as const).filter((k) => !only || only === k);
  const results: Figures[] = [];
  for (const kind of kinds) {
    if (kind === 'postgres' && !(await pgReachable())) {
      console.log('PostgreSQL unreachable: skipped');
      continue;
    }
    console.log(`[${kind}] ${PENDING} pending, draining ${DRAIN}, ${SAMPLES} samples per delay…`);
    results.push(await measure(kind));
  }
  console.log(`\n| store | RSS idle | RSS with ${PENDING} pending | deliveries/s | RSS peak draining | advance→retry p50 / p99 | advance→expiry webhook p50 / p99 | advance moving ${PENDING} jobs |`);
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.store} | ${r.rss_idle_mb} MB | ${r.rss_with_pending_mb} MB | ${r.deliveries_per_s} | ${r.rss_peak_draining_mb} MB | ${r.retry_ms.p50} / ${r.retry_ms.p99} ms | ${r.expiry_ms.p50} / ${r.expiry_ms.p99} ms | ${r.advance_with_pending} |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
