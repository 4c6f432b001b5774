// Token orders under concurrency (CONTRACT §12 with §2): requests sharing a key in flight make one
// order and all get its answer; an order racing the cancellation either lands before it or is
// refused, never after it; a refusal under a key replays as it was.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createMerchant, describeOnBothStores, errorOf } from '../support/harness.js';
import { cancelToken, orderWithToken, recurringPurchase, renewalBody } from './support.js';

describeOnBothStores('customer token orders at once', (ctx) => {
  it('eight requests with one key at once place one order, and every one answers it', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const { token } = await recurringPurchase(t, m);
    const headers = { 'klarna-idempotency-key': 'same-renewal' };
    const answers = await Promise.all(Array.from({ length: 8 }, () => orderWithToken(t, m, token, renewalBody({ auto_capture: true }), headers)));
    assert.deepEqual(new Set(answers.map((a) => a.statusCode)), new Set([200]));
    assert.equal(new Set(answers.map((a) => a.body)).size, 1);
    const orders = await t.store.db.selectFrom('customer_token_orders').selectAll().where('token_id', '=', token).execute();
    assert.equal(orders.length, 1);
    const captures = await t.store.db.selectFrom('captures').selectAll().where('order_id', '=', orders[0]!.order_id).execute();
    assert.equal(captures.length, 1, 'one capture, not one per request');
  });

  it('orders racing a cancellation: every order that was placed was placed before it, every later one is TOKEN_NOT_FOUND', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const { token } = await recurringPurchase(t, m);
    const [cancelled, ...orders] = await Promise.all([cancelToken(t, m, token), ...Array.from({ length: 6 }, () => orderWithToken(t, m, token))]);
    assert.equal(cancelled!.statusCode, 202);
    for (const res of orders) {
      if (res.statusCode !== 200) assert.equal(errorOf(res).error_code, 'TOKEN_NOT_FOUND');
    }
    const row = await t.store.db.selectFrom('customer_tokens').select('updated_at').where('token_id', '=', token).executeTakeFirstOrThrow();
    const placed = await t.store.db.selectFrom('customer_token_orders').select('created_at').where('token_id', '=', token).execute();
    assert.equal(placed.length, orders.filter((o) => o.statusCode === 200).length);
    for (const p of placed) assert.ok(p.created_at <= row.updated_at, `an order at ${p.created_at} after the cancellation at ${row.updated_at}`);
  });

  it('after the cancellation, a refused order under a key is answered again byte for byte', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const { token } = await recurringPurchase(t, m);
    const headers = { 'klarna-idempotency-key': 'cancel-1' };
    const first = await cancelToken(t, m, token, { status: 'CANCELLED' });
    assert.equal(first.statusCode, 202);
    const keyed = await Promise.all([0, 1].map(() => orderWithToken(t, m, token, renewalBody(), headers)));
    for (const res of keyed) assert.equal(errorOf(res).error_code, 'TOKEN_NOT_FOUND');
    assert.equal(keyed[0]!.body, keyed[1]!.body, 'a refusal under a key replays byte for byte');
  });
});

describeOnBothStores(
  'customer tokens in production mode',
  (ctx) => {
    it('the Customer Token API answers (no token exists without the sandbox checkout); the sandbox helper is 404 NOT_FOUND', async () => {
      const t = ctx();
      const m = await createMerchant(t);
      const token = '6a9b1cb1-73a3-4936-a030-481ba4bb203b';
      const read = await t.app.inject({ method: 'GET', url: `/customer-token/v1/tokens/${token}`, headers: { authorization: `Basic ${Buffer.from(`${m.username}:${m.password}`).toString('base64')}` } });
      assert.equal(read.statusCode, 404);
      assert.equal(errorOf(read).error_messages[0], 'Invalid customer-token ID');
      const helper = await t.app.inject({
        method: 'POST',
        url: `/sandbox/v1/customer-tokens/${token}/status`,
        headers: { authorization: `Basic ${Buffer.from(`${m.username}:${m.password}`).toString('base64')}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ status: 'SUSPENDED' }),
      });
      assert.equal(helper.statusCode, 404);
      assert.equal(errorOf(helper).error_code, 'NOT_FOUND');
    });
  },
  { OPENOM_MODE: 'production' },
);
