// Start-up time: spawn → first 200 from /health/ready, on a fresh SQLite store and on an existing
// one, for one or more builds in alternating runs (so a drift in the machine's load favours none).
// Also the CPU time the process used until then (Linux /proc), which other load on a shared
// machine disturbs far less than the wall-clock time.
// Usage: node --import tsx bench/ready-time.ts [--runs=N] [dist/openom.mjs other/build.mjs ...]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpenOM } from './lib/proc.js';

const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.split('=')[1] ?? 7);
const builds = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (builds.length === 0) builds.push('dist/openom.mjs');

const env = { LOG_LEVEL: 'warn', OPENOM_ADMIN_TOKEN: 'bench-admin-token-0123456789', OPENOM_SANDBOX_USERNAME: 'bench', OPENOM_SANDBOX_PASSWORD: 'bench-password' };
interface Sample {
  wallMs: number;
  cpuMs: number;
}
const samples: Record<string, { fresh: Sample[]; existing: Sample[] }> = {};

/** User + system CPU time of a process, from /proc/<pid>/stat (fields 14 and 15, in 10 ms ticks). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function ready(build: string, databaseUrl: string): Promise<Sample> {
  process.env.BENCH_OPENOM_MAIN = build;
  const server = await startOpenOM({ ...env, DATABASE_URL: databaseUrl });
  const cpuMs = cpuMsOf(server.proc.pid!);
  await server.stop();
  return { wallMs: server.readyMs, cpuMs };
}

const dir = mkdtempSync(join(tmpdir(), 'openom-ready-'));
try {
  for (let run = 0; run < runs; run++) {
    const order = run % 2 ? [...builds].reverse() : builds;
    for (const build of order) {
      const url = `sqlite:${join(dir, `${run}-${builds.indexOf(build)}.sqlite`)}`;
      const t = (samples[build] ??= { fresh: [], existing: [] });
      t.fresh.push(await ready(build, url));
      t.existing.push(await ready(build, url));
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const describe = (xs: Sample[]) => `${median(xs.map((x) => x.wallMs)).toFixed(0)} ms (CPU ${median(xs.map((x) => x.cpuMs)).toFixed(0)} ms)`;
for (const build of builds) {
  const t = samples[build]!;
  console.log(`${build}: ready after spawn, median of ${runs}: fresh store ${describe(t.fresh)}, existing store ${describe(t.existing)}`);
}
