// Settlements (issue 19, CONTRACT §11), in process on each store (SQLite in memory, a fresh
// PostgreSQL database):
//   1. capture A/B: captures through the API (app.inject, sequential) on this tree and on the tree
//      this branch started from (git archive of the merge base with main), each in its own child
//      process: what the settlement transactions add to a capture;
//   2. payout formation: one merchant day of N transactions (seeded in SQL), formed into its payout;
//   3. reading that payout: its transactions page by page (size 500) and its CSV report.
// Usage: node --import tsx bench/settlements.ts [--quick] [--only=sqlite|postgres] [--no-ab] [--ab-only] [--rounds=N]
//   --rounds: the A/B alternates before and after N times (default 1) and reports every round.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const only = argv.find((a) => a.startsWith('--only='))?.slice(7);
const child = argv.find((a) => a.startsWith('--capture-child='))?.slice(16);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BACKENDS = (['sqlite', 'postgres'] as const).filter((b) => !only || b === only);
const CAPTURES = QUICK ? 300 : 2_000;
const TRANSACTIONS = QUICK ? 10_000 : 100_000;
const ROUNDS = Number(argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 1);

type Harness = typeof import('../test/support/harness.js');

/** Median of per-capture milliseconds for CAPTURES sequential captures on a fresh store, from the given tree. */
async function captureRun(tree: string, backend: 'sqlite' | 'postgres'): Promise<{ median_ms: number; per_s: number }> {
  const h = (await import(pathToFileURL(join(tree, 'test/support/harness.ts')).href)) as Harness;
  const t = await h.startTestApp(backend);
  try {
    const m = await h.createMerchant(t, 'Bench AB');
    const orders: string[] = [];
    for (let i = 0; i < CAPTURES; i++) orders.push((await h.createOrder(t, m)).order_id);
    const times: number[] = [];
    const started = performance.now();
    for (const id of orders) {
      const at = performance.now();
      const res = await h.capture(t, m, id, { captured_amount: 5_000 });
      if (res.statusCode !== 201) throw new Error(`capture: ${res.statusCode} ${res.body}`);
      times.push(performance.now() - at);
    }
    const total = performance.now() - started;
    times.sort((a, b) => a - b);
    return { median_ms: round(times[Math.floor(times.length / 2)]!), per_s: Math.round((CAPTURES / total) * 1000) };
  } finally {
    await t.close();
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** The tree this branch started from, exported once (node_modules shared). */
function baseTree(): string {
  const dir = '/tmp/openom-settlements-bench-base';
  const base = execFileSync('git', ['merge-base', 'HEAD', 'main'], { cwd: ROOT, encoding: 'utf8' }).trim();
  if (!existsSync(join(dir, 'package.json'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${base} | tar -x -C ${dir}`], { cwd: ROOT });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  }
  return dir;
}

function captureInChild(tree: string, backend: string): { median_ms: number; per_s: number } {
  const out = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), `--capture-child=${tree}|${backend}`, ...(QUICK ? ['--quick'] : [])], { cwd: tree, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`capture child failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { median_ms: number; per_s: number };
}

/** Seeds one merchant day of n transactions (as captures write them), forms its payout, reads it back. */
async function formationRun(backend: 'sqlite' | 'postgres') {
  const h = (await import('../test/support/harness.js')) as Harness;
  const { formDuePayouts } = await import('../src/store/payoutFormation.js');
  const { merchantClock } = await import('../src/store/clock.js');
  const t = await h.startTestApp(backend);
  try {
    const m = await h.createMerchant(t, 'Big Shop AB');
    const day = new Date().toISOString().slice(0, 10);
    const row = (i: number) => ({
      merchant_id: m.merchant_id,
      order_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      capture_id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      refund_id: null,
      type: 'SALE' as const,
      detailed_type: 'PURCHASE' as const,
      amount: 1_000 + (i % 997),
      currency_code: 'SEK',
      day,
      occurred_at: `${day}T10:00:00Z`,
      capture_date: `${day}T10:00:00Z`,
      short_order_id: `K${i}`,
      merchant_reference1: `=ref-${i}`,
      merchant_reference2: null,
      merchant_capture_reference: null,
      merchant_refund_reference: null,
      purchase_country: 'SE',
      shipping_country: 'SE',
      payment_reference: null,
    });
    for (let i = 0; i < TRANSACTIONS; i += 500) {
      await t.store.db
        .insertInto('settlement_transactions')
        .values(Array.from({ length: Math.min(500, TRANSACTIONS - i) }, (_, k) => row(i + k)))
        .execute();
    }
    const clock = merchantClock(t.store, 8 * 86_400);
    let at = performance.now();
    const [payout] = await formDuePayouts(t.store, m.merchant_id, clock);
    const formMs = performance.now() - at;
    if (!payout) throw new Error('no payout formed');

    at = performance.now();
    const pageTimes: number[] = [];
    let rows = 0;
    for (let offset = 0; offset < TRANSACTIONS; offset += 500) {
      const p = performance.now();
      const res = await h.call(t, { method: 'GET', url: `/settlements/v1/transactions?payment_reference=${payout.payment_reference}&size=500&offset=${offset}`, auth: m });
      pageTimes.push(performance.now() - p);
      rows += ((res.json() as { transactions: unknown[] }).transactions).length;
    }
    const pagesMs = performance.now() - at;
    if (rows !== TRANSACTIONS) throw new Error(`read ${rows} of ${TRANSACTIONS}`);
    pageTimes.sort((a, b) => a - b);

    at = performance.now();
    const csv = await h.call(t, { method: 'GET', url: `/settlements/v1/reports/payout-with-transactions?payment_reference=${payout.payment_reference}`, auth: m });
    const csvMs = performance.now() - at;
    return {
      transactions: TRANSACTIONS,
      form_ms: Math.round(formMs),
      all_pages_ms: Math.round(pagesMs),
      page_median_ms: round(pageTimes[Math.floor(pageTimes.length / 2)]!),
      page_last_ms: round(pageTimes.at(-1)!),
      csv_ms: Math.round(csvMs),
      csv_mb: Math.round((csv.body.length / 1e6) * 10) / 10,
    };
  } finally {
    await t.close();
  }
}

if (child) {
  const [tree, backend] = child.split('|') as [string, 'sqlite' | 'postgres'];
  console.log(JSON.stringify(await captureRun(tree, backend)));
} else {
  for (const backend of BACKENDS) {
    const result: Record<string, unknown> = { store: backend };
    if (!argv.includes('--no-ab')) {
      const base = baseTree();
      const rounds = Array.from({ length: ROUNDS }, () => ({ before: captureInChild(base, backend), after: captureInChild(ROOT, backend) }));
      result.capture_before = rounds.map((r) => r.before.median_ms);
      result.capture_after = rounds.map((r) => r.after.median_ms);
    }
    if (!argv.includes('--ab-only')) result.formation = await formationRun(backend);
    console.log(JSON.stringify(result));
  }
}
