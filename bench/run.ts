// OpenOM benchmark suite (issues 6 and 9): anchors (hello world, pgbench, the Prism mock), workloads on
// PostgreSQL and SQLite, scaling, process.
// Usage: npm run bench [-- --quick] [--no-build] [--only=postgres|sqlite] [--workloads=get,capture,refund,mix]
//        [--concurrency=1,8,32] [--duration=SECONDS] [--skip-anchors] [--skip-scaling] [--cpu-prof=DIR]
// Prints one table and writes bench/results/<timestamp>.json. Exits 1 when any workload that should
// succeed saw a non-2xx response or a socket error (targets missed are reported, not failures).
import { execSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicAuth, captureOrder, createOrder, getOrderStatus, inParallel, line, orderWithLines, sandboxMerchantId, standardOrder, type Credentials } from './lib/api.js';
import { ensurePrism, PRISM_VERSION, startPrism } from './lib/prism.js';
import { ROOT, RssSampler, rssMb, runLoad, sleep, startHello, startOpenOM, type LoadResult, type LoadSpec, type Server } from './lib/proc.js';
import {
  createPgDatabase,
  dropAllPgDatabases,
  dropPgDatabase,
  findPgbench,
  openPgStore,
  openSqliteStore,
  pgbenchInit,
  pgbenchRun,
  pgReachable,
  pgSettings,
  type BenchStore,
  type PgbenchResult,
  type StoreKind,
} from './lib/stores.js';

// ---------------------------------------------------------------- options

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const unknown = argv.filter((a) => !/^--(quick|no-build|skip-anchors|skip-scaling|only=.+|workloads=.+|concurrency=.+|duration=.+|cpu-prof=.+)$/.test(a));
if (unknown.length > 0) {
  console.error(`bench: unknown option(s) ${unknown.join(' ')}\n${'see the header of bench/run.ts or bench/README.md'}`);
  process.exit(2);
}

const QUICK = flag('quick');
const opts = {
  quick: QUICK,
  build: !flag('no-build'),
  stores: (option('only') ?? 'postgres,sqlite').split(',') as StoreKind[],
  workloads: (option('workloads') ?? 'get,capture,refund,mix').split(',') as Workload[],
  concurrency: (option('concurrency') ?? (QUICK ? '8' : '1,8,32')).split(',').map(Number),
  duration: Number(option('duration') ?? (QUICK ? 2 : 10)),
  anchors: !flag('skip-anchors'),
  scaling: !flag('skip-scaling'),
  cpuProf: option('cpu-prof'),
  pgbench: QUICK ? { scale: 1, headlineSeconds: 3, otherSeconds: 2 } : { scale: 10, headlineSeconds: 30, otherSeconds: 10 },
  getPool: QUICK ? 200 : 1000,
  refundPool: QUICK ? 50 : 200,
  scalingGetSeconds: QUICK ? 1 : 5,
  scalingCaptures: QUICK ? 1000 : 5000,
  storeSizes: QUICK ? [10_000] : [10_000, 1_000_000],
  // Order shapes for GET scaling: [small, mid, big] lines and captures (quick mode: a tenth).
  lineCounts: (QUICK ? [1, 10, 100] : [1, 100, 1000]) as [number, number, number],
  captureCounts: (QUICK ? [0, 5, 50] : [0, 50, 500]) as [number, number, number],
  restarts: QUICK ? 1 : 3,
};

type Workload = 'get' | 'capture' | 'refund' | 'mix';
const CAPTURE_SHARE: Record<Workload, number> = { get: 0, capture: 1, refund: 0, mix: 0.2 };

// Fresh processes per setting when measuring what /metrics costs (alternated on/off).
const METRICS_ROUNDS = QUICK ? 1 : 2;

const CREDENTIALS: Credentials = { adminToken: 'bench-admin-token-0123456789', username: 'bench_merchant', password: 'bench-password-123' };
// Production mode: the ledger figures are for what operators run (real clock, no sandbox helpers,
// so no per-request check for sandbox faults).
const openomEnv = (url: string): Record<string, string> => ({
  DATABASE_URL: url,
  OPENOM_MODE: 'production',
  OPENOM_ADMIN_TOKEN: CREDENTIALS.adminToken,
  OPENOM_SANDBOX_USERNAME: CREDENTIALS.username,
  OPENOM_SANDBOX_PASSWORD: CREDENTIALS.password,
  LOG_LEVEL: 'warn',
});
const nodeArgs = opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProf}`] : [];

// ---------------------------------------------------------------- results

interface Row {
  section: 'anchor' | 'workload' | 'scaling' | 'process';
  name: string;
  store: StoreKind | '-';
  concurrency: number | null;
  rps: number | null;
  p50: number | null;
  p99: number | null;
  errors: number | null;
  ratio?: { value: number; to: string };
  rss_peak_mb?: number;
  note?: string;
  detail?: unknown;
}

interface Target {
  target: string;
  measured: string;
  met: boolean;
}

const rows: Row[] = [];
const failures: string[] = [];
const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const round = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? null : Number(v.toFixed(digits)));

function rowOf(section: Row['section'], name: string, store: Row['store'], r: LoadResult, extra: Partial<Row> = {}): Row {
  const errors = r.non2xx + r.errors + r.timeouts;
  return { section, name, store, concurrency: null, rps: round(r.rps, 0), p50: round(r.latency_ms.p50), p99: round(r.latency_ms.p99), errors, detail: { status: r.status, requests: r.requests, seconds: r.seconds, latency_ms: r.latency_ms }, ...extra };
}

function mustSucceed(label: string, r: LoadResult): void {
  const errors = r.non2xx + r.errors + r.timeouts;
  if (errors > 0) failures.push(`${label}: ${r.non2xx} non-2xx (${JSON.stringify(r.status)}), ${r.errors} socket errors, ${r.timeouts} timeouts`);
  if (r.requests === 0) failures.push(`${label}: no responses at all`);
}

// ---------------------------------------------------------------- anchors

const helloByConcurrency = new Map<number, number>();
const pgbenchByConcurrency = new Map<number, PgbenchResult>();
const prismCaptureByConcurrency = new Map<number, number>();

/**
 * The peer: Prism mocking OpenOM's own /openapi.json (taken from a throw-away in-memory OpenOM),
 * answering POST capture with the documented 201 and storing nothing.
 */
async function runPrismAnchor(): Promise<void> {
  const prism = ensurePrism(log);
  if (!prism.cli) {
    log(`anchor: Prism skipped (${prism.reason})`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'openom-bench-prism-'));
  let server: Server | undefined;
  try {
    const specFile = join(dir, 'openapi.json');
    const openom = await startOpenOM(openomEnv('sqlite::memory:'));
    try {
      writeFileSync(specFile, await (await fetch(`${openom.url}/openapi.json`)).text());
    } finally {
      await openom.stop();
    }
    log(`anchor: Prism ${PRISM_VERSION} mock of OpenOM's /openapi.json`);
    server = await startPrism(prism.cli, specFile);
    const spec = { url: server.url, auth: basicAuth(CREDENTIALS), kind: 'post' as const, path: `/ordermanagement/v1/orders/${randomUUID()}/captures` };
    await runLoad({ ...spec, connections: 8, duration: 1 }); // warm-up
    for (const c of opts.concurrency) {
      const r = await runLoad({ ...spec, connections: c, duration: opts.duration });
      mustSucceed(`Prism capture c=${c}`, r);
      prismCaptureByConcurrency.set(c, r.rps);
      rows.push(rowOf('anchor', `Prism ${PRISM_VERSION} mock: POST capture`, '-', r, { concurrency: c, note: 'stores nothing' }));
    }
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runAnchors(pgVersion: string | undefined): Promise<void> {
  log('anchor: Fastify hello world');
  const hello = await startHello();
  try {
    await runLoad({ url: hello.url, connections: 8, duration: 1, kind: 'path', path: '/' }); // warm-up
    for (const c of opts.concurrency) {
      const r = await runLoad({ url: hello.url, connections: c, duration: opts.duration, kind: 'path', path: '/' });
      mustSucceed(`hello world c=${c}`, r);
      helloByConcurrency.set(c, r.rps);
      rows.push(rowOf('anchor', 'hello world (Fastify)', '-', r, { concurrency: c }));
    }
  } finally {
    await hello.stop();
  }

  await runPrismAnchor();

  const pgbench = findPgbench();
  if (!pgVersion || !pgbench) {
    log(`anchor: pgbench skipped (${!pgVersion ? 'PostgreSQL not reachable' : 'pgbench not found'})`);
    return;
  }
  const name = `openom_bench_pgbench_${process.pid}`;
  const url = await createPgDatabase(name);
  try {
    log(`anchor: pgbench -i -s ${opts.pgbench.scale}`);
    await pgbenchInit(pgbench, url, opts.pgbench.scale);
    for (const c of opts.concurrency) {
      const seconds = c === 8 ? opts.pgbench.headlineSeconds : opts.pgbench.otherSeconds;
      log(`anchor: pgbench TPC-B -c ${c} -T ${seconds}`);
      const r = await pgbenchRun(pgbench, url, c, seconds);
      pgbenchByConcurrency.set(c, r);
      rows.push({ section: 'anchor', name: `pgbench TPC-B -s ${opts.pgbench.scale} (TPS)`, store: 'postgres', concurrency: c, rps: round(r.tps, 0), p50: null, p99: null, errors: r.failed, note: `latency avg ${r.latency_avg_ms} ms, ${seconds} s`, detail: r });
    }
  } finally {
    await dropPgDatabase(name);
  }
}

// ---------------------------------------------------------------- OpenOM stores

async function openBenchStore(kind: StoreKind, suffix: string): Promise<BenchStore> {
  return kind === 'postgres' ? openPgStore(`openom_bench_${process.pid}_${suffix}`) : openSqliteStore();
}

/** Fresh orders for capture workloads, cloned in bulk and handed out once each. */
class CapturePool {
  private ids: string[] = [];
  private cursor = 0;
  private batch = 0;
  private observedRps = 0;
  constructor(
    private readonly store: BenchStore,
    private readonly templateId: string,
    private readonly initialRps: number,
  ) {}

  async take(seconds: number, share: number, scale = 1): Promise<string[]> {
    const rate = Math.max(this.initialRps, this.observedRps * 2) * scale;
    const need = Math.ceil(rate * seconds * share) + 200;
    const unused = this.ids.length - this.cursor;
    if (unused < need) {
      const tag = `bench-capture-${this.batch++}`;
      await this.store.cloneOrders(this.templateId, need - unused, tag);
      this.ids = [...this.ids.slice(this.cursor), ...(await this.store.idsTagged(tag))];
      this.cursor = 0;
    }
    return this.ids.slice(this.cursor);
  }

  consumed(n: number, seconds: number): void {
    this.cursor += n;
    this.observedRps = Math.max(this.observedRps, n / seconds);
  }
}

async function seedStandard(server: Server, store: BenchStore) {
  const merchantId = await sandboxMerchantId(server.url, CREDENTIALS);
  const templateId = await createOrder(server.url, CREDENTIALS, merchantId, standardOrder());
  await store.cloneOrders(templateId, opts.getPool, 'bench-get');
  const getIds = await store.idsTagged('bench-get');
  // Refunds need captured orders: capture them through the API like a merchant would.
  await store.cloneOrders(templateId, opts.refundPool, 'bench-refund');
  const refundIds = await store.idsTagged('bench-refund');
  await inParallel(refundIds.length, 8, (i) => captureOrder(server.url, CREDENTIALS, refundIds[i]!, { captured_amount: 10_000 }));
  const probe = await getOrderStatus(server.url, CREDENTIALS, getIds[0]!);
  if (probe.status !== 200) throw new Error(`GET of a seeded order answered ${probe.status}`);
  return { merchantId, templateId, getIds, refundIds, orderBytes: probe.bytes };
}

async function runWorkloads(kind: StoreKind, processInfo: Record<string, unknown>): Promise<void> {
  const store = await openBenchStore(kind, 'main');
  let server: Server | undefined;
  try {
    log(`${kind}: starting OpenOM on a fresh store`);
    server = await startOpenOM(openomEnv(store.url), nodeArgs);
    const readyFresh = server.readyMs;
    await sleep(1000);
    const rssIdle = rssMb(server.proc.pid);
    const rss = new RssSampler(server.proc.pid);
    log(`${kind}: ready in ${readyFresh.toFixed(0)} ms, idle RSS ${rssIdle?.toFixed(1)} MB; seeding`);
    const seed = await seedStandard(server, store);
    const pool = new CapturePool(store, seed.templateId, kind === 'sqlite' ? 4000 : 3000);
    const auth = basicAuth(CREDENTIALS);
    const base = { url: server.url, auth, ids: { get: seed.getIds, refund: seed.refundIds } };
    await runLoad({ ...base, connections: 8, duration: QUICK ? 1 : 3, kind: 'get' }); // warm-up (JIT, caches)

    let rssLoadPeak = 0;
    for (const c of opts.concurrency) {
      for (const w of opts.workloads) {
        const label = `${kind} ${w} c=${c}`;
        let result: LoadResult | undefined;
        for (let attempt = 1; attempt <= 3; attempt++) {
          const spec: LoadSpec = { ...base, ids: { ...base.ids }, connections: c, duration: opts.duration, kind: w };
          if (CAPTURE_SHARE[w] > 0) spec.ids!.capture = await pool.take(opts.duration, CAPTURE_SHARE[w], attempt);
          log(`${label}${attempt > 1 ? ` (attempt ${attempt}, more fresh orders)` : ''}`);
          rss.reset();
          result = await runLoad(spec);
          pool.consumed(result.used.capture, result.seconds);
          if (!result.exhausted) break;
        }
        if (!result || result.exhausted) throw new Error(`${label}: ran out of fresh orders three times`);
        mustSucceed(label, result);
        const peak = rss.peak();
        rssLoadPeak = Math.max(rssLoadPeak, peak);
        const row = rowOf('workload', w === 'get' ? 'GET order' : w === 'capture' ? 'POST capture' : w === 'refund' ? 'POST refund' : 'mix 70/20/10', kind, result, {
          concurrency: c,
          rss_peak_mb: round(peak, 1) ?? undefined,
        });
        const hello = helloByConcurrency.get(c);
        const tpcb = pgbenchByConcurrency.get(c);
        if (w === 'get' && hello) row.ratio = { value: round(result.rps / hello, 2)!, to: 'hello world' };
        const prismRps = prismCaptureByConcurrency.get(c);
        if (w === 'capture' && kind === 'postgres' && tpcb) row.ratio = { value: round(result.rps / tpcb.tps, 2)!, to: 'pgbench TPS' };
        if (w === 'capture' && kind === 'sqlite' && prismRps) row.ratio = { value: round(result.rps / prismRps, 2)!, to: 'Prism capture' };
        rows.push(row);
        log(`  ${result.rps} req/s, p50 ${round(result.latency_ms.p50)} ms, p99 ${round(result.latency_ms.p99)} ms, RSS peak ${peak.toFixed(1)} MB${row.ratio ? `, ${row.ratio.value}x ${row.ratio.to}` : ''}`);
      }
    }
    rss.stop();
    const rssAfter = rssMb(server.proc.pid);
    const ordersInStore = await store.countOrders();
    await server.stop();
    server = undefined;

    // The cost of /metrics: fresh processes with OPENOM_METRICS=on and =off, alternated, so that
    // neither side gains from a colder or warmer process or machine.
    const c = Math.max(...opts.concurrency);
    for (const w of ['get', 'capture'] as const) {
      if (!opts.workloads.includes(w)) continue;
      const name = w === 'get' ? 'GET order' : 'POST capture';
      const rpsBy: Record<'on' | 'off', number[]> = { on: [], off: [] };
      const lastBy: Partial<Record<'on' | 'off', LoadResult>> = {};
      for (let pass = 0; pass < METRICS_ROUNDS; pass++) {
        for (const setting of pass % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
          server = await startOpenOM({ ...openomEnv(store.url), OPENOM_METRICS: setting });
          await runLoad({ ...base, url: server.url, connections: 8, duration: 1, kind: 'get' }); // warm-up
          const spec: LoadSpec = { ...base, url: server.url, ids: { ...base.ids }, connections: c, duration: opts.duration, kind: w };
          if (w === 'capture') spec.ids!.capture = await pool.take(opts.duration, 1, 1);
          log(`${kind} ${w} c=${c}, OPENOM_METRICS=${setting}, pass ${pass + 1}`);
          const result = await runLoad(spec);
          pool.consumed(result.used.capture, result.seconds);
          mustSucceed(`${kind} ${w} c=${c} metrics ${setting}`, result);
          rpsBy[setting].push(result.rps);
          lastBy[setting] = result;
          log(`  ${result.rps} req/s, p99 ${round(result.latency_ms.p99)} ms`);
          await server.stop();
          server = undefined;
        }
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      for (const setting of ['on', 'off'] as const) {
        const row = rowOf('workload', `${name}, metrics ${setting}`, kind, lastBy[setting]!, { concurrency: c, rps: round(mean(rpsBy[setting]), 0), note: `mean of ${METRICS_ROUNDS} fresh processes` });
        if (setting === 'off') row.ratio = { value: round(mean(rpsBy.on) / mean(rpsBy.off))!, to: 'metrics on / off' };
        rows.push(row);
      }
    }

    // Restarts on a migrated store: the usual case for ready time.
    const restarts: number[] = [];
    for (let i = 0; i < opts.restarts; i++) {
      const s = await startOpenOM(openomEnv(store.url));
      restarts.push(s.readyMs);
      await s.stop();
    }
    restarts.sort((a, b) => a - b);
    processInfo[kind] = {
      ready_ms_fresh_store: round(readyFresh, 0),
      ready_ms_existing_store_median: round(restarts[Math.floor(restarts.length / 2)]!, 0),
      ready_ms_existing_store_all: restarts.map((r) => round(r, 0)),
      rss_idle_mb: round(rssIdle, 1),
      rss_load_peak_mb: round(rssLoadPeak, 1),
      rss_after_load_mb: round(rssAfter, 1),
      orders_in_store_at_end: ordersInStore,
      get_response_bytes: seed.orderBytes,
    };
    rows.push({ section: 'process', name: 'ready after spawn, fresh store (ms)', store: kind, concurrency: null, rps: null, p50: round(readyFresh, 0), p99: null, errors: null });
    rows.push({ section: 'process', name: `ready after spawn, existing store (ms, median of ${restarts.length})`, store: kind, concurrency: null, rps: null, p50: round(restarts[Math.floor(restarts.length / 2)]!, 0), p99: null, errors: null });
    rows.push({ section: 'process', name: `RSS idle / peak under load (MB)`, store: kind, concurrency: null, rps: null, p50: round(rssIdle, 1), p99: round(rssLoadPeak, 1), errors: null });
  } finally {
    await server?.stop();
    await store.drop();
  }
}

// ---------------------------------------------------------------- scaling

async function runScaling(kind: StoreKind, scalingInfo: Record<string, unknown>): Promise<void> {
  const store = await openBenchStore(kind, 'scaling');
  let server: Server | undefined;
  try {
    server = await startOpenOM(openomEnv(store.url), nodeArgs);
    const url = server.url;
    const auth = basicAuth(CREDENTIALS);
    const merchantId = await sandboxMerchantId(url, CREDENTIALS);
    const rss = new RssSampler(server.proc.pid);

    // GET latency by order size, at concurrency 1 (latency is the cost of one request).
    const shapes: { name: string; size: number; axis: 'lines' | 'captures'; id: string }[] = [];
    for (const n of opts.lineCounts) shapes.push({ name: `GET order, ${n} lines`, size: n, axis: 'lines', id: await createOrder(url, CREDENTIALS, merchantId, orderWithLines(n)) });
    for (const n of opts.captureCounts) {
      const id = await createOrder(url, CREDENTIALS, merchantId, orderWithLines(2, 50_000));
      for (let i = 0; i < n; i++) await captureOrder(url, CREDENTIALS, id, { captured_amount: 1, order_lines: [line(1, 1)] });
      shapes.push({ name: `GET order, ${n} captures`, size: n, axis: 'captures', id });
    }
    const byShape: Record<string, { p50: number | null; mean: number | null; bytes: number }> = {};
    for (const s of shapes) {
      if (!QUICK) await runLoad({ url, auth, connections: 1, duration: 1, kind: 'path', path: `/ordermanagement/v1/orders/${s.id}` });
      const r = await runLoad({ url, auth, connections: 1, duration: opts.scalingGetSeconds, kind: 'path', path: `/ordermanagement/v1/orders/${s.id}` });
      mustSucceed(`${kind} scaling ${s.name}`, r);
      const bytes = (await getOrderStatus(url, CREDENTIALS, s.id)).bytes;
      byShape[s.name] = { p50: r.latency_ms.p50, mean: r.latency_ms.mean, bytes };
      rows.push(rowOf('scaling', s.name, kind, r, { concurrency: 1, note: `${(bytes / 1024).toFixed(1)} KiB body` }));
      log(`${kind} ${s.name}: mean ${round(r.latency_ms.mean, 3)} ms, ${bytes} bytes`);
    }

    // Capture throughput with N orders already in the store (filler: small one-line orders, cloned in SQL).
    const fillerTemplate = await createOrder(url, CREDENTIALS, merchantId, orderWithLines(1));
    const captureTemplate = await createOrder(url, CREDENTIALS, merchantId, standardOrder());
    const bySize: Record<string, { capture_rps: number; capture_p99: number | null; get_rps: number }> = {};
    for (const size of opts.storeSizes) {
      const have = await store.countOrders();
      if (size > have) {
        log(`${kind}: filling the store to ${size.toLocaleString('en')} orders`);
        const t0 = performance.now();
        await store.cloneOrders(fillerTemplate, size - have, 'bench-filler');
        log(`  filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
      const tag = `bench-scaling-${size}`;
      await store.cloneOrders(captureTemplate, opts.scalingCaptures, tag);
      const ids = await store.idsTagged(tag);
      const getIds = ids.slice(0, 1000);
      await runLoad({ url, auth, connections: 8, duration: 1, kind: 'get', ids: { get: getIds } }); // warm-up
      rss.reset();
      const cap = await runLoad({ url, auth, connections: 8, amount: opts.scalingCaptures, kind: 'capture', ids: { capture: ids } });
      mustSucceed(`${kind} capture with ${size} orders`, cap);
      const get = await runLoad({ url, auth, connections: 8, duration: opts.scalingGetSeconds, kind: 'get', ids: { get: ids } });
      mustSucceed(`${kind} GET with ${size} orders`, get);
      const storeSize = await store.countOrders();
      bySize[String(size)] = { capture_rps: cap.rps, capture_p99: cap.latency_ms.p99, get_rps: get.rps };
      rows.push(rowOf('scaling', `POST capture, ${size.toLocaleString('en')} orders in store`, kind, cap, { concurrency: 8, rss_peak_mb: round(rss.peak(), 1) ?? undefined, note: `${storeSize.toLocaleString('en')} orders at end` }));
      rows.push(rowOf('scaling', `GET order, ${size.toLocaleString('en')} orders in store`, kind, get, { concurrency: 8 }));
      log(`${kind} with ${size} orders: capture ${cap.rps}/s p99 ${round(cap.latency_ms.p99)} ms, GET ${get.rps}/s`);
    }
    rss.stop();
    scalingInfo[kind] = { get_by_shape: byShape, by_store_size: bySize };
  } finally {
    await server?.stop();
    await store.drop();
  }
}

// ---------------------------------------------------------------- targets

function evaluateTargets(processInfo: Record<string, Record<string, number>>, scalingInfo: Record<string, { get_by_shape: Record<string, { mean: number | null }>; by_store_size: Record<string, { capture_rps: number }> }>): Target[] {
  const t: Target[] = [];
  const wl = (store: StoreKind, name: string) => rows.filter((r) => r.section === 'workload' && r.store === store && r.name === name);
  for (const r of wl('postgres', 'POST capture')) {
    if (r.ratio) t.push({ target: `capture on PostgreSQL >= 1.0x pgbench TPS (c=${r.concurrency})`, measured: `${r.ratio.value}x (${r.rps} vs ${round(pgbenchByConcurrency.get(r.concurrency!)?.tps, 0)})`, met: r.ratio.value >= 1 });
  }
  for (const store of opts.stores) {
    for (const r of wl(store, 'GET order')) {
      if (r.ratio) t.push({ target: `GET order >= 0.6x hello world (${store}, c=${r.concurrency})`, measured: `${r.ratio.value}x (${r.rps} vs ${helloByConcurrency.get(r.concurrency!)})`, met: r.ratio.value >= 0.6 });
    }
  }
  for (const r of wl('sqlite', 'POST capture')) {
    if (r.ratio) t.push({ target: `capture on SQLite (durable) >= 1.0x the Prism mock (c=${r.concurrency})`, measured: `${r.ratio.value}x (${r.rps} vs ${round(prismCaptureByConcurrency.get(r.concurrency!), 0)})`, met: r.ratio.value >= 1 });
  }
  const best = (store: StoreKind, name: string) => Math.max(0, ...wl(store, name).map((r) => r.rps ?? 0));
  if (opts.stores.includes('sqlite')) {
    if (opts.workloads.includes('capture')) t.push({ target: 'SQLite >= 3,000 captures/s (best concurrency)', measured: `${best('sqlite', 'POST capture')}/s`, met: best('sqlite', 'POST capture') >= 3000 });
    if (opts.workloads.includes('get')) t.push({ target: 'SQLite >= 10,000 GET/s (best concurrency)', measured: `${best('sqlite', 'GET order')}/s`, met: best('sqlite', 'GET order') >= 10_000 });
  }
  for (const r of rows.filter((x) => x.section === 'workload' && x.concurrency === 32 && !x.name.includes(', metrics '))) {
    t.push({ target: `p99 < 25 ms at c=32: ${r.name} (${r.store})`, measured: `${r.p99} ms`, met: (r.p99 ?? Infinity) < 25 });
  }
  for (const [store, p] of Object.entries(processInfo)) {
    t.push({ target: `ready < 500 ms (${store}, fresh store)`, measured: `${p.ready_ms_fresh_store} ms`, met: p.ready_ms_fresh_store! < 500 });
    t.push({ target: `ready < 500 ms (${store}, existing store, median)`, measured: `${p.ready_ms_existing_store_median} ms`, met: p.ready_ms_existing_store_median! < 500 });
    t.push({ target: `RSS < 150 MB under load (${store})`, measured: `${p.rss_load_peak_mb} MB peak`, met: p.rss_load_peak_mb! < 150 });
  }
  for (const [store, s] of Object.entries(scalingInfo)) {
    // At most linear: 10x the lines (captures) may cost at most 10x the time (mean latency at c=1).
    for (const [axis, [small, mid, big]] of [['lines', opts.lineCounts], ['captures', opts.captureCounts]] as const) {
      const m = (n: number) => s.get_by_shape[`GET order, ${n} ${axis}`]?.mean ?? NaN;
      const perUnit = (m(big) - m(mid)) / (big - mid);
      t.push({
        target: `GET cost at most linear in ${axis} (${store}): t(${big}) / t(${mid}) <= ${big / mid}`,
        measured: `${m(small).toFixed(2)} / ${m(mid).toFixed(2)} / ${m(big).toFixed(2)} ms for ${small} / ${mid} / ${big} (${(m(big) / m(mid)).toFixed(1)}x; ${(perUnit * 1000).toFixed(1)} us per extra ${axis === 'lines' ? 'line' : 'capture'})`,
        met: m(big) / m(mid) <= big / mid,
      });
    }
    const sizes = Object.keys(s.by_store_size);
    if (sizes.length >= 2) {
      const first = s.by_store_size[sizes[0]!]!.capture_rps;
      const last = s.by_store_size[sizes[sizes.length - 1]!]!.capture_rps;
      t.push({ target: `capture throughput independent of store size (${store}, ${sizes.join(' vs ')} orders, >= 0.8x)`, measured: `${first} vs ${last} /s (${(last / first).toFixed(2)}x)`, met: last >= 0.8 * first });
    }
  }
  return t;
}

// ---------------------------------------------------------------- output

function printTable(targets: Target[]): void {
  const fmt = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(digits));
  const header = ['section', 'workload', 'store', 'conc', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'vs anchor', 'RSS MB', 'note'];
  const body = rows.map((r) => [
    r.section,
    r.name,
    r.store,
    fmt(r.concurrency),
    fmt(r.rps),
    fmt(r.p50),
    fmt(r.p99),
    fmt(r.errors),
    r.ratio ? `${r.ratio.value.toFixed(2)}x ${r.ratio.to}` : '',
    fmt(r.rss_peak_mb, 1),
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i >= 3 && i <= 7 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i >= 3 && i <= 7 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
  for (const b of body) console.log(line(b));
  console.log('\nTargets (issues 6 and 9):');
  for (const t of targets) console.log(`  ${t.met ? 'MET   ' : 'MISSED'}  ${t.target}: ${t.measured}`);
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const started = new Date();
  const loadStart = loadavg();
  if (opts.build) {
    log('npm run build');
    const b = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  const pgVersion = await pgReachable();
  if (!pgVersion && opts.stores.includes('postgres')) {
    log('PostgreSQL is not reachable: skipping the PostgreSQL store and pgbench');
    opts.stores = opts.stores.filter((s) => s !== 'postgres');
  }
  if (opts.cpuProf) mkdirSync(opts.cpuProf, { recursive: true });

  if (opts.anchors) await runAnchors(pgVersion);
  const processInfo: Record<string, Record<string, number>> = {};
  for (const kind of opts.stores) await runWorkloads(kind, processInfo);
  const scalingInfo: Parameters<typeof evaluateTargets>[1] = {};
  if (opts.scaling) for (const kind of opts.stores) await runScaling(kind, scalingInfo as Record<string, unknown>);

  const targets = evaluateTargets(processInfo, scalingInfo);
  const loadEnd = loadavg();
  const commit = (() => {
    try {
      return execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim() + (execSync('git status --porcelain src', { cwd: ROOT }).toString().trim() ? ' (src has uncommitted changes)' : '');
    } catch {
      return 'unknown';
    }
  })();
  const machine = {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model,
    node: process.version,
    loadavg_start: loadStart.map((l) => round(l)),
    loadavg_end: loadEnd.map((l) => round(l)),
    postgres: pgVersion ?? null,
    postgres_settings: pgVersion ? await pgSettings() : null,
    load_generator: 'autocannon 8 (child process, pipelining 1)',
    note: 'load generator, OpenOM and PostgreSQL share the same cores; other processes on the machine also compete (see loadavg)',
  };
  console.log(`\nOpenOM bench ${QUICK ? '(quick) ' : ''}${started.toISOString()} commit ${commit}, ${machine.cpus} x ${machine.cpu_model}, node ${machine.node}`);
  console.log(`load average at start ${loadStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadEnd.map((l) => l.toFixed(2)).join(' ')}\n`);
  printTable(targets);

  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${started.toISOString().replace(/[:.]/g, '-')}${QUICK ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify({ started_at: started.toISOString(), finished_at: new Date().toISOString(), commit, machine, options: opts, rows, process: processInfo, scaling: scalingInfo, targets, failures }, null, 2)}\n`);
  console.log(`\nresults: ${file}`);
  if (failures.length > 0) {
    console.error(`\nFAILED: ${failures.length} workload(s) that should succeed did not:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

const cleanupAndExit = (code: number) => void dropAllPgDatabases().finally(() => process.exit(code));
process.on('SIGINT', () => cleanupAndExit(130));
main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  cleanupAndExit(1);
});
