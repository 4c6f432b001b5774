// Memory under writes: OpenOM's RSS at rest and its peak under captures at c=32, with where the
// resident memory is (from /proc/<pid>/smaps: V8's heap and other anonymous memory, malloc's heap,
// the node binary and shared libraries). RSS is far less disturbed by other load on the machine
// than throughput is, so this is worth running on a busy machine too.
// The load is a number of captures, not a duration: how far the heap grows depends on how much was
// allocated, so runs at different speeds (a busy machine) stay comparable.
// Usage: node --import tsx bench/memory.ts [--quick] [--stores=sqlite,postgres] [--captures=N]
//        [--env=NAME=VALUE,...] (extra environment for OpenOM, e.g. OPENOM_SQLITE_CACHE_MB=16)
//        [--node-flags=--max-old-space-size=4096,...] (after npm start's flags, so they win)
import { readFileSync } from 'node:fs';
import { basicAuth, benchMerchantId, createOrder, standardOrder } from './lib/api.js';
import { RssSampler, cpuSeconds, rssMb, runLoad, sleep, startOpenOM } from './lib/proc.js';
import { openPgStore, openSqliteStore, pgReachable, type BenchStore, type StoreKind } from './lib/stores.js';
import { CREDENTIALS, openomEnv } from './lib/workload.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=').slice(1).join('=');
const quick = process.argv.includes('--quick');
const captures = Number(arg('captures') ?? (quick ? 3000 : 10_000));
const stores = (arg('stores') ?? 'sqlite,postgres').split(',') as StoreKind[];
const nodeFlags = (arg('node-flags') ?? '').split(',').filter(Boolean);
const extraEnv = Object.fromEntries((arg('env') ?? '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

/** Resident MB by kind of mapping, from /proc/<pid>/smaps. */
function residentByKind(pid: number): Record<string, number> {
  const kinds: Record<string, number> = {};
  let kind = 'anonymous';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      const path = mapping[1]!;
      kind = path === '' ? 'anonymous (V8 heap, buffers, mmap)' : path === '[heap]' ? 'malloc heap' : path.startsWith('[') ? path : path.endsWith('/node') ? 'node binary' : 'files (libraries, addons, db)';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kinds[kind] = (kinds[kind] ?? 0) + Number(rss[1]) / 1024;
  }
  return kinds;
}

const describe = (kinds: Record<string, number>) =>
  Object.entries(kinds)
    .filter(([, mb]) => mb >= 0.5)
    .sort(([, a], [, b]) => b - a)
    .map(([kind, mb]) => `${kind} ${mb.toFixed(1)}`)
    .join(', ');

async function measure(kind: StoreKind): Promise<void> {
  const store: BenchStore = kind === 'postgres' ? await openPgStore(`openom_memory_${process.pid}`) : openSqliteStore();
  const server = await startOpenOM({ ...openomEnv(store.url), ...extraEnv }, nodeFlags);
  try {
    const pid = server.proc.pid!;
    const merchantId = await benchMerchantId(server.url, CREDENTIALS);
    const templateId = await createOrder(server.url, CREDENTIALS, merchantId, standardOrder());
    await sleep(500);
    const idle = rssMb(pid)!;
    const idleKinds = residentByKind(pid);
    await store.cloneOrders(templateId, captures, 'memory-capture');
    const ids = await store.idsTagged('memory-capture');
    const rss = new RssSampler(pid);
    const cpuBefore = cpuSeconds(pid);
    const result = await runLoad({ url: server.url, auth: basicAuth(CREDENTIALS), connections: 32, amount: captures, kind: 'capture', ids: { capture: ids } });
    const peak = rss.peak();
    // CPU per capture: what a smaller heap costs in collections, and far less load-sensitive than captures/s.
    const cpuPerCaptureMs = ((cpuSeconds(pid) - cpuBefore) * 1000) / result.requests;
    const loadedKinds = residentByKind(pid);
    rss.stop();
    console.log(`${kind}: RSS idle ${idle.toFixed(1)} MB, peak under captures at c=32 ${peak.toFixed(1)} MB (${result.requests} captures, ${result.rps}/s, ${result.non2xx} non-2xx; server CPU ${cpuPerCaptureMs.toFixed(2)} ms per capture)`);
    console.log(`  idle: ${describe(idleKinds)}`);
    console.log(`  after load: ${describe(loadedKinds)}`);
  } finally {
    await server.stop();
    await store.drop();
  }
}

if (Object.keys(extraEnv).length > 0 || nodeFlags.length > 0) console.log(`OpenOM env: ${JSON.stringify(extraEnv)}, extra node flags: ${nodeFlags.join(' ') || 'none'}`);
for (const kind of stores) {
  if (kind === 'postgres' && !(await pgReachable())) {
    console.log('postgres: not reachable, skipped');
    continue;
  }
  await measure(kind);
}
