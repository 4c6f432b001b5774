// Bounded resources (CONTRACT §7, issue 24 §5): at most 16 webhook endpoints per merchant (every
// event fans out to all of them inside the command's transaction), and the portal's webhooks page
// reads them with a fixed number of queries, however many endpoints there are.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Kysely, KyselyPlugin } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import { call, createMerchant, createOrder, describeOnBothStores, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { CHECKOUT_ORDERS, checkoutBody, createCheckout } from '../support/checkout.js';
import { portalLogin } from '../support/portal.js';

/** n order lines of 100 each, every text field near its limit (about 3.6 kB of JSON a line). */
function bigLines(n: number) {
  const long = (c: string, length: number) => c.repeat(length);
  return Array.from({ length: n }, (_, i) => ({
    type: 'physical',
    reference: `${i}-${long('r', 240)}`,
    name: long('n', 255),
    quantity: 1,
    unit_price: 100,
    tax_rate: 0,
    total_amount: 100,
    total_tax_amount: 0,
    merchant_data: long('m', 1024),
    product_url: `https://shop.example/${long('p', 1000)}`,
    image_url: `https://shop.example/${long('i', 1000)}`,
  }));
}

const hookUrl = (i: number) => `https://shop.example/hooks/${i}`;

async function addEndpoint(t: TestApp, m: MerchantCredentials, i: number, path = '/sandbox/v1/webhooks', auth: MerchantCredentials | 'admin' = m) {
  return call(t, { method: 'POST', url: path, auth, body: { url: hookUrl(i), events: ['order.created'] } });
}

/** Counts the statements the store runs while fn runs (both of its connections). */
async function queriesDuring(t: TestApp, fn: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const counter: KyselyPlugin = {
    transformQuery: (args) => args.node,
    // Once per statement run (transformQuery also sees each subquery builder).
    transformResult: async (args) => {
      count++;
      return args.result;
    },
  };
  const store = t.store as { db: Kysely<Database>; reader: Kysely<Database> };
  const original = { db: store.db, reader: store.reader };
  store.db = original.db.withPlugin(counter);
  store.reader = original.reader === original.db ? store.db : original.reader.withPlugin(counter);
  try {
    await fn();
  } finally {
    Object.assign(store, original);
  }
  return count;
}

describeOnBothStores('bounded resources', (ctx) => {
  it('a merchant has at most 16 webhook endpoints: the 17th is 403 NOT_ALLOWED saying so (both mounts); after a delete one more fits', async () => {
    const t = ctx();
    const m = await createMerchant(t, 'Many Hooks AB');
    const ids: string[] = [];
    for (let i = 0; i < 16; i++) {
      const res = await addEndpoint(t, m, i);
      assert.equal(res.statusCode, 201, res.body);
      ids.push((res.json() as { webhook_id: string }).webhook_id);
    }
    for (const [path, auth] of [
      ['/sandbox/v1/webhooks', m],
      [`/admin/v1/merchants/${m.merchant_id}/webhooks`, 'admin'],
    ] as const) {
      const refused = await addEndpoint(t, m, 16, path, auth);
      assert.equal(refused.statusCode, 403, refused.body);
      const body = refused.json() as { error_code: string; error_messages: string[]; correlation_id: string };
      assert.equal(body.error_code, 'NOT_ALLOWED');
      assert.match(body.error_messages[0]!, /at most 16 webhook endpoints/);
    }
    const list = await call(t, { method: 'GET', url: '/sandbox/v1/webhooks', auth: m });
    assert.equal((list.json() as { webhooks: unknown[] }).webhooks.length, 16);
    assert.equal((await call(t, { method: 'DELETE', url: `/sandbox/v1/webhooks/${ids[0]}`, auth: m })).statusCode, 204);
    assert.equal((await addEndpoint(t, m, 17)).statusCode, 201);
  });

  it('concurrent registrations never pass the limit together', async () => {
    const t = ctx();
    const m = await createMerchant(t, 'Racing Hooks AB');
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => addEndpoint(t, m, i)));
    assert.equal(answers.filter((a) => a.statusCode === 201).length, 16);
    assert.equal(answers.filter((a) => a.statusCode === 403).length, 8);
  });

  it('the portal form refuses a 17th endpoint with the reason, and creates nothing', async () => {
    const t = ctx();
    const m = await createMerchant(t, 'Portal Hooks AB');
    for (let i = 0; i < 16; i++) assert.equal((await addEndpoint(t, m, i)).statusCode, 201);
    const portal = await portalLogin(t, m);
    const res = await portal.post('/portal/webhooks', { url: hookUrl(99), events: ['order.created'] });
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /at most 16 webhook endpoints/);
    const list = await call(t, { method: 'GET', url: '/sandbox/v1/webhooks', auth: m });
    assert.equal((list.json() as { webhooks: unknown[] }).webhooks.length, 16);
  });

  it('the portal webhooks page runs as many queries with 16 endpoints as with 1 (no N+1)', async () => {
    const t = ctx();
    const counts: number[] = [];
    for (const endpoints of [1, 16]) {
      const m = await createMerchant(t, `Pages ${endpoints} AB`);
      for (let i = 0; i < endpoints; i++) assert.equal((await addEndpoint(t, m, i)).statusCode, 201);
      for (let i = 0; i < 3; i++) await createOrder(t, m);
      const portal = await portalLogin(t, m);
      let body = '';
      counts.push(
        await queriesDuring(t, async () => {
          const res = await portal.get('/portal/webhooks');
          assert.equal(res.statusCode, 200);
          body = res.body;
        }),
      );
      for (let i = 0; i < endpoints; i++) assert.ok(body.includes(hookUrl(i)), `endpoint ${i} listed`);
      assert.equal(body.match(/order\.created/g)!.length >= endpoints * 3, true, 'every delivery listed');
    }
    assert.equal(counts[1], counts[0], `queries with 1 endpoint: ${counts[0]}, with 16: ${counts[1]}`);
  });

  it('a checkout order that would store more than 1 MiB of JSON is 400 BAD_VALUE naming its largest field, on create and on update; nothing is stored', async () => {
    const t = ctx();
    const m = await createMerchant(t, 'Big Baskets AB');
    const fits = await call(t, { method: 'POST', url: CHECKOUT_ORDERS, auth: m, body: checkoutBody({ order_lines: bigLines(250), order_amount: 25_000 }) });
    assert.equal(fits.statusCode, 201, fits.body.slice(0, 300));
    const big = { order_lines: bigLines(1000), order_amount: 100_000 };
    const refused = await call(t, { method: 'POST', url: CHECKOUT_ORDERS, auth: m, body: checkoutBody(big) });
    assert.equal(refused.statusCode, 400, refused.body.slice(0, 300));
    const body = refused.json() as { error_code: string; error_messages: string[] };
    assert.equal(body.error_code, 'BAD_VALUE');
    assert.match(body.error_messages[0]!, /^Bad value: order_lines \(a checkout order may store at most 1048576 bytes of JSON; this one would store \d+\)$/);
    const open = await createCheckout(t, m);
    const update = await call(t, { method: 'POST', url: `${CHECKOUT_ORDERS}/${open.order_id}`, auth: m, body: big });
    assert.equal(update.statusCode, 400, update.body.slice(0, 300));
    const stored = await call(t, { method: 'GET', url: `${CHECKOUT_ORDERS}/${open.order_id}`, auth: m });
    assert.equal((stored.json() as { order_lines: unknown[] }).order_lines.length, 2);
    const rows = await t.store.db.selectFrom('checkout_orders').select('order_id').where('merchant_id', '=', m.merchant_id).execute();
    assert.equal(rows.length, 2);
  });
});
