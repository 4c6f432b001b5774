// Fixtures (CONTRACT §15): POST /admin/v1/fixtures and OPENOM_FIXTURES at start, with the example
// file in examples/: merchants with fixed ids and credentials, orders in every state, checkouts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expectError } from '../support/orderAssertions.js';
import { call, describeOnBothStores, getOrder, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { freePort, REPO_ROOT, spawnOpenOM } from '../support/process.js';

type Fixture = { openom_fixtures: number; merchants: ({ merchant_id: string; username: string; password: string; name: string } & Record<string, unknown>)[] };

const example = (): Fixture => JSON.parse(readFileSync(join(REPO_ROOT, 'examples/fixtures.json'), 'utf8')) as Fixture;

const load = (t: TestApp, body: unknown) => call(t, { method: 'POST', url: '/admin/v1/fixtures', auth: 'admin', body });

const STATUSES: [string, string, Record<string, number>][] = [
  ['0b6a1c8e-1111-4c3b-8d2e-000000000001', 'AUTHORIZED', { captured_amount: 0 }],
  ['0b6a1c8e-1111-4c3b-8d2e-000000000002', 'PART_CAPTURED', { captured_amount: 4000 }],
  ['0b6a1c8e-1111-4c3b-8d2e-000000000003', 'CAPTURED', { captured_amount: 10000 }],
  ['0b6a1c8e-1111-4c3b-8d2e-000000000004', 'CAPTURED', { refunded_amount: 2500 }],
  ['0b6a1c8e-1111-4c3b-8d2e-000000000005', 'CAPTURED', { refunded_amount: 10000 }],
  ['0b6a1c8e-1111-4c3b-8d2e-000000000006', 'CANCELLED', {}],
  ['0b6a1c8e-1111-4c3b-8d2e-000000000007', 'EXPIRED', {}],
  ['0b6a1c8e-1111-4c3b-8d2e-000000000008', 'AUTHORIZED', {}],
  ['0b6a1c8e-1111-4c3b-8d2e-000000000009', 'CAPTURED', { captured_amount: 6000, remaining_authorized_amount: 0 }],
];

describeOnBothStores('POST /admin/v1/fixtures', (ctx) => {
  it('loads examples/fixtures.json: the merchant logs in with its fixed credentials and finds every order in its state', async () => {
    const t = ctx();
    const doc = example();
    const res = await load(t, doc);
    assert.equal(res.statusCode, 200, res.body);
    const [loaded] = (res.json() as { merchants: { merchant_id: string; loaded: boolean; orders: string[]; checkouts: string[]; webhooks: { signing_secret: string }[] }[] }).merchants;
    assert.equal(loaded?.loaded, true);
    assert.equal(loaded?.orders.length, STATUSES.length);
    assert.equal(loaded?.checkouts.length, 2);
    assert.equal(loaded?.webhooks.length, 1);
    const fixture = doc.merchants[0]!;
    const m: MerchantCredentials = { merchant_id: fixture.merchant_id, username: fixture.username, password: fixture.password };
    for (const [orderId, status, amounts] of STATUSES) {
      const order = await getOrder(t, m, orderId);
      assert.equal(order.status, status, `${orderId} ${String(order.merchant_reference1)}`);
      for (const [field, value] of Object.entries(amounts)) assert.equal(order[field], value, `${orderId} ${field}`);
    }
    assert.equal((await getOrder(t, m, STATUSES[7]![0])).fraud_status, 'PENDING');
    const [open, bought] = loaded?.checkouts ?? [];
    assert.equal((await call(t, { method: 'GET', url: `/checkout/v3/orders/${open}`, auth: m })).json().status, 'checkout_incomplete');
    assert.equal((await call(t, { method: 'GET', url: `/checkout/v3/orders/${bought}`, auth: m })).json().status, 'checkout_complete');
    assert.equal((await getOrder(t, m, bought ?? '')).status, 'AUTHORIZED');
  });

  it('loading the same fixtures again changes nothing; a changed fixture is loaded afresh', async () => {
    const t = ctx();
    const doc = example();
    assert.equal((await load(t, doc)).statusCode, 200);
    const fixture = doc.merchants[0]!;
    const m: MerchantCredentials = { merchant_id: fixture.merchant_id, username: fixture.username, password: fixture.password };
    const snapshot = async () => (await call(t, { method: 'GET', url: '/sandbox/v1/snapshot', auth: m })).body;
    const before = await snapshot();
    const again = await load(t, doc);
    assert.equal(again.statusCode, 200);
    assert.equal((again.json() as { merchants: { loaded: boolean }[] }).merchants[0]?.loaded, false);
    assert.equal(await snapshot(), before);

    const fewer = { ...doc, merchants: [{ ...fixture, orders: (fixture.orders as unknown[]).slice(0, 1), checkouts: [] }] };
    const changed = await load(t, fewer);
    assert.equal((changed.json() as { merchants: { loaded: boolean }[] }).merchants[0]?.loaded, true);
    const orders = (JSON.parse(await snapshot()) as { tables: { orders: unknown[] } }).tables.orders;
    assert.equal(orders.length, 1);
  });

  for (const [what, change, field] of [
    ['no version', (d: Fixture) => ({ merchants: d.merchants }), 'openom_fixtures'],
    ['a merchant_id that is no UUID', (d: Fixture) => ({ ...d, merchants: [{ ...d.merchants[0], merchant_id: 'shop' }] }), 'merchant_id'],
    ['an order without lines', (d: Fixture) => ({ ...d, merchants: [{ ...d.merchants[0], orders: [{ order_id: '0b6a1c8e-1111-4c3b-8d2e-00000000000a', order: { purchase_country: 'SE' } }] }] }), 'orders'],
    ['a capture above the order', (d: Fixture) => ({ ...d, merchants: [{ ...d.merchants[0], orders: [{ ...(d.merchants[0]!.orders as Record<string, unknown>[])[0], captures: [{ captured_amount: 99_999 }] }] }] }), 'merchants.0.orders.0.captures.0'],
  ] as const) {
    it(`a fixture with ${what} is refused with BAD_VALUE naming ${field}`, async () => {
      const body = expectError(await load(ctx(), change(example())), 400, 'BAD_VALUE');
      assert.match(body.error_messages.join(' '), new RegExp(field.replace(/\./g, '\\.')));
    });
  }

  it('needs the admin token', async () => {
    expectError(await call(ctx(), { method: 'POST', url: '/admin/v1/fixtures', auth: 'none', body: example() }), 401, 'UNAUTHORIZED');
  });
});

describe('OPENOM_FIXTURES at start', () => {
  it('the fixture merchant and its orders are there once /health/ready answers 200, and a second start loads nothing again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openom-fixtures-'));
    const db = join(dir, 'openom.sqlite');
    const fixturesFile = join(dir, 'fixtures.json');
    writeFileSync(fixturesFile, JSON.stringify(example()));
    const fixture = example().merchants[0]!;
    const auth = `Basic ${Buffer.from(`${fixture.username}:${fixture.password}`).toString('base64')}`;
    for (const start of [1, 2]) {
      const port = await freePort();
      const server = spawnOpenOM({ PORT: String(port), DATABASE_URL: `sqlite:${db}`, OPENOM_FIXTURES: fixturesFile, OPENOM_WORKER_CONCURRENCY: '0' });
      try {
        // Asked from the first moment: not ready (503) until the fixtures are in, never a failed login.
        const seen = new Set<number>();
        const deadline = Date.now() + 60_000;
        let res: Response | undefined;
        while (Date.now() < deadline && res?.status !== 200) {
          res = await fetch(`http://127.0.0.1:${port}/ordermanagement/v1/orders/${STATUSES[1]![0]}`, { headers: { authorization: auth } }).catch(() => undefined);
          if (res) seen.add(res.status);
          else await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.ok(res, server.stderr());
        assert.deepEqual([...seen].filter((s) => s !== 503 && s !== 200), [], `answers while starting: ${[...seen].join(', ')}`);
        assert.equal(res.status, 200);
        assert.equal(((await res.json()) as { status: string }).status, 'PART_CAPTURED');
        assert.match(server.stdout(), start === 1 ? /"loaded":true/ : /"loaded":false/, `start ${start}`);
      } finally {
        await server.stop();
      }
    }
  });

  it('a fixtures file that is not valid stops the start with one line naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openom-fixtures-'));
    const fixturesFile = join(dir, 'fixtures.json');
    writeFileSync(fixturesFile, JSON.stringify({ openom_fixtures: 1, merchants: [{ ...example().merchants[0], password: 'short' }] }));
    const server = spawnOpenOM({ PORT: String(await freePort()), DATABASE_URL: `sqlite:${join(dir, 'x.sqlite')}`, OPENOM_FIXTURES: fixturesFile });
    const { code } = await server.exited;
    assert.equal(code, 2);
    assert.match(server.stderr(), /OPENOM_FIXTURES .*password/);
  });
});
