// Validators compiled at build time (src/http/precompiledValidators.ts) validate exactly as those
// compiled at start: the same requests get the same answers from an app of each kind, and the build
// has a validator for every schema the routes use (a missing one fails the app's start here).
// Any test file runs on them with OPENOM_TEST_PRECOMPILED_VALIDATORS=1 (test/support/harness.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { precompiledValidators } from '../support/precompiledValidators.js';
import { call, createMerchant, createOrder, ordersUrl, orderBody, startTestApp, type Call, type MerchantCredentials, type TestApp } from '../support/harness.js';

interface Side {
  app: TestApp;
  shop: MerchantCredentials;
  orderId: string;
}

async function side(precompiled: boolean): Promise<Side> {
  if (precompiled) process.env.OPENOM_TEST_PRECOMPILED_VALIDATORS = '1';
  try {
    const app = await startTestApp('sqlite');
    const shop = await createMerchant(app);
    return { app, shop, orderId: (await createOrder(app, shop)).order_id };
  } finally {
    delete process.env.OPENOM_TEST_PRECOMPILED_VALIDATORS;
  }
}

/** Requests valid and not, in every part a schema checks: bodies, query strings, ids, headers. */
function requests(s: Side): Call[] {
  const order = (rest = '') => ordersUrl(s.orderId, rest);
  const line = orderBody().order_lines as unknown[];
  return [
    { method: 'GET', url: order(), auth: s.shop },
    { method: 'GET', url: ordersUrl('not a valid id !'), auth: s.shop },
    { method: 'POST', url: order('/captures'), auth: s.shop, body: { captured_amount: '100' } },
    { method: 'POST', url: order('/captures'), auth: s.shop, body: { captured_amount: -1 } },
    { method: 'POST', url: order('/captures'), auth: s.shop, body: { captured_amount: 1.5 } },
    { method: 'POST', url: order('/captures'), auth: s.shop, body: { captured_amount: 100, order_lines: [{ name: 7 }] } },
    { method: 'POST', url: order('/captures'), auth: s.shop, body: { captured_amount: 100, description: 'x'.repeat(300), unknown_field: 1 } },
    { method: 'POST', url: order('/captures'), auth: s.shop, body: { captured_amount: 100 }, headers: { 'klarna-idempotency-key': '' } },
    { method: 'POST', url: order('/captures'), auth: s.shop, body: [] },
    { method: 'POST', url: order('/refunds'), auth: s.shop, body: { refunded_amount: null } },
    { method: 'PATCH', url: order('/authorization'), auth: s.shop, body: { order_amount: 'all', order_lines: line } },
    { method: 'PATCH', url: order('/merchant-references'), auth: s.shop, body: { merchant_reference1: 12 } },
    { method: 'PATCH', url: order('/customer-details'), auth: s.shop, body: { billing_address: { email: 5 } } },
    { method: 'POST', url: order('/extend-authorization-time'), auth: s.shop, body: {} },
    { method: 'POST', url: `/admin/v1/merchants/${s.shop.merchant_id}/orders`, auth: 'admin', body: orderBody({ purchase_currency: 'sek' }) },
    { method: 'POST', url: `/admin/v1/merchants/${s.shop.merchant_id}/orders`, auth: 'admin', body: orderBody({ order_amount: 10_000.5 }) },
    { method: 'POST', url: '/admin/v1/merchants', auth: 'admin', body: { name: '' } },
    { method: 'POST', url: '/sandbox/v1/clock', auth: s.shop, body: { advance_seconds: 'soon' } },
    { method: 'POST', url: '/sandbox/v1/faults', auth: s.shop, body: { kind: 'nonsense' } },
    { method: 'POST', url: '/checkout/v3/orders', auth: s.shop, body: { purchase_country: 1 } },
  ];
}

/** What a client sees of an answer: its status and, for a refusal, the error (ids made alike). */
function answer(res: { statusCode: number; body: string }, s: Side): string {
  if (res.statusCode < 400) return String(res.statusCode);
  const { error_code, error_messages } = JSON.parse(res.body.replaceAll(s.orderId, '<order>').replaceAll(s.shop.merchant_id, '<merchant>')) as Record<string, unknown>;
  return `${res.statusCode} ${JSON.stringify({ error_code, error_messages })}`;
}

describe('validators compiled at build time', () => {
  let atStart: Side;
  let atBuild: Side;
  before(async () => {
    [atStart, atBuild] = [await side(false), await side(true)];
  });
  after(async () => {
    await atStart?.app.close();
    await atBuild?.app.close();
  });

  it('the build records a validator for each schema', async () => {
    const validators = await precompiledValidators();
    assert.ok(Object.keys(validators).length >= 20, `${Object.keys(validators).length} validators`);
    for (const validate of Object.values(validators)) assert.equal(typeof validate, 'function');
  });

  it('answers every request as the validators compiled at start do', async () => {
    const expected = requests(atStart);
    const actual = requests(atBuild);
    let refused = 0;
    for (const [i, c] of expected.entries()) {
      const want = answer(await call(atStart.app, c), atStart);
      const got = answer(await call(atBuild.app, actual[i]!), atBuild);
      assert.equal(got, want, `${c.method} ${c.url}`);
      if (want.startsWith('400')) refused++;
    }
    assert.ok(refused >= 10, `only ${refused} requests were refused: the comparison must cover failing validation`);
  });
});
