// CLI start-up (issue 12.3): wall time of `node bin/openom.mjs <command>` per command, from spawn to
// exit, against a local server on a scratch SQLite store, next to `node -e 0` (Node's own start).
// Usage: node --import tsx bench/cli.ts [--runs=N] [--no-build]   (default 15 runs per command)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startOpenOM } from './lib/proc.js';

const argv = process.argv.slice(2);
const unknown = argv.filter((a) => !/^--(runs=\d+|no-build)$/.test(a));
if (unknown.length > 0) {
  console.error(`bench/cli: unknown option(s) ${unknown.join(' ')} (see the header of bench/cli.ts)`);
  process.exit(2);
}
const RUNS = Number(argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 15);
if (!argv.includes('--no-build')) spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });

const ADMIN_TOKEN = 'bench-cli-admin-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'openom-bench-cli-'));
const databaseUrl = `sqlite:${join(dir, 'openom.sqlite')}`;
const server = await startOpenOM({ DATABASE_URL: databaseUrl, OPENOM_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn' });
let env: Record<string, string> = { ...process.env, OPENOM_URL: server.url, OPENOM_ADMIN_TOKEN: ADMIN_TOKEN, DATABASE_URL: databaseUrl } as Record<string, string>;

/** Runs a command once; returns its wall time in ms and what it printed. */
function once(args: string[], expectedCode = 0): { ms: number; stdout: string } {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== expectedCode) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const openom = (...args: string[]) => ['bin/openom.mjs', ...args];
const rows: [string, number[]][] = [];
function measure(label: string, args: (i: number) => string[], expectedCode = 0): void {
  rows.push([label, Array.from({ length: RUNS }, (_, i) => once(args(i), expectedCode).ms)]);
}

try {
  const merchant = JSON.parse(once(openom('merchants', 'create', '--name', 'Bench CLI AB')).stdout) as { merchant_id: string; username: string; password: string };
  env = { ...env, OPENOM_USERNAME: merchant.username, OPENOM_PASSWORD: merchant.password };
  const orderIds: string[] = [];
  const createOrder = () => openom('orders', 'create', '--merchant', merchant.merchant_id, '--file', 'examples/order-se.json');

  measure('node -e 0 (Node itself)', () => ['-e', '0']);
  measure('--version', () => openom('--version'));
  measure('capture --help', () => openom('capture', '--help'));
  measure('merchants list', () => openom('merchants', 'list'));
  rows.push(['orders create --file', Array.from({ length: RUNS }, () => {
    const r = once(createOrder());
    orderIds.push((JSON.parse(r.stdout) as { order_id: string }).order_id);
    return r.ms;
  })]);
  measure('orders get', (i) => openom('orders', 'get', orderIds[i]!));
  measure('capture', (i) => openom('capture', orderIds[i]!, '--amount', '6000'));
  measure('refund', (i) => openom('refund', orderIds[i]!, '--amount', '100'));
  measure('release', (i) => openom('release', orderIds[i]!));
  measure('clock', () => openom('clock'));
  measure('capture refused (exit 1)', (i) => openom('capture', orderIds[i]!, '--amount', '1'), 1);
  measure('ledger check (SQLite)', () => openom('ledger', 'check'));

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const max = (xs: number[]) => Math.max(...xs);
  console.log(`\nCLI wall time per command, ${RUNS} runs each (ms), load average ${loadavg()[0]!.toFixed(1)}, Node ${process.version}`);
  console.log(`${'command'.padEnd(28)} ${'median'.padStart(7)} ${'max'.padStart(7)}`);
  for (const [label, times] of rows) console.log(`${label.padEnd(28)} ${median(times).toFixed(0).padStart(7)} ${max(times).toFixed(0).padStart(7)}`);
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
