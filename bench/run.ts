// OpenOM benchmark suite (issues 6, 9 and 23): anchors (hello world; pgbench TPC-B and pgbench on
// OpenOM's own capture SQL; the disk's fdatasync rate and a raw better-sqlite3 loop on OpenOM's
// capture SQL; the Prism and WireMock mocks), workloads on PostgreSQL and SQLite, scaling, process.
// Usage: npm run bench [-- --quick] [--no-build] [--only=postgres|sqlite] [--workloads=get,capture,refund,mix]
//        [--concurrency=1,8,32] [--duration=SECONDS] [--skip-anchors] [--skip-scaling] [--cpu-prof=DIR]
// Prints one table and writes bench/results/<timestamp>.json. Exits 1 when any workload that should
// succeed saw a non-2xx response or a socket error (targets missed are reported, not failures).
import { execSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { basicAuth, captureOrder, createOrder, getOrderStatus, inParallel, line, orderWithLines, benchMerchantId, standardOrder } from './lib/api.js';
import { checkSqliteShape, fdatasyncRate, ownSqlPgbench, pgTestFsync, recordCapture, sqliteCaptureLoop, type LoopResult } from './lib/own-sql.js';
import { ensurePrism, PRISM_VERSION, startPrism } from './lib/prism.js';
import { ROOT, RssSampler, rssMb, runLoad, sleep, startHello, startOpenOM, type LoadResult, type LoadSpec, type Server } from './lib/proc.js';
import {
  createPgDatabase,
  dropAllPgDatabases,
  dropPgDatabase,
  findPgTool,
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
import { ensureWiremock, startWiremock, WIREMOCK_VERSION } from './lib/wiremock.js';
import { CapturePool, CREDENTIALS, openomEnv } from './lib/workload.js';

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
  // The raw better-sqlite3 loop and the fdatasync loop (seconds per run), pg_test_fsync (seconds per test).
  sqliteLoopSeconds: QUICK ? 1 : 3,
  fsyncSeconds: QUICK ? 1 : 3,
  pgTestFsyncSeconds: QUICK ? 1 : 2,
  // The JVM compiles WireMock's hot paths while it serves: its warm-up is longer than Prism's.
  wiremockWarmupSeconds: QUICK ? 2 : 5,
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

const nodeArgs = opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProf}`] : [];

// ---------------------------------------------------------------- results

interface Row {
  section: 'anchor' | 'ratio' | 'workload' | 'scaling' | 'process';
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
  issue: '6, 9' | '23';
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
const wiremockCaptureByConcurrency = new Map<number, number>();
/** Anchor (a): pgbench TPS on OpenOM's own capture transaction, by clients. */
const ownSqlByConcurrency = new Map<number, PgbenchResult>();
/** Anchor (b): raw better-sqlite3 captures/s with `c` captures per commit, by c. */
const sqliteLoopByConcurrency = new Map<number, LoopResult>();

/** A row that could not be measured here, with why (a tool or service missing). */
function skipped(name: string, store: Row['store'], reason: string): void {
  log(`anchor: ${name} skipped (${reason})`);
  rows.push({ section: 'anchor', name, store, concurrency: null, rps: null, p50: null, p99: null, errors: null, note: `skipped: ${reason}` });
}

/** POST capture on a mock peer at each concurrency, after a warm-up at c=8. */
async function measureMockPeer(name: string, server: Server, warmupSeconds: number, byConcurrency: Map<number, number>): Promise<void> {
  const spec = { url: server.url, auth: basicAuth(CREDENTIALS), kind: 'post' as const, path: `/ordermanagement/v1/orders/${randomUUID()}/captures` };
  await runLoad({ ...spec, connections: 8, duration: warmupSeconds });
  for (const c of opts.concurrency) {
    const r = await runLoad({ ...spec, connections: c, duration: opts.duration });
    mustSucceed(`${name} c=${c}`, r);
    byConcurrency.set(c, r.rps);
    rows.push(rowOf('anchor', name, '-', r, { concurrency: c, note: 'stores nothing' }));
  }
}

/** The JVM peer (issue 23): WireMock's standalone jar, a stateless stub answering POST capture with 201. */
async function runWiremockAnchor(): Promise<void> {
  const name = `WireMock ${WIREMOCK_VERSION} mock: POST capture`;
  const wiremock = ensureWiremock(log);
  if (!wiremock.jar) return skipped(name, '-', wiremock.reason ?? 'unavailable');
  log(`anchor: WireMock ${WIREMOCK_VERSION} on Java ${wiremock.java}`);
  const server = await startWiremock(wiremock.jar);
  try {
    await measureMockPeer(name, server, opts.wiremockWarmupSeconds, wiremockCaptureByConcurrency);
  } finally {
    await server.stop();
  }
}

/**
 * The peer: Prism mocking OpenOM's own /openapi.json (taken from a throw-away in-memory OpenOM),
 * answering POST capture with the documented 201 and storing nothing.
 */
async function runPrismAnchor(): Promise<void> {
  const prism = ensurePrism(log);
  if (!prism.cli) return skipped(`Prism ${PRISM_VERSION} mock: POST capture`, '-', prism.reason ?? 'unavailable');
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
    await measureMockPeer(`Prism ${PRISM_VERSION} mock: POST capture`, server, 1, prismCaptureByConcurrency);
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

  await runWiremockAnchor();

  const pgbench = findPgTool('pgbench');
  if (!pgVersion || !pgbench) {
    const reason = !pgVersion ? 'PostgreSQL not reachable' : 'pgbench not found';
    skipped(`pgbench TPC-B -s ${opts.pgbench.scale} (TPS)`, 'postgres', reason);
    if (opts.stores.includes('postgres')) skipped(OWN_SQL_PGBENCH, 'postgres', reason);
  } else {
    await runTpcbAnchor(pgbench);
    if (opts.stores.includes('postgres')) await runOwnSqlPgAnchor(pgbench);
  }
  if (opts.stores.includes('sqlite')) await runSqliteAnchors();
}

/** pgbench's own TPC-B: the database ceiling for short write transactions on this server. */
async function runTpcbAnchor(pgbench: string): Promise<void> {
  const name = `openom_bench_pgbench_${process.pid}`;
  const url = await createPgDatabase(name);
  try {
    log(`anchor: pgbench -i -s ${opts.pgbench.scale}`);
    await pgbenchInit(pgbench, url, opts.pgbench.scale);
    for (const c of opts.concurrency) {
      const seconds = pgbenchSeconds(c);
      log(`anchor: pgbench TPC-B -c ${c} -T ${seconds}`);
      const r = await pgbenchRun(pgbench, url, c, seconds);
      pgbenchByConcurrency.set(c, r);
      rows.push({ section: 'anchor', name: `pgbench TPC-B -s ${opts.pgbench.scale} (TPS)`, store: 'postgres', concurrency: c, rps: round(r.tps, 0), p50: null, p99: null, errors: r.failed, note: `latency avg ${r.latency_avg_ms} ms, ${seconds} s`, detail: r });
    }
  } finally {
    await dropPgDatabase(name);
  }
}

const pgbenchSeconds = (c: number) => (c === 8 ? opts.pgbench.headlineSeconds : opts.pgbench.otherSeconds);

const OWN_SQL_PGBENCH = "pgbench: OpenOM's capture SQL (TPS)";

/**
 * Anchor (a), issue 23: OpenOM's own capture transaction, recorded from a real OpenOM and replayed
 * by pgbench (-M prepared, one pipeline) on fresh orders cloned as the capture workload's are.
 */
async function runOwnSqlPgAnchor(pgbench: string): Promise<void> {
  const store = await openBenchStore('postgres', 'ownsql');
  try {
    log("anchor: recording OpenOM's capture transaction on PostgreSQL");
    const recorded = await recordCapture(store, openomEnv(store.url), CREDENTIALS);
    const anchor = ownSqlPgbench(pgbench, store, recorded, log);
    try {
      for (const c of opts.concurrency) {
        const seconds = pgbenchSeconds(c);
        log(`anchor: pgbench on OpenOM's capture SQL -c ${c} -T ${seconds}`);
        const r = await anchor.run(c, seconds);
        ownSqlByConcurrency.set(c, r);
        rows.push({ section: 'anchor', name: OWN_SQL_PGBENCH, store: 'postgres', concurrency: c, rps: round(r.tps, 0), p50: null, p99: null, errors: r.failed, note: `one round trip, -M prepared; latency avg ${r.latency_avg_ms} ms, ${seconds} s`, detail: { ...r, script: anchor.script, defines: anchor.defines } });
      }
    } finally {
      anchor.close();
    }
  } finally {
    await store.drop();
  }
}

/**
 * Anchor (b), issue 23: the data disk's fdatasync rate (a loop in the SQLite store's folder, and
 * pg_test_fsync when installed), and OpenOM's recorded SQLite capture transaction replayed by a raw
 * better-sqlite3 loop with c captures per commit (OpenOM's group commit can put at most c in one).
 */
async function runSqliteAnchors(): Promise<void> {
  const store = await openBenchStore('sqlite', 'ownsql');
  try {
    log("anchor: recording OpenOM's capture transaction on SQLite");
    const recorded = await recordCapture(store, openomEnv(store.url), CREDENTIALS);
    checkSqliteShape(recorded);
    const file = store.url.slice('sqlite:'.length);
    const dir = dirname(file);

    const fsync = fdatasyncRate(dir, opts.fsyncSeconds);
    rows.push(loopRow('fdatasync/s, 8 KiB overwrite (store folder)', 1, fsync, `${opts.fsyncSeconds} s; p50/p99 per call`));
    log(`anchor: fdatasync ${fsync.rate.toFixed(0)}/s`);
    const pgTestFsyncBinary = findPgTool('pg_test_fsync');
    if (pgTestFsyncBinary) {
      const r = await pgTestFsync(pgTestFsyncBinary, dir, opts.pgTestFsyncSeconds);
      if (r) rows.push({ section: 'anchor', name: 'pg_test_fsync: fdatasync, one 8 kB write', store: 'sqlite', concurrency: 1, rps: round(r.ops_per_s, 0), p50: round(r.usecs_per_op / 1000, 3), p99: null, errors: null, note: `${opts.pgTestFsyncSeconds} s; p50 column: mean per call`, detail: r });
    } else {
      skipped('pg_test_fsync: fdatasync, one 8 kB write', 'sqlite', 'pg_test_fsync not found');
    }

    let tag = 0;
    const freshIds = async (n: number) => {
      await store.cloneOrders(recorded.templateId, n, `bench-loop-${tag}`);
      return store.idsTagged(`bench-loop-${tag++}`);
    };
    for (const c of opts.concurrency) {
      // Every capture needs a fresh order, and cloning is not free: a short probe sizes the pool, and
      // a run that used it up early (the machine was faster than the probe) is repeated with more.
      let r = sqliteCaptureLoop(file, recorded, await freshIds(Math.min(100 * c, 3200)), c, 0.3);
      for (let attempt = 1; attempt <= 3; attempt++) {
        r = sqliteCaptureLoop(file, recorded, await freshIds(Math.ceil(r.rate * opts.sqliteLoopSeconds * 2) + c), c, opts.sqliteLoopSeconds);
        if (r.seconds >= 0.8 * opts.sqliteLoopSeconds) break;
      }
      sqliteLoopByConcurrency.set(c, r);
      rows.push(loopRow(`raw better-sqlite3: OpenOM's capture SQL, ${c} per commit`, c, r, `${r.seconds.toFixed(1)} s; p50/p99 per commit`));
      log(`anchor: raw better-sqlite3, ${c} per commit: ${r.rate.toFixed(0)} captures/s`);
    }
  } finally {
    await store.drop();
  }
}

function loopRow(name: string, c: number, r: LoopResult, note: string): Row {
  return { section: 'anchor', name, store: 'sqlite', concurrency: c, rps: round(r.rate, 0), p50: round(r.latency_ms.p50, 3), p99: round(r.latency_ms.p99, 3), errors: 0, note, detail: r };
}

// ---------------------------------------------------------------- ratios (issue 23)

/** The issue-23 anchors a capture row is compared with, per store: [row name, anchor's rate at c]. */
function captureAnchors(kind: StoreKind, c: number): [string, number | undefined][] {
  return kind === 'postgres'
    ? [["POST capture ÷ pgbench on OpenOM's capture SQL", ownSqlByConcurrency.get(c)?.tps]]
    : [
        [`POST capture ÷ raw better-sqlite3, ${c} per commit`, sqliteLoopByConcurrency.get(c)?.rate],
        ['POST capture ÷ WireMock', wiremockCaptureByConcurrency.get(c)],
      ];
}

/** Ratio rows below a capture row: OpenOM's captures/s over each anchor measured at the same concurrency. */
function pushCaptureRatios(kind: StoreKind, c: number, rps: number): void {
  for (const [name, anchor] of captureAnchors(kind, c)) {
    if (!anchor) continue;
    const value = round(rps / anchor, 2)!;
    rows.push({ section: 'ratio', name, store: kind, concurrency: c, rps: null, p50: null, p99: null, errors: null, ratio: { value, to: name.slice(name.indexOf('÷') + 2) } });
    log(`  ${value}x ${name.slice(name.indexOf('÷') + 2)}`);
  }
}

// ---------------------------------------------------------------- OpenOM stores

async function openBenchStore(kind: StoreKind, suffix: string): Promise<BenchStore> {
  return kind === 'postgres' ? openPgStore(`openom_bench_${process.pid}_${suffix}`) : openSqliteStore();
}

async function seedStandard(server: Server, store: BenchStore) {
  const merchantId = await benchMerchantId(server.url, CREDENTIALS);
  const templateId = await createOrder(server.url, CREDENTIALS, merchantId, standardOrder());
  await store.cloneOrders(templateId, opts.getPool, 'bench-get');
  const getIds = await store.idsTagged('bench-get');
  // Refunds need captured orders: capture them through the API like a merchant would.
  await store.cloneOrders(templateId, opts.refundPool, 'bench-refund');
  const refundIds = await store.idsTagged('bench-refund');
  await inParallel(refundIds.length, 8, async (i) => void (await captureOrder(server.url, CREDENTIALS, refundIds[i]!, { captured_amount: 10_000 })));
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
        const result = await pool.runLoad({ ...base, ids: { ...base.ids }, connections: c, duration: opts.duration, kind: w }, CAPTURE_SHARE[w], (attempt) => {
          log(`${label}${attempt > 1 ? ` (attempt ${attempt}, more fresh orders)` : ''}`);
          rss.reset();
        });
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
        if (w === 'capture') pushCaptureRatios(kind, c, result.rps);
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
    const merchantId = await benchMerchantId(url, CREDENTIALS); // before auth: it may set the credentials
    const auth = basicAuth(CREDENTIALS);
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
  const early = (target: string, measured: string, met: boolean) => t.push({ issue: '6, 9', target, measured, met });
  const i23 = (target: string, measured: string, met: boolean) => t.push({ issue: '23', target, measured, met });
  const wl = (store: StoreKind, name: string) => rows.filter((r) => r.section === 'workload' && r.store === store && r.name === name);
  const isWrite = (r: Row) => ['POST capture', 'POST refund', 'mix 70/20/10'].includes(r.name);
  for (const r of wl('postgres', 'POST capture')) {
    if (r.ratio) early(`capture on PostgreSQL >= 1.0x pgbench TPS (c=${r.concurrency})`, `${r.ratio.value}x (${r.rps} vs ${round(pgbenchByConcurrency.get(r.concurrency!)?.tps, 0)})`, r.ratio.value >= 1);
  }
  for (const store of opts.stores) {
    for (const r of wl(store, 'GET order')) {
      if (r.ratio) early(`GET order >= 0.6x hello world (${store}, c=${r.concurrency})`, `${r.ratio.value}x (${r.rps} vs ${helloByConcurrency.get(r.concurrency!)})`, r.ratio.value >= 0.6);
    }
  }
  for (const r of wl('sqlite', 'POST capture')) {
    if (r.ratio) early(`capture on SQLite (durable) >= 1.0x the Prism mock (c=${r.concurrency})`, `${r.ratio.value}x (${r.rps} vs ${round(prismCaptureByConcurrency.get(r.concurrency!), 0)})`, r.ratio.value >= 1);
  }
  const best = (store: StoreKind, name: string) => Math.max(0, ...wl(store, name).map((r) => r.rps ?? 0));
  if (opts.stores.includes('sqlite')) {
    if (opts.workloads.includes('capture')) early('SQLite >= 3,000 captures/s (best concurrency)', `${best('sqlite', 'POST capture')}/s`, best('sqlite', 'POST capture') >= 3000);
    if (opts.workloads.includes('get')) early('SQLite >= 10,000 GET/s (best concurrency)', `${best('sqlite', 'GET order')}/s`, best('sqlite', 'GET order') >= 10_000);
  }
  for (const r of rows.filter((x) => x.section === 'workload' && x.concurrency === 32 && x.name === 'GET order')) {
    early(`p99 < 25 ms at c=32: ${r.name} (${r.store})`, `${r.p99} ms`, (r.p99 ?? Infinity) < 25);
  }
  for (const [store, p] of Object.entries(processInfo)) early(`RSS < 150 MB under load (${store})`, `${p.rss_load_peak_mb} MB peak`, p.rss_load_peak_mb! < 150);
  for (const [store, s] of Object.entries(scalingInfo)) {
    // At most linear: 10x the lines (captures) may cost at most 10x the time (mean latency at c=1).
    for (const [axis, [small, mid, big]] of [['lines', opts.lineCounts], ['captures', opts.captureCounts]] as const) {
      const m = (n: number) => s.get_by_shape[`GET order, ${n} ${axis}`]?.mean ?? NaN;
      const perUnit = (m(big) - m(mid)) / (big - mid);
      early(
        `GET cost at most linear in ${axis} (${store}): t(${big}) / t(${mid}) <= ${big / mid}`,
        `${m(small).toFixed(2)} / ${m(mid).toFixed(2)} / ${m(big).toFixed(2)} ms for ${small} / ${mid} / ${big} (${(m(big) / m(mid)).toFixed(1)}x; ${(perUnit * 1000).toFixed(1)} us per extra ${axis === 'lines' ? 'line' : 'capture'})`,
        m(big) / m(mid) <= big / mid,
      );
    }
    const sizes = Object.keys(s.by_store_size);
    if (sizes.length >= 2) {
      const first = s.by_store_size[sizes[0]!]!.capture_rps;
      const last = s.by_store_size[sizes[sizes.length - 1]!]!.capture_rps;
      early(`capture throughput independent of store size (${store}, ${sizes.join(' vs ')} orders, >= 0.8x)`, `${first} vs ${last} /s (${(last / first).toFixed(2)}x)`, last >= 0.8 * first);
    }
  }

  // Issue 23: against the ceilings of OpenOM's own work, and start-up, memory and tail latency.
  const ratio = (store: StoreKind, c: number, to: string) => rows.find((r) => r.section === 'ratio' && r.store === store && r.concurrency === c && r.ratio?.to === to)?.ratio?.value;
  for (const r of wl('postgres', 'POST capture')) {
    const own = ownSqlByConcurrency.get(r.concurrency!);
    const value = ratio('postgres', r.concurrency!, "pgbench on OpenOM's capture SQL");
    if (own && value !== undefined) i23(`capture on PostgreSQL >= 0.6x pgbench on OpenOM's capture SQL (c=${r.concurrency})`, `${value}x (${r.rps} vs ${round(own.tps, 0)})`, value >= 0.6);
  }
  for (const r of wl('sqlite', 'POST capture').filter((x) => x.concurrency === 32)) {
    const loop = ratio('sqlite', 32, 'raw better-sqlite3, 32 per commit');
    if (loop !== undefined) i23('capture on SQLite >= 0.6x raw better-sqlite3, 32 per commit (c=32)', `${loop}x (${r.rps} vs ${round(sqliteLoopByConcurrency.get(32)?.rate, 0)})`, loop >= 0.6);
    const wm = ratio('sqlite', 32, 'WireMock');
    if (wm !== undefined) i23('capture on SQLite >= 1.0x WireMock (c=32)', `${wm}x (${r.rps} vs ${round(wiremockCaptureByConcurrency.get(32), 0)})`, wm >= 1);
  }
  for (const [store, min] of [['sqlite', 0.4], ['postgres', 0.3]] as const) {
    for (const r of wl(store, 'GET order').filter((x) => x.concurrency === 32 && x.ratio)) {
      i23(`GET order >= ${min}x hello world (${store}, c=32)`, `${r.ratio!.value}x (${r.rps} vs ${helloByConcurrency.get(32)})`, r.ratio!.value >= min);
    }
  }
  const writesAt32 = rows.filter((x) => x.section === 'workload' && x.concurrency === 32 && isWrite(x));
  for (const r of writesAt32) i23(`p99 < 25 ms at c=32: ${r.name} (${r.store})`, `${r.p99} ms`, (r.p99 ?? Infinity) < 25);
  for (const store of opts.stores) {
    const peaks = writesAt32.filter((r) => r.store === store && r.rss_peak_mb !== undefined).map((r) => r.rss_peak_mb!);
    if (peaks.length > 0) i23(`RSS < 150 MB under c=32 writes (${store})`, `${Math.max(...peaks)} MB peak`, Math.max(...peaks) < 150);
  }
  for (const [store, p] of Object.entries(processInfo)) {
    i23(`ready < 500 ms after spawn (${store}, fresh store)`, `${p.ready_ms_fresh_store} ms`, p.ready_ms_fresh_store! < 500);
    i23(`ready < 500 ms after spawn (${store}, existing store, median)`, `${p.ready_ms_existing_store_median} ms`, p.ready_ms_existing_store_median! < 500);
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
    r.ratio ? `${r.ratio.value.toFixed(2)}x${r.section === 'ratio' ? '' : ` ${r.ratio.to}`}` : '',
    fmt(r.rss_peak_mb, 1),
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i >= 3 && i <= 7 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i >= 3 && i <= 7 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
  for (const b of body) console.log(line(b));
  for (const issue of ['6, 9', '23'] as const) {
    console.log(`\nTargets (issue${issue.includes(',') ? 's' : ''} ${issue}):`);
    for (const t of targets.filter((x) => x.issue === issue)) console.log(`  ${t.met ? 'MET   ' : 'MISSED'}  ${t.target}: ${t.measured}`);
  }
  if (!opts.concurrency.includes(32)) console.log('  (the targets at c=32 need c=32 in --concurrency)');
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
