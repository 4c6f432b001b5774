// Reset and snapshots (CONTRACT §15) over every feature's tables: settlements (transactions, a formed
// payout, the terms and the perpetual payout job), customer tokens and their orders, Klarna Payments
// sessions and authorizations, and HPP sessions with their distributions. A snapshot of such a
// merchant loads into another one byte for byte and stays usable there; a reset leaves nothing of it.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { it } from 'node:test';
import { sql } from 'kysely';
import { checkLedger } from '../../src/store/ledger.js';
import { MERCHANT_TABLES } from '../../src/store/merchantTables.js';
import { createCheckout } from '../support/checkout.js';
import {
  call,
  capture,
  createMerchant,
  createOrder,
  describeOnBothStores,
  getOrder,
  refund,
  startTestApp,
  WITH_WORKER,
  type Json,
  type MerchantCredentials,
  type TestApp,
} from '../support/harness.js';
import { authorizationUrl, authorizedSession, cartBody, KLARNA, placeOrder } from '../support/payments.js';
import { advanceClock } from '../support/webhooks.js';
import { orderWithToken, readToken, recurringPurchase, renewalBody } from '../tokens/support.js';

const DAY = 86_400;
const FEATURE_TABLES = [
  'orders',
  'jobs',
  'settlement_terms',
  'payouts',
  'settlement_transactions',
  'customer_tokens',
  'customer_token_orders',
  'payment_sessions',
  'payment_authorizations',
  'hpp_sessions',
  'hpp_distributions',
];
const PAYOUT_DELAY_DAYS = 7;

const snapshotOf = async (t: TestApp, m: MerchantCredentials) => {
  const res = await call(t, { method: 'GET', url: '/sandbox/v1/snapshot', auth: m });
  assert.equal(res.statusCode, 200, res.body);
  return res.body;
};

async function get(t: TestApp, m: MerchantCredentials, url: string): Promise<Json> {
  const res = await call(t, { method: 'GET', url, auth: m });
  assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
  return res.json() as Json;
}

/** The merchant's payouts once the worker has formed n of them (it does within seconds of their falling due). */
async function payoutsOnceFormed(t: TestApp, m: MerchantCredentials, n: number): Promise<Json[]> {
  for (let i = 0; i < 300; i++) {
    const list = (await get(t, m, '/settlements/v1/payouts')).payouts as Json[];
    if (list.length >= n) return list;
    await sleep(100);
  }
  throw new Error(`no ${n} payouts after 30 s`);
}

/**
 * Waits until the worker has nothing of the merchant's to do soon: no job leased and none due
 * within a minute. Only then do two exports in a row see the same state.
 */
async function quiet(t: TestApp, m: MerchantCredentials): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const busy = await t.store.db
      .selectFrom('jobs')
      .select('id')
      .where('merchant_id', '=', m.merchant_id)
      .where('state', '=', 'pending')
      .where((eb) => eb.or([eb('lease_token', 'is not', null), eb('run_at', '<=', Date.now() + 60_000)]))
      .execute();
    if (busy.length === 0) return;
    await sleep(100);
  }
  throw new Error(`the jobs of ${m.merchant_id} never settled`);
}

interface FeatureState {
  merchant: MerchantCredentials;
  /** An order with 4 000 left to capture. */
  partlyCaptured: string;
  paymentReference: string;
  customerToken: string;
  paymentsToken: string;
  hppSession: string;
  orderIds: string[];
}

const tokenizing = (intent: string) => cartBody({ intent, customer: { date_of_birth: '1980-01-01' } });

/** A merchant using every feature: settled captures and a refund paid out, tokens and their orders, Payments, HPP. */
async function featureMerchant(t: TestApp, name: string): Promise<FeatureState> {
  const merchant = await createMerchant(t, name);
  const terms = await call(t, { method: 'PATCH', url: `/admin/v1/merchants/${merchant.merchant_id}`, auth: 'admin', body: { settlement: { fee_rate_bp: 290, fee_fixed: 30 } } });
  assert.equal(terms.statusCode, 200, terms.body);

  const a = await createOrder(t, merchant);
  const b = await createOrder(t, merchant, {}, 20_000);
  assert.equal((await capture(t, merchant, a.order_id, { captured_amount: 6_000 })).statusCode, 201);
  assert.equal((await capture(t, merchant, b.order_id, { captured_amount: 20_000 })).statusCode, 201);
  assert.equal((await refund(t, merchant, b.order_id, { refunded_amount: 5_000 }, { 'klarna-idempotency-key': 'k-1' })).statusCode, 201);
  await advanceClock(t, merchant, (PAYOUT_DELAY_DAYS + 1) * DAY);
  const [payout] = await payoutsOnceFormed(t, merchant, 1);

  const recurring = await recurringPurchase(t, merchant);
  const tokenOrder = await orderWithToken(t, merchant, recurring.token);
  assert.equal(tokenOrder.statusCode, 200, tokenOrder.body);

  const { token: authorization } = await authorizedSession(t, merchant, 'accepted', tokenizing('buy_and_tokenize'));
  const made = await call(t, {
    method: 'POST',
    url: authorizationUrl(authorization, '/customer-token'),
    auth: merchant,
    body: { description: 'Tomato box, monthly', intended_use: 'SUBSCRIPTION', locale: 'sv-SE', purchase_country: 'SE', purchase_currency: 'SEK' },
  });
  assert.equal(made.statusCode, 200, made.body);
  const paymentsOrder = await placeOrder(t, merchant, authorization, tokenizing('buy_and_tokenize'));
  assert.equal(paymentsOrder.statusCode, 200, paymentsOrder.body);

  const checkout = await createCheckout(t, merchant);
  const hpp = await call(t, { method: 'POST', url: '/hpp/v1/sessions', auth: merchant, body: { payment_session_url: `http://localhost/checkout/v3/orders/${checkout.order_id}` } });
  assert.equal(hpp.statusCode, 201, hpp.body);
  const hppSession = (hpp.json() as { session_id: string }).session_id;
  const sent = await call(t, { method: 'POST', url: `/hpp/v1/sessions/${hppSession}/distribution`, auth: merchant, body: { method: 'email', contact_information: { email: 'shopper@example.com' } } });
  assert.ok(sent.statusCode < 300, sent.body);

  await quiet(t, merchant);
  return {
    merchant,
    partlyCaptured: a.order_id,
    paymentReference: String(payout!.payment_reference),
    customerToken: recurring.token,
    paymentsToken: (made.json() as { token_id: string }).token_id,
    hppSession,
    orderIds: [a.order_id, b.order_id, recurring.orderId, (tokenOrder.json() as { order_id: string }).order_id, (paymentsOrder.json() as { order_id: string }).order_id],
  };
}

/** How many rows of each listed table are the merchant's (or, for order-keyed tables, of these orders). */
async function rowsPerTable(t: TestApp, merchantId: string, orderIds: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of MERCHANT_TABLES) {
    const owned =
      table.scope.kind === 'merchant_id' ? sql`merchant_id = ${merchantId}` : sql`${sql.ref(table.scope.column)} in (${sql.join(orderIds.length > 0 ? orderIds : [''])})`;
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table.table)} where ${owned}`.execute(t.store.db);
    counts[table.table] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}

describeOnBothStores(
  'reset and snapshots with settlements, customer tokens, Klarna Payments and HPP',
  (ctx) => {
    let source: FeatureState;
    let bystander: FeatureState;
    let copy: MerchantCredentials;
    let saved = '';

    it('a snapshot holds every feature table, and loads into a fresh merchant byte for byte once the first is reset', async () => {
      const t = ctx();
      source = await featureMerchant(t, 'Source AB');
      bystander = await featureMerchant(t, 'Bystander AB');
      saved = await snapshotOf(t, source.merchant);
      const doc = JSON.parse(saved) as { tables: Record<string, unknown[]> };
      for (const table of FEATURE_TABLES) assert.ok((doc.tables[table]?.length ?? 0) > 0, `the snapshot has rows of ${table}`);

      assert.equal((await call(t, { method: 'POST', url: '/sandbox/v1/reset', auth: source.merchant })).statusCode, 204);
      copy = await createMerchant(t, 'Copy AB');
      const res = await call(t, { method: 'PUT', url: '/sandbox/v1/snapshot', auth: copy, body: saved });
      assert.equal(res.statusCode, 204, res.body);
      assert.equal(await snapshotOf(t, copy), saved);
      assert.deepEqual((await checkLedger(t.store)).violations, []);
    });

    it('the imported state is usable: payouts and their CSV, the tokens and a token order, the HPP session, a capture', async () => {
      const t = ctx();
      const payouts = (await get(t, copy, '/settlements/v1/payouts')).payouts as Json[];
      assert.deepEqual(
        payouts.map((p) => p.payment_reference),
        [source.paymentReference],
      );
      const csv = await call(t, { method: 'GET', url: `/settlements/v1/reports/payout-with-transactions?payment_reference=${source.paymentReference}`, auth: copy });
      assert.equal(csv.statusCode, 200, csv.body);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      // A header, and the two SALEs with their two FEEs each, and the RETURN.
      assert.equal(csv.body.trimEnd().split('\r\n').length, 1 + 7);

      for (const token of [source.customerToken, source.paymentsToken]) {
        const read = await readToken(t, copy, token);
        assert.equal(read.statusCode, 200, read.body);
        assert.equal((read.json() as Json).status, 'ACTIVE');
      }
      const renewal = await orderWithToken(t, copy, source.customerToken, renewalBody({ merchant_reference1: 'SUB-2' }));
      assert.equal(renewal.statusCode, 200, renewal.body);
      assert.equal((await getOrder(t, copy, (renewal.json() as { order_id: string }).order_id)).status, 'AUTHORIZED');

      assert.equal((await get(t, copy, `/hpp/v1/sessions/${source.hppSession}`)).status, 'WAITING');

      assert.equal((await capture(t, copy, source.partlyCaptured, { captured_amount: 4_000 })).statusCode, 201);
      assert.equal((await getOrder(t, copy, source.partlyCaptured)).status, 'CAPTURED');
      // The imported payout job forms the payout of that capture's day once it falls due.
      await advanceClock(t, copy, (PAYOUT_DELAY_DAYS + 1) * DAY);
      await payoutsOnceFormed(t, copy, 2);
      assert.deepEqual((await checkLedger(t.store)).violations, []);
    });

    it("a reset leaves no row of the merchant in any listed table, another merchant's untouched, and settling starts afresh", async () => {
      const t = ctx();
      const before = await rowsPerTable(t, copy.merchant_id, source.orderIds);
      assert.ok(Object.values(before).some((n) => n > 0));
      await quiet(t, bystander.merchant);
      const bystanderBefore = await snapshotOf(t, bystander.merchant);

      assert.equal((await call(t, { method: 'POST', url: '/sandbox/v1/reset', auth: copy })).statusCode, 204);
      const after = await rowsPerTable(t, copy.merchant_id, source.orderIds);
      for (const [table, n] of Object.entries(after)) assert.equal(n, 0, `${table} has ${n} rows of the reset merchant`);
      assert.equal(((await get(t, copy, '/sandbox/v1/clock')) as { offset_seconds: number }).offset_seconds, 0);
      assert.equal(await snapshotOf(t, bystander.merchant), bystanderBefore);
      assert.deepEqual(await rowsPerTable(t, source.merchant.merchant_id, []), Object.fromEntries(MERCHANT_TABLES.map((x) => [x.table, 0])));

      // A capture after the reset sets the merchant's settlement up again: its transactions, and a payout once due.
      const order = await createOrder(t, copy);
      assert.equal((await capture(t, copy, order.order_id, { captured_amount: 10_000 })).statusCode, 201);
      const jobs = await t.store.db.selectFrom('jobs').select('kind').where('merchant_id', '=', copy.merchant_id).where('kind', '=', 'payout').where('state', '=', 'pending').execute();
      assert.equal(jobs.length, 1, 'the payout job is back');
      await advanceClock(t, copy, (PAYOUT_DELAY_DAYS + 1) * DAY);
      const [payout] = await payoutsOnceFormed(t, copy, 1);
      assert.equal((payout!.totals as Json).sale_amount, 10_000);
      assert.deepEqual((await checkLedger(t.store)).violations, []);
    });

    it('the same snapshot loads back into the merchant it came from after its reset, byte for byte', async () => {
      const t = ctx();
      // copy holds none of the snapshot's ids any more: the source can take them back.
      assert.equal((await call(t, { method: 'POST', url: '/sandbox/v1/reset', auth: copy })).statusCode, 204);
      const res = await call(t, { method: 'PUT', url: '/sandbox/v1/snapshot', auth: source.merchant, body: saved });
      assert.equal(res.statusCode, 204, res.body);
      assert.equal(await snapshotOf(t, source.merchant), saved);
      assert.deepEqual((await checkLedger(t.store)).violations, []);
    });

    it('a reset while the payout job forms payouts answers 204 and leaves nothing of the merchant behind', async () => {
      const t = ctx();
      for (let round = 0; round < 3; round++) {
        const m = await createMerchant(t, `Racing ${round}`);
        const order = await createOrder(t, m);
        assert.equal((await capture(t, m, order.order_id, { captured_amount: 10_000 })).statusCode, 201);
        // The advance makes the payout job due at once; the reset runs while the worker forms it.
        await advanceClock(t, m, (PAYOUT_DELAY_DAYS + 1) * DAY);
        assert.equal((await call(t, { method: 'POST', url: '/sandbox/v1/reset', auth: m })).statusCode, 204);
        await sleep(1_000);
        const left = await rowsPerTable(t, m.merchant_id, [order.order_id]);
        assert.deepEqual(left, Object.fromEntries(MERCHANT_TABLES.map((x) => [x.table, 0])), `round ${round}`);
      }
      assert.deepEqual((await checkLedger(t.store)).violations, []);
    });

    it('a snapshot with a second pending payout job is refused with BAD_VALUE, changing nothing', async () => {
      const t = ctx();
      const doc = JSON.parse(saved) as { tables: Record<string, Json[]> };
      const jobs = doc.tables.jobs ?? [];
      const payoutJob = jobs.find((j) => j.kind === 'payout' && j.state === 'pending');
      assert.ok(payoutJob, 'the snapshot has the pending payout job');
      doc.tables.jobs = [...jobs, { ...payoutJob, id: jobs.length + 1 }];
      const res = await call(t, { method: 'PUT', url: '/sandbox/v1/snapshot', auth: source.merchant, body: doc });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal((res.json() as { error_code: string }).error_code, 'BAD_VALUE');
      assert.equal(await snapshotOf(t, source.merchant), saved);
    });

    it("numbers the store's counters from 1, so the snapshot loads on another server whose merchants hold those ids, and settles on", async () => {
      // The bystander's transactions came after the source's in the store; its snapshot counts from 1 all the same.
      const doc = JSON.parse(await snapshotOf(ctx(), bystander.merchant)) as { tables: Record<string, Json[]> };
      const transactions = doc.tables.settlement_transactions ?? [];
      assert.ok(transactions.length > 0);
      assert.deepEqual(
        transactions.map((x) => x.transaction_id),
        transactions.map((_, i) => i + 1),
      );
      const there = await startTestApp(ctx().backend, { ...KLARNA, ...WITH_WORKER });
      try {
        // Another merchant's captures take the first transaction ids of the new server.
        const local = await createMerchant(there, 'Local AB');
        const own = await createOrder(there, local);
        assert.equal((await capture(there, local, own.order_id, { captured_amount: 10_000 })).statusCode, 201);
        const loaded = await createMerchant(there, 'Loaded AB');
        const res = await call(there, { method: 'PUT', url: '/sandbox/v1/snapshot', auth: loaded, body: saved });
        assert.equal(res.statusCode, 204, res.body);
        assert.equal(await snapshotOf(there, loaded), saved);
        // Both merchants capture on: the store's counter and the loaded rows never collide.
        assert.equal((await capture(there, loaded, source.partlyCaptured, { captured_amount: 4_000 })).statusCode, 201);
        const more = await createOrder(there, local);
        assert.equal((await capture(there, local, more.order_id, { captured_amount: 10_000 })).statusCode, 201);
        assert.deepEqual((await checkLedger(there.store)).violations, []);
      } finally {
        await there.close();
      }
    });
  },
  { ...KLARNA, ...WITH_WORKER },
);
