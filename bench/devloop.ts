// The developer loop's figures (CONTRACT §15, issue 22): the time from `npm start` (the bundle,
// dist/openom.mjs) to a fixture-loaded merchant answering, and a merchant snapshot of N orders:
// loading them as fixtures, exporting, resetting, importing, and its size.
//   node --import tsx bench/devloop.ts [--quick] [--postgres]
// --quick: 1 000 orders instead of 10 000. Needs `npm run build` for the start-up figure.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, startTestApp, type Backend, type MerchantCredentials } from '../test/support/harness.js';

const ROOT = new URL('../', import.meta.url).pathname;
const quick = process.argv.includes('--quick');
const backends: Backend[] = process.argv.includes('--postgres') ? ['sqlite', 'postgres'] : ['sqlite'];
const ORDERS = quick ? 1_000 : 10_000;

const ms = (since: number) => Math.round(performance.now() - since);

async function startupToFixtureMerchant(): Promise<number | string> {
  const bundle = join(ROOT, 'dist/openom.mjs');
  if (!existsSync(bundle)) return 'skipped: run `npm run build` first';
  const dir = mkdtempSync(join(tmpdir(), 'openom-bench-'));
  const fixtures = JSON.parse(readFileSync(join(ROOT, 'examples/fixtures.json'), 'utf8')) as { merchants: { username: string; password: string }[] };
  const m = fixtures.merchants[0]!;
  const port = 20_000 + Math.floor(Math.random() * 10_000);
  const started = performance.now();
  const child = spawn(process.execPath, ['--max-semi-space-size=2', bundle], {
    env: { ...process.env, PORT: String(port), DATABASE_URL: `sqlite:${join(dir, 'openom.sqlite')}`, OPENOM_FIXTURES: join(ROOT, 'examples/fixtures.json'), LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  try {
    const auth = `Basic ${Buffer.from(`${m.username}:${m.password}`).toString('base64')}`;
    // Ready means the fixtures are loaded (asking for the merchant before would count as failed logins).
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.status, () => 0);
      if (ready === 200) break;
      if (performance.now() - started > 60_000) return 'not ready within 60 s';
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const status = await fetch(`http://127.0.0.1:${port}/ordermanagement/v1/orders/0b6a1c8e-1111-4c3b-8d2e-000000000002`, { headers: { authorization: auth } }).then((r) => r.status);
    return status === 200 ? ms(started) : `the fixture order answered ${status}`;
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** N orders: every third captured in part, every fifth captured and refunded in part. */
function fixturesOf(n: number) {
  const order = { purchase_country: 'SE', purchase_currency: 'SEK', locale: 'sv-SE', order_amount: 10_000, order_tax_amount: 0, order_lines: [{ type: 'physical', reference: 'SKU-1', name: 'Tomatoes', quantity: 1, unit_price: 10_000, tax_rate: 0, total_amount: 10_000, total_tax_amount: 0 }] };
  const hex = (i: number) => i.toString(16).padStart(12, '0');
  return {
    openom_fixtures: 1,
    merchants: [
      {
        merchant_id: '00000000-beec-4000-8000-000000000001',
        name: 'Bench shop',
        username: 'PK_bench_snapshot',
        password: 'bench-password-1',
        orders: Array.from({ length: n }, (_, i) => ({
          order_id: `0b6a1c8e-2222-4c3b-8d2e-${hex(i)}`,
          order: { ...order, merchant_reference1: `bench-${i}` },
          ...(i % 5 === 0 ? { captures: [{ captured_amount: 10_000 }], refunds: [{ refunded_amount: 2_500 }] } : i % 3 === 0 ? { captures: [{ captured_amount: 4_000 }] } : {}),
        })),
      },
    ],
  };
}

async function snapshotFigures(backend: Backend) {
  const t = await startTestApp(backend, { OPENOM_BODY_LIMIT_BYTES: String(100 * 1024 * 1024) });
  try {
    const fixtures = fixturesOf(ORDERS);
    const m = fixtures.merchants[0]!;
    const merchant: MerchantCredentials = { merchant_id: m.merchant_id, username: m.username, password: m.password };
    let at = performance.now();
    const loaded = await call(t, { method: 'POST', url: '/admin/v1/fixtures', auth: 'admin', body: fixtures });
    if (loaded.statusCode !== 200) throw new Error(`fixtures: ${loaded.statusCode} ${loaded.body.slice(0, 300)}`);
    const loadMs = ms(at);
    at = performance.now();
    const exported = await call(t, { method: 'GET', url: '/sandbox/v1/snapshot', auth: merchant });
    const exportMs = ms(at);
    at = performance.now();
    await call(t, { method: 'POST', url: '/sandbox/v1/reset', auth: merchant });
    const resetMs = ms(at);
    at = performance.now();
    const imported = await call(t, { method: 'PUT', url: '/sandbox/v1/snapshot', auth: merchant, body: exported.body });
    if (imported.statusCode !== 204) throw new Error(`import: ${imported.statusCode} ${imported.body.slice(0, 300)}`);
    const importMs = ms(at);
    const again = await call(t, { method: 'GET', url: '/sandbox/v1/snapshot', auth: merchant });
    return {
      backend,
      orders: ORDERS,
      fixtures_load_ms: loadMs,
      snapshot_bytes: Buffer.byteLength(exported.body),
      export_ms: exportMs,
      reset_ms: resetMs,
      import_ms: importMs,
      byte_identical: again.body === exported.body,
    };
  } finally {
    await t.close();
  }
}


console.log(JSON.stringify({ npm_start_to_fixture_merchant_ms: await startupToFixtureMerchant() }));
for (const backend of backends) console.log(JSON.stringify(await snapshotFigures(backend)));
