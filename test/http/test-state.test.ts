// Reset, snapshots and isolation of merchants' test state (CONTRACT §15).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MERCHANT_TABLES, NOT_MERCHANT_DATA } from '../../src/store/merchantTables.js';
import { expectError } from '../support/orderAssertions.js';
import {
  call,
  capture,
  createMerchant,
  createOrder,
  describeOnBothStores,
  getOrder,
  orderBody,
  ordersUrl,
  refund,
  type MerchantCredentials,
  type TestApp,
} from '../support/harness.js';

const snapshotOf = async (t: TestApp, m: MerchantCredentials) => {
  const res = await call(t, { method: 'GET', url: '/sandbox/v1/snapshot', auth: m });
  assert.equal(res.statusCode, 200, res.body);
  return res.body;
};

const importInto = (t: TestApp, m: MerchantCredentials, body: unknown) => call(t, { method: 'PUT', url: '/sandbox/v1/snapshot', auth: m, body });

/** A merchant with some of everything: orders part-captured and refunded, a webhook, a fault, an advanced clock. */
async function busyMerchant(t: TestApp): Promise<{ merchant: MerchantCredentials; orderIds: string[] }> {
  const merchant = await createMerchant(t);
  const a = await createOrder(t, merchant);
  const b = await createOrder(t, merchant, {}, 20_000);
  assert.equal((await capture(t, merchant, a.order_id, { captured_amount: 6_000 })).statusCode, 201);
  assert.equal((await capture(t, merchant, b.order_id, { captured_amount: 20_000 })).statusCode, 201);
  assert.equal((await refund(t, merchant, b.order_id, { refunded_amount: 5_000 }, { 'klarna-idempotency-key': 'k-1' })).statusCode, 201);
  const hook = await call(t, { method: 'POST', url: '/sandbox/v1/webhooks', auth: merchant, body: { url: 'https://shop.example/hooks', events: ['capture.created'] } });
  assert.equal(hook.statusCode, 201, hook.body);
  assert.equal((await call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: merchant, body: { seconds: 3600 } })).statusCode, 200);
  return { merchant, orderIds: [a.order_id, b.order_id] };
}

describeOnBothStores('the merchant registry', (ctx) => {
  it('every table of the migrated store is either merchant data in the registry or listed as not merchant data', async () => {
    const tables = (await ctx().store.db.introspection.getTables()).map((t) => t.name).sort();
    const listed = [...MERCHANT_TABLES.map((t) => t.table), ...Object.keys(NOT_MERCHANT_DATA)].sort();
    assert.deepEqual(tables, listed);
  });

  it('every merchant-keyed table has a merchant_id column, and the others an order_id', async () => {
    const columns = new Map((await ctx().store.db.introspection.getTables()).map((t) => [t.name, t.columns.map((c) => c.name)]));
    for (const t of MERCHANT_TABLES) {
      const need = t.scope.kind === 'merchant_id' ? 'merchant_id' : t.scope.column;
      assert.ok(columns.get(t.table)?.includes(need), `${t.table} has ${need}`);
    }
  });
});

describeOnBothStores('POST /sandbox/v1/reset', (ctx) => {
  it("deletes the merchant's orders, webhooks and clock offset, and leaves another merchant's untouched", async () => {
    const t = ctx();
    const { merchant, orderIds } = await busyMerchant(t);
    const other = await busyMerchant(t);
    const otherBefore = await snapshotOf(t, other.merchant);

    const res = await call(t, { method: 'POST', url: '/sandbox/v1/reset', auth: merchant });
    assert.equal(res.statusCode, 204);
    expectError(await call(t, { method: 'GET', url: ordersUrl(orderIds[0] ?? ''), auth: merchant }), 404, 'NO_SUCH_ORDER');
    const hooks = await call(t, { method: 'GET', url: '/sandbox/v1/webhooks', auth: merchant });
    assert.deepEqual(hooks.json(), { webhooks: [] });
    const clock = await call(t, { method: 'GET', url: '/sandbox/v1/clock', auth: merchant });
    assert.equal((clock.json() as { offset_seconds: number }).offset_seconds, 0);
    const empty = JSON.parse(await snapshotOf(t, merchant)) as { tables: Record<string, unknown[]> };
    for (const [table, rows] of Object.entries(empty.tables)) assert.equal(rows.length, 0, table);

    assert.equal(await snapshotOf(t, other.merchant), otherBefore);
    // The merchant goes on working after the reset; an idempotency key used before is free again.
    const again = await createOrder(t, merchant);
    assert.equal((await capture(t, merchant, again.order_id, { captured_amount: 1_000 })).statusCode, 201);
  });

  it('a reset while captures and new orders are under way answers 204, and each of them a success or NO_SUCH_ORDER, never a 5xx', async () => {
    const t = ctx();
    const merchant = await createMerchant(t);
    const orders = await Promise.all(Array.from({ length: 6 }, () => createOrder(t, merchant)));
    const work = orders.flatMap((o) => [1, 2].map(() => capture(t, merchant, o.order_id, { captured_amount: 1_000 })));
    const more = Array.from({ length: 4 }, () => call(t, { method: 'POST', url: `/admin/v1/merchants/${merchant.merchant_id}/orders`, auth: 'admin', body: orderBody() }));
    const reset = call(t, { method: 'POST', url: '/sandbox/v1/reset', auth: merchant });
    const answers = await Promise.all([...work, ...more]);
    assert.equal((await reset).statusCode, 204);
    for (const res of answers) assert.ok([201, 404].includes(res.statusCode), `${res.statusCode} ${res.body}`);
  });

  it('needs the merchant credentials', async () => {
    expectError(await call(ctx(), { method: 'POST', url: '/sandbox/v1/reset', auth: 'none' }), 401, 'UNAUTHORIZED');
  });
});

describeOnBothStores('GET and PUT /sandbox/v1/snapshot', (ctx) => {
  it('export → import → export is byte-identical, and the imported orders keep their ids and can be captured', async () => {
    const t = ctx();
    const { merchant, orderIds } = await busyMerchant(t);
    const first = await snapshotOf(t, merchant);
    const doc = JSON.parse(first) as { format: string; version: number; clock_offset_seconds: number; tables: Record<string, unknown[]> };
    assert.equal(doc.format, 'openom-snapshot');
    assert.equal(doc.version, 1);
    assert.equal(doc.clock_offset_seconds, 3600);
    assert.equal(doc.tables.orders?.length, 2);

    assert.equal((await call(t, { method: 'POST', url: '/sandbox/v1/reset', auth: merchant })).statusCode, 204);
    const res = await importInto(t, merchant, first);
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(await snapshotOf(t, merchant), first);

    const a = await getOrder(t, merchant, orderIds[0] ?? '');
    assert.equal(a.captured_amount, 6_000);
    assert.equal((await capture(t, merchant, orderIds[0] ?? '', { captured_amount: 4_000 })).statusCode, 201);
    assert.equal((await getOrder(t, merchant, orderIds[0] ?? '')).status, 'CAPTURED');
    // The idempotency key of the refund came along: its replay answers as the first time did.
    const replay = await refund(t, merchant, orderIds[1] ?? '', { refunded_amount: 5_000 }, { 'klarna-idempotency-key': 'k-1' });
    assert.equal(replay.statusCode, 201);
    assert.equal((await getOrder(t, merchant, orderIds[1] ?? '')).refunded_amount, 5_000);
  });

  it("a snapshot loads into another merchant once the first has let go of the ids, and replaces that merchant's own state", async () => {
    const t = ctx();
    const { merchant, orderIds } = await busyMerchant(t);
    const saved = await snapshotOf(t, merchant);
    const other = await createMerchant(t);
    const own = await createOrder(t, other);
    // The order ids are the first merchant's: another merchant cannot take them while it has them.
    const clash = await importInto(t, other, saved);
    expectError(clash, 400, 'BAD_VALUE');
    assert.equal((await getOrder(t, other, own.order_id)).order_id, own.order_id);

    assert.equal((await call(t, { method: 'POST', url: '/sandbox/v1/reset', auth: merchant })).statusCode, 204);
    assert.equal((await importInto(t, other, saved)).statusCode, 204);
    assert.equal(await snapshotOf(t, other), saved);
    expectError(await call(t, { method: 'GET', url: ordersUrl(own.order_id), auth: other }), 404, 'NO_SUCH_ORDER');
    assert.equal((await getOrder(t, other, orderIds[1] ?? '')).captured_amount, 20_000);
  });

  for (const [name, change, field] of [
    ['another format', (d: Record<string, unknown>) => ({ ...d, format: 'other' }), 'format'],
    ['a later version', (d: Record<string, unknown>) => ({ ...d, version: 2 }), 'version'],
    ['an unknown table', (d: Record<string, unknown>) => ({ ...d, tables: { merchants: [] } }), 'tables.merchants'],
    ['an unknown column', (d: Record<string, unknown>) => ({ ...d, tables: { faults: [{ nope: 1 }] } }), 'tables.faults[0].nope'],
    ['a text where a number goes', (d: Record<string, unknown>) => ({ ...d, tables: { orders: [{ order_amount: '100' }] } }), 'tables.orders[0].order_amount'],
    ['a merchant_id', (d: Record<string, unknown>) => ({ ...d, tables: { webhooks: [{ merchant_id: 'x' }] } }), 'tables.webhooks[0].merchant_id'],
  ] as const) {
    it(`a snapshot with ${name} is refused with BAD_VALUE naming ${field}, changing nothing`, async () => {
      const t = ctx();
      const { merchant } = await busyMerchant(t);
      const before = await snapshotOf(t, merchant);
      const res = await importInto(t, merchant, change(JSON.parse(before) as Record<string, unknown>));
      const body = expectError(res, 400, 'BAD_VALUE');
      assert.match(body.error_messages.join(' '), new RegExp(field.replace(/[[\].]/g, '\\$&')));
      assert.equal(await snapshotOf(t, merchant), before);
    });
  }

  it('a row breaking the store rules (a capture of an order not in the snapshot) is refused, changing nothing', async () => {
    const t = ctx();
    const { merchant } = await busyMerchant(t);
    const before = await snapshotOf(t, merchant);
    const doc = JSON.parse(before) as { tables: Record<string, unknown[]> };
    doc.tables.orders = [];
    const res = await importInto(t, merchant, doc);
    expectError(res, 400, 'BAD_VALUE');
    assert.equal(await snapshotOf(t, merchant), before);
  });
});

// Fifty first logins at once from one address count as fifty checks in flight, over the default
// failed-login limit per address (CONTRACT §2): parallel suites on one machine raise it.
const PARALLEL_SUITES = { OPENOM_AUTH_FAILURE_LIMIT: '1000' };

describeOnBothStores('fifty merchants in parallel', (ctx) => {
  it('each sees only its own orders while the others create, capture, reset and import at the same time', async () => {
    const t = ctx();
    const merchants = await Promise.all(Array.from({ length: 50 }, (_, i) => createMerchant(t, `Shop ${i}`)));
    await Promise.all(
      merchants.map(async (m, i) => {
        const order = await createOrder(t, m, { merchant_reference1: `ref-${i}` });
        const captured = await capture(t, m, order.order_id, { captured_amount: 1_000 + i });
        assert.equal(captured.statusCode, 201, captured.body);
        const saved = await snapshotOf(t, m);
        assert.equal((await call(t, { method: 'POST', url: '/sandbox/v1/reset', auth: m })).statusCode, 204);
        const imported = await importInto(t, m, saved);
        assert.equal(imported.statusCode, 204, imported.body);
        const doc = JSON.parse(await snapshotOf(t, m)) as { tables: { orders: { order_id: string; merchant_reference1: string; captured_amount: number }[] } };
        assert.deepEqual(
          doc.tables.orders.map((o) => [o.order_id, o.merchant_reference1, o.captured_amount]),
          [[order.order_id, `ref-${i}`, 1_000 + i]],
        );
      }),
    );
  });
}, PARALLEL_SUITES);
