// Settlements API v1 (CONTRACT §11) end to end on both stores: captures and refunds write their
// transactions at once, a clock advance past the payout time forms the payout with exact totals,
// and the API pages, filters, refuses bad dates, hides other merchants' payouts and reports CSV.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkLedger } from '../../src/store/ledger.js';
import { call, capture, createMerchant, createOrder, describeOnBothStores, errorOf, refund, WITH_WORKER, type Json, type MerchantCredentials, type TestApp } from '../support/harness.js';

const DAY = 86_400;

async function get(t: TestApp, who: MerchantCredentials, url: string): Promise<Json> {
  const res = await call(t, { method: 'GET', url, auth: who });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Json;
}

/** Polls the payouts list until it has n payouts (the worker forms them within seconds of falling due). */
async function payoutsOnceFormed(t: TestApp, who: MerchantCredentials, n: number): Promise<Json[]> {
  for (let i = 0; i < 200; i++) {
    const list = (await get(t, who, '/settlements/v1/payouts')).payouts as Json[];
    if (list.length >= n) return list;
    await sleep(100);
  }
  throw new Error(`no ${n} payouts after 20 s`);
}

/** Parses the CSV the reports send (quoted cells unquoted). */
function parseCsv(text: string): string[][] {
  return text
    .trimEnd()
    .split('\r\n')
    .map((line) => [...line.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)].filter((m) => m.index! < line.length || m[1] !== '').map((m) => (m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replace(/""/g, '"') : m[1]!)));
}

describeOnBothStores(
  'settlements',
  (ctx) => {
    let shop: MerchantCredentials;
    let other: MerchantCredentials;
    let paymentReference = '';

    it('captures and refunds write their transactions at once; a week later the payout forms with exact totals', async () => {
      const t = ctx();
      shop = await createMerchant(t, 'Settling AB');
      other = await createMerchant(t, 'Other AB');
      const terms = await call(t, { method: 'PATCH', url: `/admin/v1/merchants/${shop.merchant_id}`, auth: 'admin', body: { settlement: { fee_rate_bp: 290, fee_fixed: 30 } } });
      assert.equal(terms.statusCode, 200, terms.body);
      assert.deepEqual((terms.json() as Json).settlement, { fee_rate_bp: 290, fee_fixed: 30, payout_delay_days: 7 });

      const a = await createOrder(t, shop, { merchant_reference1: '=cmd|calc' });
      const b = await createOrder(t, shop);
      assert.equal((await capture(t, shop, a.order_id, { captured_amount: 10_000, reference: 'CAP-A' })).statusCode, 201);
      assert.equal((await capture(t, shop, b.order_id, { captured_amount: 3_333 })).statusCode, 201);
      assert.equal((await refund(t, shop, a.order_id, { refunded_amount: 2_500, reference: 'RET-A' })).statusCode, 201);

      const ofA = (await get(t, shop, `/settlements/v1/transactions?order_id=${a.order_id}`)).transactions as Json[];
      assert.deepEqual(
        ofA.map((x) => [x.type, x.detailed_type, x.amount, x.payment_reference]),
        [
          ['SALE', 'PURCHASE', 10_000, null],
          ['FEE', 'PURCHASE_FEE_PERCENTAGE', -290, null],
          ['FEE', 'PURCHASE_FEE_FIXED', -30, null],
          ['RETURN', 'PURCHASE_RETURN', -2_500, null],
        ],
      );
      assert.equal(ofA[0]!.merchant_capture_reference, 'CAP-A');
      assert.equal(ofA[3]!.merchant_refund_reference, 'RET-A');
      assert.equal(ofA[0]!.short_order_id, a.klarna_reference);
      assert.equal(((await get(t, shop, '/settlements/v1/payouts')).payouts as Json[]).length, 0, 'nothing is paid out before the delay');

      // 6 days on: not due yet.
      await call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: shop, body: { seconds: 6 * DAY } });
      await sleep(1_500);
      assert.equal(((await get(t, shop, '/settlements/v1/payouts')).payouts as Json[]).length, 0, 'not due before payout day 00:00');
      await call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: shop, body: { seconds: DAY } });
      const [payout] = await payoutsOnceFormed(t, shop, 1);
      const totals = payout!.totals as Json;
      // 3 333 × 2.9 % = 96.657 → 97 (half up); fees 290 + 30 + 97 + 30 = 447.
      assert.equal(totals.sale_amount, 13_333);
      assert.equal(totals.fee_amount, 447);
      assert.equal(totals.return_amount, 2_500);
      assert.equal(totals.settlement_amount, 13_333 - 447 - 2_500);
      assert.equal(totals.commission_amount, 0);
      assert.equal(payout!.currency_code, 'SEK');
      assert.match(String(payout!.payout_date), /T00:00:00Z$/);
      paymentReference = String(payout!.payment_reference);

      const paid = (await get(t, shop, `/settlements/v1/transactions?payment_reference=${paymentReference}`)).transactions as Json[];
      assert.equal(paid.length, 7);
      assert.equal(paid.reduce((s, x) => s + Number(x.amount), 0), totals.settlement_amount);
      for (const x of paid) assert.equal(x.payout, payout!.payout_date);
      const report = await checkLedger(t.store);
      assert.deepEqual(report.violations, []);
    });

    it('one payout by reference; another merchant’s or an unknown one is 404', async () => {
      const t = ctx();
      const one = await get(t, shop, `/settlements/v1/payouts/${paymentReference}`);
      assert.equal(one.payment_reference, paymentReference);
      const theirs = await call(t, { method: 'GET', url: `/settlements/v1/payouts/${paymentReference}`, auth: other });
      assert.equal(theirs.statusCode, 404);
      assert.equal(errorOf(theirs).error_code, 'NOT_FOUND');
      assert.equal((await call(t, { method: 'GET', url: '/settlements/v1/payouts/NOPE', auth: shop })).statusCode, 404);
      const csv = await call(t, { method: 'GET', url: `/settlements/v1/reports/payout-with-transactions?payment_reference=${paymentReference}`, auth: other });
      assert.equal(csv.statusCode, 404);
      assert.equal(((await get(t, other, `/settlements/v1/transactions?payment_reference=${paymentReference}`)).transactions as Json[]).length, 0);
    });

    it('terms outside their bounds are 400 naming the field, changing nothing; an unknown merchant is 404', async () => {
      const t = ctx();
      for (const [settlement, field] of [
        [{ fee_rate_bp: 10_001 }, 'fee_rate_bp'],
        [{ fee_fixed: -1 }, 'fee_fixed'],
        [{ payout_delay_days: 61 }, 'payout_delay_days'],
        [{ payout_delay_days: 1.5 }, 'payout_delay_days'],
      ] as const) {
        const res = await call(t, { method: 'PATCH', url: `/admin/v1/merchants/${shop.merchant_id}`, auth: 'admin', body: { settlement } });
        assert.equal(res.statusCode, 400, JSON.stringify(settlement));
        assert.match(errorOf(res).error_messages.join(' '), new RegExp(field));
      }
      const terms = await t.store.db.selectFrom('settlement_terms').selectAll().where('merchant_id', '=', shop.merchant_id).executeTakeFirstOrThrow();
      assert.deepEqual([terms.fee_rate_bp, Number(terms.fee_fixed), terms.payout_delay_days], [290, 30, 7]);
      const unknown = await call(t, { method: 'PATCH', url: '/admin/v1/merchants/00000000-0000-4000-8000-000000000000', auth: 'admin', body: { settlement: { fee_fixed: 1 } } });
      assert.equal(unknown.statusCode, 404);
      const merchantAuth = await call(t, { method: 'PATCH', url: `/admin/v1/merchants/${shop.merchant_id}`, auth: shop, body: { settlement: { fee_fixed: 0 } } });
      assert.equal(merchantAuth.statusCode, 401);
    });

    it('bad dates and sizes are 400 BAD_VALUE naming the parameter', async () => {
      const t = ctx();
      for (const [query, name] of [
        ['start_date=yesterday', 'start_date'],
        ['end_date=2026-02-31', 'end_date'],
        ['start_date=2026-12-10&end_date=2026-12-01', 'end_date'],
        ['size=501', 'size'],
        ['size=0', 'size'],
        ['offset=-1', 'offset'],
      ] as const) {
        const res = await call(t, { method: 'GET', url: `/settlements/v1/payouts?${query}`, auth: shop });
        assert.equal(res.statusCode, 400, query);
        const e = errorOf(res);
        assert.equal(e.error_code, 'BAD_VALUE');
        assert.match(e.error_messages.join(' '), new RegExp(name), query);
      }
      const summary = await call(t, { method: 'GET', url: '/settlements/v1/payouts/summary?start_date=2026-01-01', auth: shop });
      assert.equal(summary.statusCode, 400);
      assert.match(errorOf(summary).error_messages.join(' '), /end_date/);
    });

    it('pages with count, total, next and prev; the summary sums per currency', async () => {
      const t = ctx();
      const first = await get(t, shop, `/settlements/v1/transactions?payment_reference=${paymentReference}&size=3`);
      const p1 = first.pagination as Json;
      assert.deepEqual([p1.count, p1.total, p1.offset, p1.prev], [3, 7, 0, undefined]);
      assert.match(String(p1.next), /^http:\/\/.*offset=3/);
      const last = await get(t, shop, `/settlements/v1/transactions?payment_reference=${paymentReference}&size=3&offset=6`);
      const p3 = last.pagination as Json;
      assert.deepEqual([p3.count, p3.total, p3.next], [1, 7, undefined]);
      assert.match(String(p3.prev), /offset=3/);
      const summary = (await get(t, shop, '/settlements/v1/payouts/summary?start_date=2020-01-01&end_date=2099-12-31')) as unknown as Json[];
      assert.equal(summary.length, 1);
      assert.equal(summary[0]!.summary_settlement_currency, 'SEK');
      assert.equal(summary[0]!.summary_total_settlement_amount, 13_333 - 447 - 2_500);
      const today = new Date().toISOString().slice(0, 10);
      const ofToday = await get(t, shop, `/settlements/v1/transactions?start_date=${today}&end_date=${today}`);
      assert.equal((ofToday.pagination as Json).total, 7, 'the captures and the refund were made today (real time)');
      const before = await get(t, shop, '/settlements/v1/transactions?end_date=2020-01-01');
      assert.equal((before.pagination as Json).total, 0);
      const mixed = await call(t, { method: 'GET', url: `/settlements/v1/transactions?order_id=x&start_date=${today}`, auth: shop });
      assert.equal(mixed.statusCode, 400);
      const none = await get(t, shop, '/settlements/v1/payouts?start_date=2020-01-01&end_date=2020-12-31');
      assert.deepEqual(none.pagination, { count: 0, total: 0, offset: 0 });
    });

    it('the CSV report has a header and one row per transaction with the JSON amounts, formulas neutralised', async () => {
      const t = ctx();
      const res = await call(t, { method: 'GET', url: `/settlements/v1/reports/payout-with-transactions?payment_reference=${paymentReference}`, auth: shop });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/csv/);
      const [header, ...rows] = parseCsv(res.body);
      const json = (await get(t, shop, `/settlements/v1/transactions?payment_reference=${paymentReference}&size=500`)).transactions as Json[];
      assert.deepEqual(header, Object.keys(json[0]!));
      assert.equal(rows.length, json.length);
      const col = (name: string) => header!.indexOf(name);
      rows.forEach((row, i) => {
        assert.equal(Number(row[col('amount')]), json[i]!.amount);
        assert.equal(row[col('type')], json[i]!.type);
        assert.equal(row[col('capture_id')], json[i]!.capture_id ?? '');
      });
      const injected = rows.find((r) => r[col('merchant_reference1')]?.includes('cmd'));
      assert.equal(injected?.[col('merchant_reference1')], "'=cmd|calc");
      const summaryCsv = await call(t, { method: 'GET', url: '/settlements/v1/reports/payouts-summary-with-transactions?start_date=2020-01-01&end_date=2099-12-31', auth: shop });
      assert.equal(parseCsv(summaryCsv.body).length, 1 + json.length);
    });
  },
  WITH_WORKER,
);
