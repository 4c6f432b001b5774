// Subscriptions (issue 20), on each store: (1) a year of renewals end to end, as a merchant's test
// suite would drive it: twelve times "advance the sandbox clock a month, charge the customer token
// with auto_capture", one month declined by a sandbox fault (403 PAYMENT_METHOD_FAILED) and retried
// with its idempotency key; (2) token orders per second (no auto_capture), C at a time over T tokens,
// beside captures per second of those same orders, through the same server.
// Usage: node --import tsx bench/renewals.ts [--quick] [--years=5] [--orders=400] [--concurrency=8] [--tokens=16] [--only=sqlite|postgres] [--no-build]
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { standardOrder } from './lib/api.js';
import { ROOT, startOpenOM } from './lib/proc.js';
import { dropAllPgDatabases, openPgStore, openSqliteStore, pgReachable, type BenchStore } from './lib/stores.js';

const argv = process.argv.slice(2);
const unknown = argv.filter((a) => !/^--(quick|years=\d+|orders=\d+|concurrency=\d+|tokens=\d+|only=(sqlite|postgres)|no-build)$/.test(a));
if (unknown.length > 0) {
  console.error(`bench/renewals: unknown option(s) ${unknown.join(' ')} (see the header of bench/renewals.ts)`);
  process.exit(2);
}
const quick = argv.includes('--quick');
const option = (name: string, fallback: number) => Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const YEARS = option('years', quick ? 2 : 5);
const ORDERS = option('orders', quick ? 100 : 400);
const CONCURRENCY = option('concurrency', 8);
const TOKENS = option('tokens', quick ? 4 : 16);
const only = argv.find((a) => a.startsWith('--only='))?.slice(7);
if (!argv.includes('--no-build')) spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });

const USER = 'bench_renewals';
const PASSWORD = 'bench-renewals-password-1';
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const MONTH_SECONDS = 30 * 86_400;

type Json = Record<string, unknown>;

async function api(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: AUTH, ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {} };
}

async function expect(status: number, call: Promise<{ status: number; json: Json }>, what: string): Promise<Json> {
  const res = await call;
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

const URLS = { terms: 'https://shop.example/terms', checkout: 'https://shop.example/checkout', confirmation: 'https://shop.example/thanks', push: 'https://shop.example/push' };

/** A recurring checkout bought through the sandbox: its customer token. */
async function newToken(base: string): Promise<string> {
  const { billing_address: _b, shipping_address: _s, ...order } = standardOrder();
  const created = await expect(201, api(base, 'POST', '/checkout/v3/orders', { ...order, merchant_urls: URLS, recurring: true }), 'checkout');
  await expect(200, api(base, 'POST', `/sandbox/v1/checkout/${String(created.order_id)}/complete`, { outcome: 'accepted' }), 'complete');
  return String((await expect(200, api(base, 'GET', `/checkout/v3/orders/${String(created.order_id)}`), 'read checkout')).recurring_token);
}

const renewal = (autoCapture: boolean) => ({
  purchase_currency: 'SEK',
  order_amount: 4_900,
  order_tax_amount: 980,
  order_lines: [{ type: 'physical', reference: 'BOX-M', name: 'Tomato box', quantity: 1, unit_price: 4_900, tax_rate: 2_500, total_amount: 4_900, total_tax_amount: 980 }],
  auto_capture: autoCapture,
});

/** One year of a subscription, end to end; ms. The fault declines month 6, which is retried with the same key. */
async function oneYear(base: string, token: string, year: number): Promise<number> {
  const started = performance.now();
  for (let month = 1; month <= 12; month++) {
    await expect(200, api(base, 'POST', '/sandbox/v1/clock/advance', { seconds: MONTH_SECONDS }), 'advance');
    if (month === 6) await expect(201, api(base, 'POST', '/sandbox/v1/faults', { method: 'POST', path: '/customer-token/v1/tokens/*/order', status: 403 }), 'fault');
    const send = () => api(base, 'POST', `/customer-token/v1/tokens/${token}/order`, renewal(true), { 'klarna-idempotency-key': `y${year}-m${month}` });
    let res = await send();
    if (month === 6) {
      if (res.status !== 403 || res.json.error_code !== 'PAYMENT_METHOD_FAILED') throw new Error(`month 6 was not declined: ${res.status}`);
      res = await send();
    }
    if (res.status !== 200) throw new Error(`month ${month}: ${res.status} ${JSON.stringify(res.json)}`);
  }
  return performance.now() - started;
}

/** Runs work(i) for i < n, concurrency at a time; seconds taken. */
async function inParallel(n: number, concurrency: number, work: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await work(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}

async function runOn(store: BenchStore): Promise<void> {
  const server = await startOpenOM({ DATABASE_URL: store.url, OPENOM_SANDBOX_USERNAME: USER, OPENOM_SANDBOX_PASSWORD: PASSWORD, LOG_LEVEL: 'warn' });
  try {
    const years: number[] = [];
    for (let y = 0; y < YEARS; y++) years.push(await oneYear(server.url, await newToken(server.url), y));
    const sorted = [...years].sort((a, b) => a - b);
    console.log(`\n${store.kind}: twelve renewals with twelve clock advances and one declined + retried, end to end`);
    console.log(`  ${YEARS} years: p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms (target < 2000 ms)`);

    const tokens = await Promise.all(Array.from({ length: TOKENS }, () => newToken(server.url)));
    const orderIds: string[] = [];
    const orderSeconds = await inParallel(ORDERS, CONCURRENCY, async (i) => {
      const placed = await expect(200, api(server.url, 'POST', `/customer-token/v1/tokens/${tokens[i % TOKENS]!}/order`, renewal(false)), 'token order');
      orderIds.push(String(placed.order_id));
    });
    const captureSeconds = await inParallel(orderIds.length, CONCURRENCY, async (i) => {
      await expect(201, api(server.url, 'POST', `/ordermanagement/v1/orders/${orderIds[i]!}/captures`, { captured_amount: 4_900 }), 'capture');
    });
    console.log(`  token orders: ${ORDERS} over ${TOKENS} tokens, ${CONCURRENCY} at a time: ${(ORDERS / orderSeconds).toFixed(0)} orders/s`);
    console.log(`  captures of those orders, same concurrency:        ${(ORDERS / captureSeconds).toFixed(0)} captures/s`);
  } finally {
    await server.stop();
  }
}

console.log(`bench/renewals: node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
let failed = false;
try {
  if (only !== 'postgres') {
    const store = openSqliteStore();
    await runOn(store).finally(() => store.drop());
  }
  if (only !== 'sqlite') {
    if (await pgReachable()) {
      const store = await openPgStore(`openom_bench_${process.pid}_renewals`);
      await runOn(store).finally(() => store.drop());
    } else {
      console.log('\npostgres: skipped (PostgreSQL unreachable)');
    }
  }
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await dropAllPgDatabases();
}
process.exit(failed ? 1 : 0);
