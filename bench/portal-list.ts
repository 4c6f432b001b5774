// The portal's order list with 100,000 orders in the store, on SQLite (a file) and PostgreSQL:
// server time of GET /portal/orders (first page, a page deep in the list, each status filter, a
// search), measured with app.inject, so it is the server's time without the network.
// Usage: node --import tsx bench/portal-list.ts [--orders=100000] [--runs=30] [--only=sqlite|postgres]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { buildApp } from '../src/app.js';
import { loadConfig, type StoreConfig } from '../src/config.js';
import { DAY_MS, toKlarnaTimestamp } from '../src/domain/time.js';
import { hashPassword } from '../src/secrets.js';
import { openStore, type Store } from '../src/store/dialect.js';
import { insertMerchant } from '../src/store/merchants.js';
import { migrate } from '../src/store/migrations.js';
import { newOrderRow } from '../src/store/orders.js';
import type { OrdersTable } from '../src/store/schema.js';
import { createPgDatabase, dropPgDatabase, pgReachable } from './lib/stores.js';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const ORDERS = Number(arg('orders', '100000'));
const RUNS = Number(arg('runs', '30'));
const ONLY = arg('only', '');
const BATCH = 500;

/** Orders spread over the last 100 days, in the mix a shop has: most captured, some part captured,
 * cancelled, or untouched (authorized when recent, expired when older than 28 days). */
function orderRow(merchantId: string, i: number, now: number): OrdersTable {
  const created = new Date(now - Math.floor(((ORDERS - i) / ORDERS) * 100 * DAY_MS));
  const row = newOrderRow(
    merchantId,
    {
      purchase_country: 'SE',
      purchase_currency: 'SEK',
      locale: 'sv-SE',
      order_amount: 10_000 + (i % 50) * 100,
      merchant_reference1: `ORDER-${100_000 + i}`,
      merchant_reference2: i % 3 === 0 ? `cart-${i}` : undefined,
      order_lines: [{ type: 'physical', reference: 'SKU-1', name: 'Tomatoes', quantity: 1, unit_price: 10_000 + (i % 50) * 100, tax_rate: 0, total_amount: 10_000 + (i % 50) * 100, total_tax_amount: 0 }],
    },
    { now: created, merchantUrls: i % 10 === 9 ? { push: 'https://shop.example/push' } : null },
  );
  const kind = i % 10;
  if (kind <= 5) row.captured_amount = row.order_amount;
  if (kind === 6) row.captured_amount = Math.floor(row.order_amount / 2);
  if (kind === 7) row.cancelled = 1;
  // Checkout orders are acknowledged, but for a few the merchant missed.
  if (kind === 9) row.acknowledged = i % 100 === 99 ? 0 : 1;
  row.expires_at = toKlarnaTimestamp(new Date(created.getTime() + 28 * DAY_MS));
  row.initial_expires_at = row.expires_at;
  return row;
}

async function seed(store: Store): Promise<{ merchantId: string; username: string; password: string; sample: OrdersTable }> {
  const merchantId = randomUUID();
  const password = 'bench-password-123';
  await insertMerchant(store, { merchant_id: merchantId, name: 'Bench Shop', username: 'bench', password_hash: await hashPassword(password), created_at: new Date().toISOString() });
  const now = Date.now();
  let sample: OrdersTable | undefined;
  for (let start = 0; start < ORDERS; start += BATCH) {
    const rows = [];
    for (let i = start; i < Math.min(ORDERS, start + BATCH); i++) rows.push(orderRow(merchantId, i, now));
    sample ??= rows[17];
    await store.db.insertInto('orders').values(rows).execute();
  }
  await sql.raw(store.dialect === 'postgres' ? 'analyze orders' : 'analyze').execute(store.db);
  return { merchantId, username: 'bench', password, sample: sample! };
}

/** min, median and p95 in ms; on a shared machine the minimum is the closest to the uncontended cost. */
function stats(ms: number[]): { min: string; median: string; p95: string } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN).toFixed(2).padStart(7);
  return { min: at(0), median: at(0.5), p95: at(0.95) };
}

async function measure(kind: 'sqlite' | 'postgres', storeConfig: StoreConfig): Promise<void> {
  const config = { ...loadConfig({ LOG_LEVEL: 'silent', OPENOM_ADMIN_TOKEN: 'bench-admin-token-0123456789' }), store: storeConfig };
  const store = openStore(storeConfig, { merchantClocks: true });
  await migrate(store);
  const t0 = performance.now();
  const { username, password, sample } = await seed(store);
  console.log(`[${kind}] seeded ${ORDERS} orders in ${Math.round(performance.now() - t0)} ms`);
  const app = await buildApp({ config, store, readiness: { migrated: true }, adminTokenDigest: () => undefined });
  await app.ready();
  // Log in through the form, as a browser does.
  const form = await app.inject({ method: 'GET', url: '/portal/login' });
  const loginToken = /name="login_token" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const loginCookie = ([form.headers['set-cookie']].flat()[0] ?? '').split(';')[0];
  const login = await app.inject({
    method: 'POST',
    url: '/portal/login',
    headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ login_token: loginToken, username, password }).toString(),
  });
  const cookie = ([login.headers['set-cookie']].flat()[0] ?? '').split(';')[0] ?? '';
  const deep = await store.db.selectFrom('orders').select(['created_at', 'order_id']).orderBy('created_at', 'desc').orderBy('order_id', 'desc').offset(Math.floor(ORDERS / 2)).limit(1).executeTakeFirstOrThrow();
  const cases: [string, string][] = [
    ['first page', '/portal/orders'],
    [`page at order ${Math.floor(ORDERS / 2)} (keyset)`, `/portal/orders?after=${deep.created_at}_${deep.order_id}`],
    ['status AUTHORIZED', '/portal/orders?status=AUTHORIZED'],
    ['status PART_CAPTURED', '/portal/orders?status=PART_CAPTURED'],
    ['status CAPTURED', '/portal/orders?status=CAPTURED'],
    ['status CANCELLED', '/portal/orders?status=CANCELLED'],
    ['status EXPIRED', '/portal/orders?status=EXPIRED'],
    ['Not acknowledged', '/portal/orders?status=NOT_ACKNOWLEDGED'],
    ['search klarna_reference', `/portal/orders?q=${sample.klarna_reference}`],
    ['search merchant_reference1', `/portal/orders?q=${sample.merchant_reference1}`],
    ['search order id', `/portal/orders?q=${sample.order_id}`],
    ['search, no match', '/portal/orders?q=nothing-like-this'],
    ['EXPIRED page at order 50000', `/portal/orders?status=EXPIRED&after=${deep.created_at}_${deep.order_id}`],
  ];
  for (const [name, url] of cases) {
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < RUNS + 3; i++) {
      const start = performance.now();
      const res = await app.inject({ method: 'GET', url, headers: { cookie } });
      const ms = performance.now() - start;
      if (res.statusCode !== 200) throw new Error(`${name}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      rows = (res.body.match(/<tr>/g) ?? []).length;
      if (i >= 3) times.push(ms); // the first runs warm caches and statements
    }
    const s = stats(times);
    console.log(`[${kind}] ${name.padEnd(34)} min ${s.min} ms  median ${s.median} ms  p95 ${s.p95} ms  (${rows} rows)`);
  }
  await app.close();
  await store.close();
}

if (ONLY !== 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), 'openom-portal-bench-'));
  try {
    await measure('sqlite', { kind: 'sqlite', path: join(dir, 'openom.sqlite') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (ONLY !== 'sqlite') {
  if (!(await pgReachable())) console.log('[postgres] skipped: PostgreSQL is unreachable');
  else {
    const name = `openom_bench_portal_${process.pid}`;
    const url = await createPgDatabase(name);
    try {
      await measure('postgres', { kind: 'postgres', url });
    } finally {
      await dropPgDatabase(name);
    }
  }
}
