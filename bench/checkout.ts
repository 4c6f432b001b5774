// Checkout end to end (issue 11), on each store: N checkout orders, each created, bought through
// the sandbox API, pushed (first push at once: OPENOM_PUSH_DELAY_SECONDS=0), acknowledged when the
// push arrives and captured, C at a time; then the time from a click on "Approve" in Chromium to
// the Order Management order existing.
// Usage: node --import tsx bench/checkout.ts [--n=200] [--concurrency=8] [--clicks=10] [--only=sqlite|postgres] [--no-build]
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { loadavg } from 'node:os';
import { launchChromium } from '../test/support/browser.js';
import { standardOrder } from './lib/api.js';
import { ROOT, startOpenOM } from './lib/proc.js';
import { dropAllPgDatabases, openPgStore, openSqliteStore, pgReachable, type BenchStore } from './lib/stores.js';

const argv = process.argv.slice(2);
const unknown = argv.filter((a) => !/^--(n=\d+|concurrency=\d+|clicks=\d+|only=(sqlite|postgres)|no-build)$/.test(a));
if (unknown.length > 0) {
  console.error(`bench/checkout: unknown option(s) ${unknown.join(' ')} (see the header of bench/checkout.ts)`);
  process.exit(2);
}
const option = (name: string, fallback: number) => Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const N = option('n', 200);
const CONCURRENCY = option('concurrency', 8);
const CLICKS = option('clicks', 10);
const only = argv.find((a) => a.startsWith('--only='))?.slice(7);
if (!argv.includes('--no-build')) spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });

const ADMIN_TOKEN = 'bench-checkout-admin-token-0123456789';
const USER = 'bench_checkout';
const PASSWORD = 'bench-checkout-password-1';
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

/** The shop: its checkout page frames the snippet; pushes are awaited by order id. */
class Shop {
  readonly snippets = new Map<string, string>();
  private readonly pushWaiters = new Map<string, () => void>();
  private readonly early = new Set<string>();
  pushes = 0;
  private constructor(
    readonly server: Server,
    readonly base: string,
  ) {}

  static async start(): Promise<Shop> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    const shop = new Shop(server, `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    server.on('request', (req, res) => {
      req.resume();
      const url = new URL(req.url ?? '/', shop.base);
      const sid = url.searchParams.get('sid') ?? '';
      if (url.pathname === '/push') shop.pushed(sid);
      const page = url.pathname === '/checkout' ? (shop.snippets.get(sid) ?? '') : url.pathname === '/thanks' ? 'Thank you' : '';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>Shop</title>${page}`);
    });
    return shop;
  }

  private pushed(orderId: string): void {
    this.pushes++;
    const waiter = this.pushWaiters.get(orderId);
    if (waiter) waiter();
    else this.early.add(orderId);
  }

  push(orderId: string): Promise<void> {
    if (this.early.delete(orderId)) return Promise.resolve();
    return new Promise((resolve) => this.pushWaiters.set(orderId, resolve));
  }

  urls() {
    return {
      terms: `${this.base}/terms`,
      checkout: `${this.base}/checkout?sid={checkout.order.id}`,
      confirmation: `${this.base}/thanks?sid={checkout.order.id}`,
      push: `${this.base}/push?sid={checkout.order.id}`,
    };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The throughput workloads' order (two lines, 100.00 SEK, addresses), with the shop's URLs. */
const checkoutOrder = (shop: Shop) => ({ ...standardOrder(), merchant_urls: shop.urls() });

async function api(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: AUTH, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function expect(status: number, call: Promise<{ status: number; json: Record<string, unknown> }>, what: string) {
  const res = await call;
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

const STEPS = ['create', 'complete', 'push wait', 'acknowledge', 'capture', 'whole checkout'] as const;
type Step = (typeof STEPS)[number];

async function oneCheckout(base: string, shop: Shop, timings: Record<Step, number[]>): Promise<void> {
  const time = async <T>(step: Step, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    timings[step].push(performance.now() - started);
    return result;
  };
  const started = performance.now();
  const created = await time('create', () => expect(201, api(base, 'POST', '/checkout/v3/orders', checkoutOrder(shop)), 'create'));
  const id = String(created.order_id);
  const pushed = shop.push(id);
  await time('complete', () => expect(200, api(base, 'POST', `/sandbox/v1/checkout/${id}/complete`, { outcome: 'accepted' }), 'complete'));
  await time('push wait', () => pushed);
  await time('acknowledge', () => expect(204, api(base, 'POST', `/ordermanagement/v1/orders/${id}/acknowledge`), 'acknowledge'));
  await time('capture', () => expect(201, api(base, 'POST', `/ordermanagement/v1/orders/${id}/captures`, { captured_amount: 10_000 }), 'capture'));
  timings['whole checkout'].push(performance.now() - started);
}

/** Seconds from the click on Approve until GET returns the Order Management order, and until the top window shows the confirmation. */
async function approveTimings(base: string, shop: Shop): Promise<{ order: number[]; confirmation: number[] }> {
  const browser = await launchChromium();
  const order: number[] = [];
  const confirmation: number[] = [];
  try {
    for (let i = 0; i < CLICKS; i++) {
      const created = await expect(201, api(base, 'POST', '/checkout/v3/orders', checkoutOrder(shop)), 'create');
      const id = String(created.order_id);
      shop.snippets.set(id, String(created.html_snippet));
      const page = await browser.newPage();
      await page.goto(`${shop.base}/checkout?sid=${id}`);
      const approve = page.frameLocator('iframe').getByRole('button', { name: 'Approve' });
      await approve.waitFor();
      const clicked = performance.now();
      const landed = page.waitForURL(`${shop.base}/thanks?sid=${id}`).then(() => performance.now() - clicked);
      await approve.click({ noWaitAfter: true });
      for (;;) {
        const res = await fetch(`${base}/ordermanagement/v1/orders/${id}`, { headers: { authorization: AUTH } });
        await res.arrayBuffer();
        if (res.status === 200) break;
      }
      order.push(performance.now() - clicked);
      confirmation.push(await landed);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return { order, confirmation };
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const ms = (v: number) => v.toFixed(1).padStart(8);

async function runOn(store: BenchStore): Promise<void> {
  const shop = await Shop.start();
  const server = await startOpenOM({
    DATABASE_URL: store.url,
    OPENOM_ADMIN_TOKEN: ADMIN_TOKEN,
    OPENOM_SANDBOX_USERNAME: USER,
    OPENOM_SANDBOX_PASSWORD: PASSWORD,
    OPENOM_PUSH_DELAY_SECONDS: '0',
    LOG_LEVEL: 'warn',
  });
  try {
    const timings = Object.fromEntries(STEPS.map((s) => [s, [] as number[]])) as Record<Step, number[]>;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < N) {
          next++;
          await oneCheckout(server.url, shop, timings);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`\n${store.kind}: ${N} checkouts, ${CONCURRENCY} at a time: ${seconds.toFixed(2)} s, ${(N / seconds).toFixed(1)} checkouts/s (${shop.pushes} pushes received)`);
    console.log(`  ${'step'.padEnd(16)}     p50      p90      max  (ms)`);
    for (const step of STEPS) console.log(`  ${step.padEnd(16)}${ms(pct(timings[step], 50))} ${ms(pct(timings[step], 90))} ${ms(pct(timings[step], 100))}`);
    const clicks = await approveTimings(server.url, shop);
    console.log(`  Approve → order readable       p50 ${ms(pct(clicks.order, 50))}  max ${ms(pct(clicks.order, 100))}  (${CLICKS} clicks in Chromium)`);
    console.log(`  Approve → confirmation page    p50 ${ms(pct(clicks.confirmation, 50))}  max ${ms(pct(clicks.confirmation, 100))}`);
  } finally {
    await server.stop();
    await shop.close();
  }
}

console.log(`bench/checkout: node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
let failed = false;
try {
  if (only !== 'postgres') {
    const store = openSqliteStore();
    await runOn(store).finally(() => store.drop());
  }
  if (only !== 'sqlite') {
    if (await pgReachable()) {
      const store = await openPgStore(`openom_bench_${process.pid}_checkout`);
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
