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

type Created = Setup & { createdAt: number; firstExpiresAt: number };

/** A merchant of its own (clocks are per merchant) and an order that expires 10 days after it is made. */
async function orderExpiringIn10Days(t: TestApp): Promise<Created> {
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

const PROFILES: { profile: string; env: Record<string, string>; cap: string; capOf: (o: Created) => number; extensions: number }[] = [
  { profile: 'kustom (the default)', env: {}, cap: 'first expires_at + 90 days', capOf: (o: Created) => o.firstExpiresAt + 90 * DAY_MS, extensions: 3 },
  // Klarna's cap lies past where Kustom's would have stopped the same order.
  { profile: 'klarna', env: { OPENOM_PROFILE: 'klarna' }, cap: 'created_at + 180 days', capOf: (o: Created) => o.createdAt + 180 * DAY_MS, extensions: 6 },
];

for (const p of PROFILES) {
  describeOnBothStores(
    `API profile ${p.profile}: authorization extensions`,
    (ctx) => {
      it(`expires_at = min(now + 28 days, ${p.cap}), exact to the second on the merchant clock; at the cap 403 NOT_ALLOWED`, async () => {
        const s = await orderExpiringIn10Days(ctx());
        await advance(s, 5 * DAY_S);
        const now = await extendNow(s);
        assert.equal(await expiresAt(s), iso(now + 28 * DAY_MS));
        assert.equal(await extendUntilCap(s, p.capOf(s)), p.extensions);
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
    },
    p.env,
  );
}
