// Klarna Payments headless (issue 21): on each store, N times one after another, a payment session
// created, authorized through the headless sandbox call and turned into an Order Management order
// from its token, over real HTTP on 127.0.0.1; prints the session → order time (median, p95, max).
// In-process server (the test harness's), so it needs no build.
// Usage: node --import tsx bench/payments.ts [--quick] [--n=200] [--only=sqlite|postgres]
import { loadavg } from 'node:os';
import { createMerchant, listenOnLocalPort, orderBody, postgresReachable, startTestApp, type Backend } from '../test/support/harness.js';

const argv = process.argv.slice(2);
const unknown = argv.filter((a) => !/^--(quick|n=\d+|only=(sqlite|postgres))$/.test(a));
if (unknown.length > 0) {
  console.error(`bench/payments: unknown option(s) ${unknown.join(' ')} (see the header of bench/payments.ts)`);
  process.exit(2);
}
const N = Number(argv.find((a) => a.startsWith('--n='))?.slice(4) ?? (argv.includes('--quick') ? 20 : 200));
const only = argv.find((a) => a.startsWith('--only='))?.slice(7);

async function post(base: string, auth: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function run(backend: Backend): Promise<void> {
  const t = await startTestApp(backend, { OPENOM_PROFILE: 'klarna' });
  try {
    const m = await createMerchant(t, 'Bench Payments AB');
    const base = `http://127.0.0.1:${await listenOnLocalPort(t)}`;
    const auth = `Basic ${Buffer.from(`${m.username}:${m.password}`).toString('base64')}`;
    const cart = orderBody();
    const times: number[] = [];
    for (let i = 0; i < N; i++) {
      const started = performance.now();
      const session = await post(base, auth, '/payments/v1/sessions', cart);
      const authorized = await post(base, auth, `/sandbox/v1/payments/sessions/${String(session.session_id)}/authorize`, { outcome: 'accepted' });
      await post(base, auth, `/payments/v1/authorizations/${String(authorized.authorization_token)}/order`, cart);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    console.log(`${backend}: session → order (3 calls) x${N}: median ${ms(percentile(times, 50))}, p95 ${ms(percentile(times, 95))}, max ${ms(times.at(-1)!)}`);
  } finally {
    await t.close();
  }
}

console.log(`bench/payments: load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (const backend of ['sqlite', 'postgres'] as const) {
  if (only !== undefined && only !== backend) continue;
  if (backend === 'postgres' && !(await postgresReachable())) {
    console.log('postgres: skipped (unreachable)');
    continue;
  }
  await run(backend);
}
