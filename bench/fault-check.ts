// What the sandbox fault check costs (CONTRACT §5): every merchant request in sandbox mode reads the
// merchant's active faults once; production mode has no check. Measures GET order throughput on one
// store in three set-ups, in alternating rounds so drift on a shared machine hits all three alike:
//   production       OPENOM_MODE=production: no fault check
//   sandbox          no faults: the check is one indexed read that finds nothing
//   sandbox+faults   3 active GET faults on other paths: the read returns them, none matches
// Then, in process (less exposed to a busy machine): microseconds per fault check beside the GET's
// own order read, best batch of several.
// Usage: node --import tsx bench/fault-check.ts [--no-build] [--only=sqlite|postgres] [--concurrency=1,8] [--duration=10] [--rounds=2]
//        (--rounds=0: the in-process figures only)
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { parseStoreUrl } from '../src/config.js';
import { openStore } from '../src/store/dialect.js';
import { createFault, takeFault } from '../src/store/faults.js';
import { migrate } from '../src/store/migrations.js';
import { readOrderJson } from '../src/store/orderDocuments.js';
import { createOrder as insertOrder, type OrderIntake } from '../src/store/orders.js';
import { basicAuth, createOrder, inParallel, benchMerchantId, standardOrder, type Credentials } from './lib/api.js';
import { ROOT, runLoad, startOpenOM, type LoadResult, type Server } from './lib/proc.js';
import { dropAllPgDatabases, openPgStore, openSqliteStore, pgReachable, type BenchStore, type StoreKind } from './lib/stores.js';

const argv = process.argv.slice(2);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const opts = {
  build: !argv.includes('--no-build'),
  stores: (option('only') ?? 'sqlite,postgres').split(',') as StoreKind[],
  concurrency: (option('concurrency') ?? '1,8').split(',').map(Number),
  duration: Number(option('duration') ?? 10),
  rounds: Number(option('rounds') ?? 2),
};

const CREDENTIALS: Credentials = { adminToken: 'bench-admin-token-0123456789', username: 'bench_merchant', password: 'bench-password-123' };
const ORDERS = 200;
type Setup = 'production' | 'sandbox' | 'sandbox+faults';
const log = (msg: string) => process.stderr.write(`[fault-check] ${msg}\n`);

/** What an interrupted run must not leave behind. */
const live: { server?: Server; stores: Set<BenchStore> } = { stores: new Set() };
async function tracked<T>(store: BenchStore, fn: () => Promise<T>): Promise<T> {
  live.stores.add(store);
  try {
    return await fn();
  } finally {
    live.stores.delete(store);
    await store.drop();
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void (async () => {
      await live.server?.stop();
      for (const store of live.stores) await store.drop().catch(() => undefined);
      await dropAllPgDatabases();
      process.exit(130);
    })();
  });
}

async function send(url: string, method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: basicAuth(CREDENTIALS), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

async function measure(kind: StoreKind, store: BenchStore): Promise<Record<string, number[]>> {
  const env = (mode: 'sandbox' | 'production') => ({
    DATABASE_URL: store.url,
    OPENOM_MODE: mode,
    OPENOM_ADMIN_TOKEN: CREDENTIALS.adminToken,
    OPENOM_SANDBOX_USERNAME: CREDENTIALS.username,
    OPENOM_SANDBOX_PASSWORD: CREDENTIALS.password,
    LOG_LEVEL: 'warn',
  });
  let server = await startOpenOM(env('sandbox'));
  live.server = server;
  const merchantId = await benchMerchantId(server.url, CREDENTIALS);
  const ids: string[] = [];
  await inParallel(ORDERS, 8, async () => void ids.push(await createOrder(server.url, CREDENTIALS, merchantId, standardOrder())));
  await server.stop();

  const rps: Record<string, number[]> = {};
  for (let round = 1; round <= opts.rounds; round++) {
    for (const setup of ['production', 'sandbox', 'sandbox+faults'] as Setup[]) {
      server = await startOpenOM(env(setup === 'production' ? 'production' : 'sandbox'));
      live.server = server;
      try {
        const faultIds: string[] = [];
        if (setup === 'sandbox+faults') {
          for (const path of ['/ordermanagement/v1/orders/*/captures', '/ordermanagement/v1/orders/*/refunds/*', '/checkout/v3/orders/*']) {
            const res = await send(server.url, 'POST', '/sandbox/v1/faults', { method: 'GET', path, status: 503, times: 1000 });
            faultIds.push(((await res.json()) as { fault_id: string }).fault_id);
          }
        }
        const load = { url: server.url, auth: basicAuth(CREDENTIALS), ids: { get: ids }, kind: 'get' as const };
        await runLoad({ ...load, connections: 8, duration: 2 }); // warm-up
        for (const c of opts.concurrency) {
          const r: LoadResult = await runLoad({ ...load, connections: c, duration: opts.duration });
          if (r.non2xx + r.errors + r.timeouts > 0) throw new Error(`${kind} ${setup} c=${c}: ${JSON.stringify(r.status)}, ${r.errors} errors`);
          const key = `${kind} | ${setup} | ${c}`;
          (rps[key] ??= []).push(r.rps);
          log(`round ${round} ${key}: ${r.rps.toFixed(0)} req/s, p50 ${r.latency_ms.p50?.toFixed(2)} ms, p99 ${r.latency_ms.p99?.toFixed(2)} ms`);
        }
        for (const id of faultIds) await send(server.url, 'DELETE', `/sandbox/v1/faults/${id}`);
      } finally {
        await server.stop();
      }
    }
  }
  return rps;
}

const BATCH = 2_000;
const BATCHES = 7;

/** Best mean microseconds per call over BATCHES batches of BATCH sequential calls. */
async function microseconds(fn: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let b = 0; b < BATCHES; b++) {
    const start = performance.now();
    for (let i = 0; i < BATCH; i++) await fn();
    best = Math.min(best, ((performance.now() - start) * 1000) / BATCH);
  }
  return best;
}

async function inProcess(kind: StoreKind, scratch: BenchStore): Promise<Record<string, number>> {
  const store = openStore(parseStoreUrl(scratch.url));
  try {
    await migrate(store);
    const merchantId = randomUUID();
    await store.db.insertInto('merchants').values({ merchant_id: merchantId, name: 'bench', username: `bench_${merchantId}`, password_hash: 'x', created_at: new Date().toISOString(), clock_offset_seconds: 0 }).execute();
    const { orderId } = await insertOrder(store, merchantId, standardOrder() as unknown as OrderIntake, 'bench');
    const path = `/ordermanagement/v1/orders/${orderId}`;
    const order = await microseconds(() => readOrderJson(store, merchantId, orderId));
    const none = await microseconds(() => takeFault(store, merchantId, 'GET', path));
    for (const p of ['/ordermanagement/v1/orders/*/captures', '/ordermanagement/v1/orders/*/refunds/*', '/checkout/v3/orders/*']) {
      const created = await createFault(store, merchantId, { method: 'GET', path: p, status: 503, error_code: 'SERVICE_UNAVAILABLE', delay_ms: 0, times: 1000 });
      if (!created.ok) throw new Error(created.message);
    }
    const three = await microseconds(() => takeFault(store, merchantId, 'GET', path));
    log(`${kind} in process: GET order read ${order.toFixed(1)} µs, fault check ${none.toFixed(1)} µs (no faults) / ${three.toFixed(1)} µs (3 non-matching)`);
    return { [`${kind} | GET order read`]: order, [`${kind} | fault check, no faults`]: none, [`${kind} | fault check, 3 non-matching faults`]: three };
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  if (opts.build && spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] }).status !== 0) throw new Error('npm run build failed');
  const loadStart = loadavg()[0]!;
  const results: Record<string, number[]> = {};
  const micro: Record<string, number> = {};
  for (const kind of opts.stores) {
    if (kind === 'postgres' && !(await pgReachable())) {
      log('PostgreSQL not reachable: skipped');
      continue;
    }
    const fresh = async (suffix: string) => (kind === 'postgres' ? openPgStore(`openom_bench_faults_${process.pid}_${suffix}`) : openSqliteStore());
    if (opts.rounds > 0) {
      const store = await fresh('http');
      Object.assign(results, await tracked(store, () => measure(kind, store)));
    }
    const scratch = await fresh('micro');
    Object.assign(micro, await tracked(scratch, () => inProcess(kind, scratch)));
  }
  console.log(`load average (1 min) at start ${loadStart.toFixed(1)}, at end ${loadavg()[0]!.toFixed(1)}, on ${cpus().length} cores shared with everything else\n`);
  console.log('| store | set-up | connections | GET order req/s (best of rounds) | vs production |');
  console.log('|---|---|---|---|---|');
  for (const [key, values] of Object.entries(results)) {
    const [kind, setup, c] = key.split(' | ');
    const best = Math.max(...values);
    const baseline = Math.max(...(results[`${kind} | production | ${c}`] ?? [best]));
    console.log(`| ${kind} | ${setup} | ${c} | ${best.toFixed(0)} | ${((best / baseline - 1) * 100).toFixed(1)} % |`);
  }
  console.log('\n| store | in process, one call | µs (best batch) |\n|---|---|---|');
  for (const [key, us] of Object.entries(micro)) console.log(`| ${key} | ${us.toFixed(1)} |`);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => dropAllPgDatabases());
