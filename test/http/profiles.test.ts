// API profiles (CONTRACT §8) over HTTP with the sandbox clock: where an authorization extension
// may take expires_at under Kustom's rules (the default) and under Klarna's. "Now" is the
// merchant's clock, exact to the second; the AUTHORIZATION_EXTENDED event records that now.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { call, createMerchant, createOrder, describeOnBothStores, getOrder, ordersUrl, type MerchantCredentials, type TestApp } from '../support/harness.js';
import { events, expectError, refusedWithoutChange } from '../support/orderAssertions.js';

const DAY_S = 86_400;
const DAY_MS = DAY_S * 1000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Setup {
  t: TestApp;
  m: MerchantCredentials;
  orderId: string;
}

/** A merchant of its own (clocks are per merchant) and an order that expires 10 days after it is made. */
async function orderExpiringIn10Days(t: TestApp): Promise<Setup & { createdAt: number; firstExpiresAt: number }> {
  const m = await createMerchant(t, `Profile ${randomUUID().slice(0, 8)}`);
  const order = await createOrder(t, m, { expires_at: iso(Date.now() + 10 * DAY_MS) });
  return { t, m, orderId: order.order_id, createdAt: Date.parse(String(order.created_at)), firstExpiresAt: Date.parse(String(order.expires_at)) };
}

const advance = async ({ t, m }: Setup, seconds: number) =>
  assert.equal((await call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: m, body: { seconds } })).statusCode, 200);
const extend = ({ t, m, orderId }: Setup) => call(t, { method: 'POST', url: ordersUrl(orderId, '/extend-authorization-time'), auth: m });
const expiresAt = async ({ t, m, orderId }: Setup) => String((await getOrder(t, m, orderId)).expires_at);

/** Extends and returns the merchant-clock second the extension was decided at. */
async function extendNow(s: Setup): Promise<number> {
  const res = await extend(s);
  assert.equal(res.statusCode, 204, res.body);
  const last = (await events(s.t, s.orderId)).at(-1)!;
  assert.equal(last.type, 'AUTHORIZATION_EXTENDED');
  return Math.floor(Date.parse(last.occurred_at) / 1000) * 1000;
}

/**
 * Advances 25 days at a time and extends each time: expires_at must be exactly
 * min(now + 28 days, cap) every time, until it reaches the cap; one more extension is refused.
 */
async function extendUntilCap(s: Setup, cap: number): Promise<number> {
  let extensions = 0;
  for (;;) {
    await advance(s, 25 * DAY_S);
    const now = await extendNow(s);
    extensions++;
    const expected = Math.min(now + 28 * DAY_MS, cap);
    assert.equal(await expiresAt(s), iso(expected), `extension ${extensions}`);
    if (expected === cap) break;
    assert.ok(extensions < 20, 'never reached the cap');
  }
  const refused = expectError(await refusedWithoutChange(s.t, s.m, s.orderId, () => extend(s)), 403, 'NOT_ALLOWED');
  assert.match(refused.error_messages[0]!, /maximum/);
  return extensions;
}

describeOnBothStores('API profile kustom (the default): authorization extensions', (ctx) => {
  it('expires_at = min(now + 28 days, first expires_at + 90 days), exact to the second on the merchant clock; at the cap 403 NOT_ALLOWED', async () => {
    const s = await orderExpiringIn10Days(ctx());
    await advance(s, 5 * DAY_S);
    const now = await extendNow(s);
    assert.equal(await expiresAt(s), iso(now + 28 * DAY_MS));
    // 90 days after the first expires_at (10 days in), well before Klarna's 180 days after the purchase.
    assert.equal(await extendUntilCap(s, s.firstExpiresAt + 90 * DAY_MS), 3);
  });

  it('an expired order cannot be extended: 403 NOT_ALLOWED', async () => {
    const s = await orderExpiringIn10Days(ctx());
    await advance(s, 10 * DAY_S + 5);
    assert.equal((await getOrder(s.t, s.m, s.orderId)).status, 'EXPIRED');
    const refused = expectError(await refusedWithoutChange(s.t, s.m, s.orderId, () => extend(s)), 403, 'NOT_ALLOWED');
    assert.match(refused.error_messages[0]!, /expired/);
  });

  it('expires_at never moves earlier: an extension while it is further away than 28 days keeps it (204)', async () => {
    const t = ctx();
    const m = await createMerchant(t, `Profile ${randomUUID().slice(0, 8)}`);
    const order = await createOrder(t, m, { expires_at: iso(Date.now() + 40 * DAY_MS) });
    const s = { t, m, orderId: order.order_id };
    await extendNow(s);
    assert.equal(await expiresAt(s), order.expires_at);
  });

  it('capture due-date extension and send-out do not exist under kustom: 404 NOT_FOUND', async () => {
    const t = ctx();
    const m = await createMerchant(t, `Profile ${randomUUID().slice(0, 8)}`);
    const order = await createOrder(t, m);
    const created = await call(t, { method: 'POST', url: ordersUrl(order.order_id, '/captures'), auth: m, body: { captured_amount: 100 } });
    const base = ordersUrl(order.order_id, `/captures/${String(created.headers['capture-id'])}`);
    expectError(await call(t, { method: 'GET', url: `${base}/extend-due-date-options`, auth: m }), 404, 'NOT_FOUND');
    expectError(await call(t, { method: 'POST', url: `${base}/trigger-send-out`, auth: m }), 404, 'NOT_FOUND');
  });
});

describeOnBothStores(
  'API profile klarna: authorization extensions',
  (ctx) => {
    it('expires_at = min(now + 28 days, created_at + 180 days), exact to the second on the merchant clock; at the cap 403 NOT_ALLOWED', async () => {
      const s = await orderExpiringIn10Days(ctx());
      await advance(s, 5 * DAY_S);
      const now = await extendNow(s);
      assert.equal(await expiresAt(s), iso(now + 28 * DAY_MS));
      // Past where Kustom's cap (first expires_at + 90 days) would have stopped it.
      assert.equal(await extendUntilCap(s, s.createdAt + 180 * DAY_MS), 6);
    });

    it('an expired order cannot be extended: 403 NOT_ALLOWED', async () => {
      const s = await orderExpiringIn10Days(ctx());
      await advance(s, 11 * DAY_S);
      expectError(await refusedWithoutChange(s.t, s.m, s.orderId, () => extend(s)), 403, 'NOT_ALLOWED');
    });
  },
  { OPENOM_PROFILE: 'klarna' },
);
