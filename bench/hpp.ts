// Pay by link (CONTRACT §13) end to end on SQLite: the time from creating an HPP session for a
// checkout order to the Order Management order existing, headless (open the link, post Approve,
// as the sandbox page's form does) and in Chromium (open the link, click Approve, land on the
// shop's success page). Medians and p95 over the runs, with the machine's load average.
// Usage: node --import tsx bench/hpp.ts [--quick] [--no-build]   (--quick: 20 headless runs, 3 in Chromium)
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../test/support/browser.js';
import { ROOT, startOpenOM } from './lib/proc.js';

const argv = process.argv.slice(2);
if (argv.some((a) => a !== '--quick' && a !== '--no-build')) {
  console.error('bench/hpp: options are --quick and --no-build');
  process.exit(2);
}
const quick = argv.includes('--quick');
const HEADLESS = quick ? 20 : 200;
const CLICKS = quick ? 3 : 20;
if (!argv.includes('--no-build')) spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });

const AUTH = `Basic ${Buffer.from('bench_hpp:bench-hpp-password-1').toString('base64')}`;
const CHECKOUT = {
  purchase_country: 'SE',
  purchase_currency: 'SEK',
  locale: 'sv-SE',
  order_amount: 10_000,
  order_tax_amount: 0,
  order_lines: [{ type: 'physical', name: 'Tomatoes', quantity: 1, unit_price: 10_000, tax_rate: 0, total_amount: 10_000, total_tax_amount: 0 }],
  merchant_urls: { terms: 'http://127.0.0.1:9/terms', checkout: 'http://127.0.0.1:9/checkout', confirmation: 'http://127.0.0.1:9/thanks', push: 'http://127.0.0.1:9/push' },
};

function stats(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  return `median ${at(0.5)} ms, p95 ${at(0.95)} ms (n=${ms.length})`;
}

const dir = mkdtempSync(join(tmpdir(), 'openom-bench-hpp-'));
const shop = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Paid</title><h1>Paid</h1>'));
shop.listen(0, '127.0.0.1');
await once(shop, 'listening');
const shopAddress = shop.address();
const SHOP = `http://127.0.0.1:${typeof shopAddress === 'object' && shopAddress ? shopAddress.port : 0}`;
const server = await startOpenOM({ DATABASE_URL: `sqlite:${join(dir, 'bench.sqlite')}`, OPENOM_SANDBOX_USERNAME: 'bench_hpp', OPENOM_SANDBOX_PASSWORD: 'bench-hpp-password-1', LOG_LEVEL: 'warn' });

async function api(method: string, path: string, body?: unknown): Promise<Record<string, string>> {
  const res = await fetch(`${server.url}${path}`, { method, headers: { authorization: AUTH, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, string>;
}

/** A checkout order and a session for it; the clock starts once the session exists. */
async function newSession(): Promise<{ order_id: string; session: Record<string, string> }> {
  const { order_id } = await api('POST', '/checkout/v3/orders', CHECKOUT);
  const session = await api('POST', '/hpp/v1/sessions', { payment_session_url: `${server.url}/checkout/v3/orders/${order_id}`, merchant_urls: { success: `${SHOP}/paid?order={{order_id}}` } });
  return { order_id: order_id!, session };
}

try {
  const headless: number[] = [];
  for (let i = 0; i < HEADLESS; i++) {
    const { order_id, session } = await newSession();
    const started = performance.now();
    await (await fetch(session.redirect_url!)).arrayBuffer();
    const paid = await fetch(`${session.redirect_url}/pay`, { method: 'POST', body: new URLSearchParams({ outcome: 'accepted' }), redirect: 'manual' });
    if (paid.status !== 303) throw new Error(`Approve answered ${paid.status}`);
    const order = await fetch(`${server.url}/ordermanagement/v1/orders/${order_id}`, { headers: { authorization: AUTH } });
    headless.push(performance.now() - started);
    if (order.status !== 200) throw new Error(`no order after Approve: ${order.status}`);
  }
  const browser = await launchChromium();
  const clicks: number[] = [];
  try {
    for (let i = 0; i < CLICKS; i++) {
      const { order_id, session } = await newSession();
      const page = await browser.newPage();
      const started = performance.now();
      await page.goto(session.redirect_url!);
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.waitForURL(`${SHOP}/paid?order=${order_id}`);
      clicks.push(performance.now() - started);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`headless, open link + Approve + order read: ${stats(headless)}`);
  console.log(`Chromium, open link + click Approve + success page loaded: ${stats(clicks)}`);
} finally {
  await server.stop();
  shop.close();
  rmSync(dir, { recursive: true, force: true });
}
