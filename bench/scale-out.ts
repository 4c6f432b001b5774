// Scale-out (issue 23.3): 1, 2 and 4 OpenOM instances on one PostgreSQL database (the compose
// layout), the load generator spreading its connections evenly over the instances' ports (no proxy
// in between to pay for). Per instance count, on a fresh database: captures/s and p99 at c=32 (and
// GET order), the OpenOM processes' CPU use and RSS.
// Usage: npm run bench:scale-out [-- --quick] [--no-build] [--instances=1,2,4] [--concurrency=32]
//        [--duration=SECONDS] [--workloads=capture,get]
// Prints a table and writes bench/results/<timestamp>-scale-out.json; exits 1 on any non-2xx.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { basicAuth, createOrder, benchMerchantId, standardOrder } from './lib/api.js';
import { cpuSeconds, ROOT, RssSampler, runLoad, startOpenOM, type LoadResult, type Server } from './lib/proc.js';
import { dropAllPgDatabases, openPgStore, pgReachable, type BenchStore } from './lib/stores.js';
import { CapturePool, CREDENTIALS, openomEnv } from './lib/workload.js';

const argv = process.argv.slice(2);
const unknown = argv.filter((a) => !/^--(quick|no-build|instances=[\d,]+|concurrency=\d+|duration=[\d.]+|workloads=(capture|get)(,(capture|get))?)$/.test(a));
if (unknown.length > 0) {
  console.error(`bench/scale-out: unknown option(s) ${unknown.join(' ')} (see the header of bench/scale-out.ts)`);
  process.exit(2);
}
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const QUICK = argv.includes('--quick');
const opts = {
  instances: (option('instances') ?? '1,2,4').split(',').map(Number),
  concurrency: Number(option('concurrency') ?? 32),
  duration: Number(option('duration') ?? (QUICK ? 2 : 10)),
  workloads: (option('workloads') ?? 'capture,get').split(',') as ('capture' | 'get')[],
  warmupSeconds: QUICK ? 1 : 3,
  getPool: QUICK ? 200 : 1000,
};
const log = (msg: string) => process.stderr.write(`[scale-out ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

interface Row {
  instances: number;
  workload: string;
  concurrency: number;
  rps: number;
  p50: number | null;
  p99: number | null;
  errors: number;
  /** OpenOM processes' CPU seconds per second of the run, summed: cores busy in OpenOM. */
  openom_cores: number;
  rss_peak_mb_max: number;
  rss_peak_mb_sum: number;
  status: Record<string, number>;
}

const rows: Row[] = [];
const failures: string[] = [];

async function startInstances(store: BenchStore, n: number): Promise<Server[]> {
  const servers: Server[] = [];
  try {
    // The first migrates the fresh database; the others find it migrated, as in a rolling start.
    for (let i = 0; i < n; i++) servers.push(await startOpenOM(openomEnv(store.url)));
    return servers;
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    throw err;
  }
}

async function measure(n: number): Promise<void> {
  const store = await openPgStore(`openom_bench_${process.pid}_scaleout_${n}`);
  let servers: Server[] = [];
  try {
    log(`${n} instance(s): starting`);
    servers = await startInstances(store, n);
    const urls = servers.map((s) => s.url);
    const merchantId = await benchMerchantId(urls[0]!, CREDENTIALS);
    const templateId = await createOrder(urls[0]!, CREDENTIALS, merchantId, standardOrder());
    await store.cloneOrders(templateId, opts.getPool, 'bench-get');
    const getIds = await store.idsTagged('bench-get');
    const pool = new CapturePool(store, templateId, 3000);
    const base = { url: urls[0]!, urls, auth: basicAuth(CREDENTIALS), ids: { get: getIds } };
    // Every instance compiles its hot paths before it is measured.
    await runLoad({ ...base, connections: Math.max(8, 2 * n), duration: opts.warmupSeconds, kind: 'get' });
    await pool.runLoad({ ...base, connections: Math.max(8, 2 * n), duration: opts.warmupSeconds, kind: 'capture' }, 1);
    for (const w of opts.workloads) {
      const samplers = servers.map((s) => new RssSampler(s.proc.pid));
      const cpuBefore = servers.map((s) => cpuSeconds(s.proc.pid));
      log(`${n} instance(s): ${w} c=${opts.concurrency}`);
      const r: LoadResult = await pool.runLoad({ ...base, connections: opts.concurrency, duration: opts.duration, kind: w }, w === 'capture' ? 1 : 0, () => samplers.forEach((x) => x.reset()));
      const cores = servers.reduce((sum, s, i) => sum + cpuSeconds(s.proc.pid) - cpuBefore[i]!, 0) / r.seconds;
      const peaks = samplers.map((x) => x.peak());
      samplers.forEach((x) => x.stop());
      const errors = r.non2xx + r.errors + r.timeouts;
      if (errors > 0 || r.requests === 0) failures.push(`${n} instance(s) ${w}: ${r.non2xx} non-2xx (${JSON.stringify(r.status)}), ${r.errors} socket errors, ${r.timeouts} timeouts`);
      rows.push({
        instances: n,
        workload: w === 'capture' ? 'POST capture' : 'GET order',
        concurrency: opts.concurrency,
        rps: Math.round(r.rps),
        p50: r.latency_ms.p50,
        p99: r.latency_ms.p99,
        errors,
        openom_cores: Number(cores.toFixed(2)),
        rss_peak_mb_max: Number(Math.max(...peaks).toFixed(1)),
        rss_peak_mb_sum: Number(peaks.reduce((a, b) => a + b, 0).toFixed(1)),
        status: r.status,
      });
      log(`  ${Math.round(r.rps)}/s, p99 ${r.latency_ms.p99?.toFixed(2)} ms, OpenOM ${cores.toFixed(2)} cores`);
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await store.drop();
  }
}

function printTable(): void {
  const oneInstance = (w: string) => rows.find((r) => r.instances === 1 && r.workload === w)?.rps;
  const header = ['instances', 'workload', 'conc', 'req/s', 'vs 1 instance', 'p50 ms', 'p99 ms', 'errors', 'OpenOM cores', 'RSS MB max / sum'];
  const body = rows.map((r) => {
    const one = oneInstance(r.workload);
    return [String(r.instances), r.workload, String(r.concurrency), String(r.rps), one ? `${(r.rps / one).toFixed(2)}x` : '-', r.p50?.toFixed(2) ?? '-', r.p99?.toFixed(2) ?? '-', String(r.errors), r.openom_cores.toFixed(2), `${r.rss_peak_mb_max} / ${r.rss_peak_mb_sum}`];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 1 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const b of body) console.log(line(b));
}

async function main(): Promise<void> {
  const started = new Date();
  const loadStart = loadavg();
  if (!argv.includes('--no-build')) {
    log('npm run build');
    if (spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] }).status !== 0) throw new Error('npm run build failed');
  }
  const pgVersion = await pgReachable();
  if (!pgVersion) throw new Error('PostgreSQL is not reachable (BENCH_PG_URL or postgres://postgres@127.0.0.1:5432/postgres): scale-out needs it');
  for (const n of opts.instances) await measure(n);
  const loadEnd = loadavg();
  console.log(`\nOpenOM scale-out ${QUICK ? '(quick) ' : ''}${started.toISOString()}, ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}`);
  console.log(`instances on one PostgreSQL database, the load generator spreading ${opts.concurrency} connections evenly over them, ${opts.duration} s per run`);
  console.log(`load average at start ${loadStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadEnd.map((l) => l.toFixed(2)).join(' ')}\n`);
  printTable();
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${started.toISOString().replace(/[:.]/g, '-')}-scale-out${QUICK ? '-quick' : ''}.json`);
  const machine = { cpus: cpus().length, cpu_model: cpus()[0]?.model, node: process.version, loadavg_start: loadStart, loadavg_end: loadEnd, postgres: pgVersion };
  writeFileSync(file, `${JSON.stringify({ started_at: started.toISOString(), finished_at: new Date().toISOString(), machine, options: opts, rows, failures }, null, 2)}\n`);
  console.log(`\nresults: ${file}`);
  if (failures.length > 0) {
    console.error(`\nFAILED:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

const cleanupAndExit = (code: number) => void dropAllPgDatabases().finally(() => process.exit(code));
process.on('SIGINT', () => cleanupAndExit(130));
main().catch((err: unknown) => {
  console.error(`scale-out failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  cleanupAndExit(1);
});
