// The merchant's sandbox clock (CONTRACT §5): per merchant, stored, only forward, and read by every
// time rule of the merchant's orders.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { call, createMerchant, createOrder, describeOnBothStores, errorOf, getOrder, ordersUrl, startTestApp, type Json, type MerchantCredentials } from '../support/harness.js';

const DAY = 86_400;

describeOnBothStores('sandbox clock', (ctx) => {
  let m: MerchantCredentials;
  let other: MerchantCredentials;
  before(async () => {
    m = await createMerchant(ctx(), 'Clock AB');
    other = await createMerchant(ctx(), 'Other Clock AB');
  });

  const clock = async (who: MerchantCredentials) => {
    const res = await call(ctx(), { method: 'GET', url: '/sandbox/v1/clock', auth: who });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { now: string; offset_seconds: number };
  };
  const advance = (who: MerchantCredentials, body: unknown) => call(ctx(), { method: 'POST', url: '/sandbox/v1/clock/advance', auth: who, body });

  it('a new merchant reads the real time with offset 0', async () => {
    const c = await clock(m);
    assert.equal(c.offset_seconds, 0);
    assert.match(c.now, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Math.abs(Date.parse(c.now) - Date.now()) < 5_000);
  });

  it("advancing one merchant's clock moves its time and no one else's", async () => {
    const res = await advance(m, { seconds: 3_600 });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { now: string; offset_seconds: number };
    assert.equal(body.offset_seconds, 3_600);
    assert.ok(Math.abs(Date.parse(body.now) - (Date.now() + 3_600_000)) < 5_000);
    assert.equal((await clock(m)).offset_seconds, 3_600);
    assert.equal((await clock(other)).offset_seconds, 0);
    assert.equal(((await advance(m, { seconds: 1 })).json() as Json).offset_seconds, 3_601);
  });

  it("an order's status, remaining amount and written timestamps follow its merchant's clock", async () => {
    const t = ctx();
    const fresh = await createMerchant(t, 'Expiring AB');
    const order = await createOrder(t, fresh);
    assert.equal(order.status, 'AUTHORIZED');
    const expiresAt = Date.parse(String(order.expires_at));
    // One second before expires_at: still authorized.
    const untilExpiry = Math.round((expiresAt - Date.parse((await clock(fresh)).now)) / 1000);
    assert.equal((await advance(fresh, { seconds: untilExpiry - 5 })).statusCode, 200);
    assert.equal((await getOrder(t, fresh, order.order_id)).status, 'AUTHORIZED');
    assert.equal((await advance(fresh, { seconds: 10 })).statusCode, 200);
    const expired = await getOrder(t, fresh, order.order_id);
    assert.equal(expired.status, 'EXPIRED');
    assert.equal(expired.remaining_authorized_amount, 0);
    const refused = await call(t, { method: 'POST', url: ordersUrl(order.order_id, '/captures'), auth: fresh, body: { captured_amount: 100 } });
    assert.equal(refused.statusCode, 403);
    assert.equal(errorOf(refused).error_code, 'CAPTURE_NOT_ALLOWED');
    // The other merchant's order made at the same real time is still authorized.
    const theirs = await createOrder(t, other);
    assert.equal((await getOrder(t, other, theirs.order_id)).status, 'AUTHORIZED');
  });

  it('captures are stamped with the merchant clock', async () => {
    const t = ctx();
    const fresh = await createMerchant(t, 'Stamped AB');
    await advance(fresh, { seconds: 10 * DAY });
    const order = await createOrder(t, fresh);
    assert.ok(Date.parse(String(order.created_at)) > Date.now() + 9 * DAY * 1000);
    const res = await call(t, { method: 'POST', url: ordersUrl(order.order_id, '/captures'), auth: fresh, body: { captured_amount: 100 } });
    assert.equal(res.statusCode, 201, res.body);
    const captured = (await getOrder(t, fresh, order.order_id)).captures as Json[];
    assert.ok(Date.parse(String(captured[0]!.captured_at)) > Date.now() + 9 * DAY * 1000);
  });

  it('advance takes 1 to 31,536,000 whole seconds: anything else is 400 BAD_VALUE naming seconds, and the clock stays', async () => {
    const before = (await clock(other)).offset_seconds;
    for (const body of [{ seconds: 0 }, { seconds: -5 }, { seconds: 31_536_001 }, { seconds: 1.5 }, { seconds: '60' }, {}, { seconds: null }]) {
      const res = await advance(other, body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
      const e = errorOf(res);
      assert.equal(e.error_code, 'BAD_VALUE');
      assert.match(e.error_messages[0]!, /seconds/);
    }
    assert.equal((await advance(other, { seconds: 31_536_000 })).statusCode, 200);
    assert.equal((await clock(other)).offset_seconds, before + 31_536_000);
  });

  it('the clock needs merchant Basic auth: 401 without it', async () => {
    for (const req of [
      { method: 'GET' as const, url: '/sandbox/v1/clock' },
      { method: 'POST' as const, url: '/sandbox/v1/clock/advance', body: { seconds: 60 } },
    ]) {
      const res = await call(ctx(), { ...req, auth: 'none' });
      assert.equal(res.statusCode, 401);
      assert.equal(errorOf(res).error_code, 'UNAUTHORIZED');
    }
    const admin = await call(ctx(), { method: 'GET', url: '/sandbox/v1/clock', auth: 'admin' });
    assert.equal(admin.statusCode, 401);
  });
});

for (const backend of ['sqlite'] as const) {
  it(`production mode: /sandbox/v1/clock is 404 NOT_FOUND and orders run on the real clock [${backend}]`, async () => {
    const t = await startTestApp(backend, { OPENOM_MODE: 'production' });
    try {
      const m = await createMerchant(t, 'Production AB');
      for (const req of [
        { method: 'GET' as const, url: '/sandbox/v1/clock' },
        { method: 'POST' as const, url: '/sandbox/v1/clock/advance', body: { seconds: 60 } },
      ]) {
        const res = await call(t, { ...req, auth: m });
        assert.equal(res.statusCode, 404, res.body);
        assert.equal(errorOf(res).error_code, 'NOT_FOUND');
      }
      const order = await createOrder(t, m);
      assert.ok(Math.abs(Date.parse(String(order.created_at)) - Date.now()) < 5_000);
    } finally {
      await t.close();
    }
  });
}
