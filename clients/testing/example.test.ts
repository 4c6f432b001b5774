// How a merchant's test looks with the recipe: a fresh merchant per test, an order put in with the
// admin intake, then the code under test talks to OpenOM as it would to Klarna.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { globalSetup, globalTeardown } from './globalSetup.js';
import { freshMerchant } from './openom.js';

// With Node ≥ 24's --test-global-setup these two lines go: the run starts OpenOM once.
if (!process.env.OPENOM_TEST_URL) {
  before(globalSetup);
  after(globalTeardown);
}

async function authorizedOrder(m: { merchant_id: string }): Promise<string> {
  const order = JSON.parse(await (await import('node:fs/promises')).readFile(new URL('../../examples/order-se.json', import.meta.url), 'utf8')) as unknown;
  const res = await fetch(`${process.env.OPENOM_TEST_URL}/admin/v1/merchants/${m.merchant_id}/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${process.env.OPENOM_TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(order),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { order_id: string }).order_id;
}

it('captures an order in full', async () => {
  const m = await freshMerchant();
  const orderId = await authorizedOrder(m);
  const res = await fetch(`${process.env.OPENOM_TEST_URL}/ordermanagement/v1/orders/${orderId}/captures`, {
    method: 'POST',
    headers: { authorization: m.authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ captured_amount: 15400 }),
  });
  assert.equal(res.status, 201);
});

it('a fresh merchant sees no order of another test', async () => {
  const m = await freshMerchant();
  const snapshot = (await (await fetch(`${process.env.OPENOM_TEST_URL}/sandbox/v1/snapshot`, { headers: { authorization: m.authorization } })).json()) as { tables: { orders: unknown[] } };
  assert.deepEqual(snapshot.tables.orders, []);
});
