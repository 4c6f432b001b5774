// The portal's order list over HTTP on both stores: pages, status filters, search, escaping.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { capture, createMerchant, createOrder, describeOnBothStores, type MerchantCredentials, type TestApp, call, ordersUrl } from '../support/harness.js';
import { portalLogin, type PortalClient } from '../support/portal.js';

/** Order ids in the order the list shows them. */
const listedIds = (res: LightMyRequestResponse) => [...res.body.matchAll(/href="\/portal\/orders\/([0-9a-f-]{36})"/g)].map((m) => m[1] ?? '');
const link = (res: LightMyRequestResponse, text: string) => {
  const href = new RegExp(`<a href="([^"]+)">${text}</a>`).exec(res.body)?.[1];
  return href?.replace(/&amp;/g, '&');
};

async function setUp(t: TestApp): Promise<{ merchant: MerchantCredentials; client: PortalClient }> {
  const merchant = await createMerchant(t);
  return { merchant, client: await portalLogin(t, merchant) };
}

describeOnBothStores('portal order list', (ctx) => {
  it('lists 20 orders a page, newest first (ties by order id), with Older and Newer links that neither skip nor repeat', async () => {
    const t = ctx();
    const { merchant, client } = await setUp(t);
    const created: { order_id: string; created_at: string }[] = [];
    for (let i = 0; i < 45; i++) {
      const o = await createOrder(t, merchant);
      created.push({ order_id: o.order_id, created_at: o.created_at as string });
    }
    // Several orders share a created_at second: the order id breaks the tie.
    const expected = created
      .sort((a, b) => (a.created_at === b.created_at ? (a.order_id < b.order_id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1))
      .map((o) => o.order_id);
    const first = await client.get('/portal/orders');
    assert.deepEqual(listedIds(first), expected.slice(0, 20));
    assert.equal(link(first, '← Newer orders'), undefined);
    const second = await client.get(link(first, 'Older orders →') ?? '');
    assert.deepEqual(listedIds(second), expected.slice(20, 40));
    const third = await client.get(link(second, 'Older orders →') ?? '');
    assert.deepEqual(listedIds(third), expected.slice(40));
    assert.equal(link(third, 'Older orders →'), undefined);
    const backToSecond = await client.get(link(third, '← Newer orders') ?? '');
    assert.deepEqual(listedIds(backToSecond), expected.slice(20, 40));
    const backToFirst = await client.get(link(backToSecond, '← Newer orders') ?? '');
    assert.deepEqual(listedIds(backToFirst), expected.slice(0, 20));
    assert.equal(link(backToFirst, '← Newer orders'), undefined);
  });

  it('shows amounts with the currency, formatted for the order locale', async () => {
    const t = ctx();
    const { merchant, client } = await setUp(t);
    const order = await createOrder(t, merchant, { purchase_country: 'US', purchase_currency: 'USD', locale: 'en-US' }, 123_456);
    await capture(t, merchant, order.order_id, { captured_amount: 100_005 });
    const swedish = await createOrder(t, merchant, {}, 250_050);
    const res = await client.get('/portal/orders');
    assert.ok(res.body.includes('$1,234.56'), 'order amount');
    assert.ok(res.body.includes('$1,000.05'), 'captured amount');
    assert.ok(res.body.includes('$0.00'), 'refunded amount');
    assert.ok(res.body.includes('2\u00a0500,50\u00a0kr'), `sv-SE amount of ${swedish.order_id}`);
  });

  it('filters by status, and by "Not acknowledged" for checkout orders', async () => {
    const t = ctx();
    const { merchant, client } = await setUp(t);
    const authorized = await createOrder(t, merchant);
    const part = await createOrder(t, merchant);
    await capture(t, merchant, part.order_id, { captured_amount: 1_000 });
    const full = await createOrder(t, merchant);
    await capture(t, merchant, full.order_id, { captured_amount: 10_000 });
    const cancelled = await createOrder(t, merchant);
    await call(t, { method: 'POST', url: ordersUrl(cancelled.order_id, '/cancel'), auth: merchant });
    const expired = await createOrder(t, merchant);
    await t.store.db.updateTable('orders').set({ expires_at: '2001-01-01T00:00:00Z' }).where('order_id', '=', expired.order_id).execute();
    const checkout = await createOrder(t, merchant);
    const acknowledgedCheckout = await createOrder(t, merchant);
    await t.store.db.updateTable('orders').set({ merchant_urls: '{"push":"https://shop.example/push"}' }).where('order_id', 'in', [checkout.order_id, acknowledgedCheckout.order_id]).execute();
    await call(t, { method: 'POST', url: ordersUrl(acknowledgedCheckout.order_id, '/acknowledge'), auth: merchant });
    const cases: [string, string[]][] = [
      ['AUTHORIZED', [acknowledgedCheckout.order_id, checkout.order_id, authorized.order_id]],
      ['PART_CAPTURED', [part.order_id]],
      ['CAPTURED', [full.order_id]],
      ['CANCELLED', [cancelled.order_id]],
      ['EXPIRED', [expired.order_id]],
      ['NOT_ACKNOWLEDGED', [checkout.order_id]],
    ];
    for (const [status, ids] of cases) {
      const res = await client.get(`/portal/orders?status=${status}`);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(new Set(listedIds(res)), new Set(ids), status);
      assert.match(res.body, new RegExp(`<option value="${status}" selected>`));
    }
    const bad = await client.get('/portal/orders?status=SHIPPED');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /There is no status &quot;SHIPPED&quot;/);
  });

  it('searches by order id, Klarna reference (any case) or merchant reference, and combines search with a status', async () => {
    const t = ctx();
    const { merchant, client } = await setUp(t);
    const a = await createOrder(t, merchant, { merchant_reference1: 'ORDER-1001', merchant_reference2: 'cart-77' });
    const b = await createOrder(t, merchant, { merchant_reference1: 'ORDER-1002' });
    const reference = a.klarna_reference as string;
    const cases: [string, string[]][] = [
      [a.order_id, [a.order_id]],
      [a.order_id.toUpperCase(), [a.order_id]],
      [reference.toLowerCase(), [a.order_id]],
      ['ORDER-1002', [b.order_id]],
      ['cart-77', [a.order_id]],
      [`  ${reference}  `, [a.order_id]],
      ['ORDER-10', []],
    ];
    for (const [q, ids] of cases) {
      const res = await client.get(`/portal/orders?q=${encodeURIComponent(q)}`);
      assert.deepEqual(listedIds(res), ids, q);
      if (ids.length === 0) assert.match(res.body, /No orders match\./);
    }
    assert.deepEqual(listedIds(await client.get(`/portal/orders?q=ORDER-1001&status=CAPTURED`)), []);
    assert.deepEqual(listedIds(await client.get(`/portal/orders?q=ORDER-1001&status=AUTHORIZED`)), [a.order_id]);
  });

  it('shows another merchant none of this merchant\'s orders, not even by search', async () => {
    const t = ctx();
    const { merchant } = await setUp(t);
    const order = await createOrder(t, merchant);
    const other = await setUp(t);
    const res = await other.client.get(`/portal/orders?q=${order.order_id}`);
    assert.deepEqual(listedIds(res), []);
    assert.deepEqual(listedIds(await other.client.get('/portal/orders')), []);
  });

  it('escapes every stored value and the echoed search (no markup gets through)', async () => {
    const t = ctx();
    const { merchant, client } = await setUp(t);
    const payload = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    await createOrder(t, merchant, { merchant_reference1: payload, merchant_reference2: `'><svg onload=alert(3)>` });
    const list = await client.get('/portal/orders');
    assert.ok(!/<script>|<img src=x|<svg/.test(list.body));
    assert.ok(list.body.includes('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
    const search = await client.get(`/portal/orders?q=${encodeURIComponent(payload)}`);
    assert.ok(!/<script>|<img src=x/.test(search.body));
    assert.ok(search.body.includes('value="&quot;&gt;&lt;script&gt;'));
  });

  it('refuses a made-up page position with a 400 page', async () => {
    const t = ctx();
    const { client } = await setUp(t);
    for (const q of ['after=yesterday', 'before=2025-01-01T00:00:00Z_not-a-uuid']) {
      const res = await client.get(`/portal/orders?${q}`);
      assert.equal(res.statusCode, 400, q);
      assert.match(res.body, /start again from the first page/);
    }
  });
});
