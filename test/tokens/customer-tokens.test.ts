// The Customer Token API v1 over HTTP (CONTRACT §12): read, order (with its idempotency key, its
// refusals and a sandbox fault), cancel, the sandbox's suspension, and a year of monthly renewals
// on the merchant's clock.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { call, createMerchant, describeOnBothStores, errorOf, getOrder, ordersUrl, type Json, type TestApp } from '../support/harness.js';
import { checkLedger } from '../../src/store/ledger.js';
import { advanceClock, deliveriesOf, registerWebhook } from '../support/webhooks.js';
import { cancelToken, orderWithToken, readToken, recurringPurchase, renewalBody, setSandboxStatus, TOKENS } from './support.js';

async function ordersOfToken(t: TestApp, token: string): Promise<number> {
  const row = await t.store.db.selectFrom('customer_token_orders').select((eb) => eb.fn.countAll<number>().as('n')).where('token_id', '=', token).executeTakeFirstOrThrow();
  return Number(row.n);
}

describeOnBothStores('customer token API', (ctx) => {
  it('a token reads as ACTIVE, paid by INVOICE; unknown and other merchants\' tokens are 404 NOT_FOUND "Invalid customer-token ID", a malformed one 400 naming it', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const other = await createMerchant(t, 'Other AB');
    const { token } = await recurringPurchase(t, m);
    const res = await readToken(t, m, token);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { status: 'ACTIVE', payment_method_type: 'INVOICE' });
    assert.equal((await readToken(t, m, token.toUpperCase())).statusCode, 200, 'ids are case-insensitive, as order ids are');
    const malformed = await readToken(t, m, 'not-a-token');
    assert.equal(malformed.statusCode, 400);
    assert.deepEqual(errorOf(malformed).error_messages, ['Bad value: customerToken (must be a UUID)']);
    for (const [who, id] of [[other, token], [m, '6a9b1cb1-73a3-4936-a030-481ba4bb203b']] as const) {
      const refused = await readToken(t, who, id);
      assert.equal(refused.statusCode, 404);
      assert.deepEqual([errorOf(refused).error_code, errorOf(refused).error_messages], ['NOT_FOUND', ['Invalid customer-token ID']]);
    }
  });

  it("an order with the token is an AUTHORIZED Order Management order for the token's customer; only its merchant can place it", async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const other = await createMerchant(t, 'Other AB');
    const { token } = await recurringPurchase(t, m, { billing_address: { given_name: 'Jane', family_name: 'Doe', email: 'jane@example.com', country: 'SE' } });
    const res = await orderWithToken(t, m, token, renewalBody({ merchant_reference2: 'MONTH-1' }));
    assert.equal(res.statusCode, 200, res.body);
    const placed = res.json() as { order_id: string; fraud_status: string };
    assert.equal(placed.fraud_status, 'ACCEPTED');
    const order = await getOrder(t, m, placed.order_id);
    assert.equal(order.status, 'AUTHORIZED');
    assert.equal(order.order_amount, 4_900);
    assert.equal(order.purchase_currency, 'SEK');
    assert.equal(order.merchant_reference2, 'MONTH-1');
    assert.equal((order.billing_address as Json).given_name, 'Jane');
    assert.deepEqual(order.initial_payment_method, { type: 'INVOICE', description: 'Customer token' });
    const foreign = await orderWithToken(t, other, token);
    assert.equal(foreign.statusCode, 404);
    assert.equal(errorOf(foreign).error_code, 'TOKEN_NOT_FOUND');
    assert.equal(await ordersOfToken(t, token), 1);
  });

  it('auto_capture captures the whole amount with an ordinary capture: CAPTURED, one capture, its capture.created webhook', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const hook = await registerWebhook(t, m, 'https://shop.example/hooks', ['order.created', 'capture.created']);
    const { token } = await recurringPurchase(t, m);
    const before = (await deliveriesOf(t, m, hook)).length;
    const res = await orderWithToken(t, m, token, renewalBody({ auto_capture: true }));
    assert.equal(res.statusCode, 200, res.body);
    const { order_id } = res.json() as { order_id: string };
    const order = await getOrder(t, m, order_id);
    assert.equal(order.status, 'CAPTURED');
    assert.equal(order.captured_amount, 4_900);
    const captures = (await call(t, { method: 'GET', url: ordersUrl(order_id, '/captures'), auth: m })).json() as Json[];
    assert.equal(captures.length, 1);
    assert.equal(captures[0]!.captured_amount, 4_900);
    const fired = (await deliveriesOf(t, m, hook)).slice(0, -before || undefined).map((d) => [d.event_type, d.order_id]);
    assert.deepEqual(fired.sort(), [['capture.created', order_id], ['order.created', order_id]]);
  });

  it('the same Klarna-Idempotency-Key answers the same order again and places no second one; another key places another', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const { token } = await recurringPurchase(t, m);
    const headers = { 'klarna-idempotency-key': 'renewal-2027-01' };
    const first = await orderWithToken(t, m, token, renewalBody(), headers);
    const again = await orderWithToken(t, m, token, renewalBody(), headers);
    assert.equal(first.statusCode, 200);
    assert.equal(again.statusCode, 200);
    assert.equal(again.body, first.body);
    assert.equal(await ordersOfToken(t, token), 1);
    const other = await orderWithToken(t, m, token, renewalBody(), { 'klarna-idempotency-key': 'renewal-2027-02' });
    assert.notEqual((other.json() as Json).order_id, (first.json() as Json).order_id);
    assert.equal(await ordersOfToken(t, token), 2);
  });

  it('a suspended token is refused 403 TOKEN_SUSPENDED until the sandbox makes it ACTIVE again', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const { token } = await recurringPurchase(t, m);
    assert.equal((await setSandboxStatus(t, m, token, 'SUSPENDED')).statusCode, 204);
    assert.equal(((await readToken(t, m, token)).json() as Json).status, 'SUSPENDED');
    const refused = await orderWithToken(t, m, token);
    assert.equal(refused.statusCode, 403);
    assert.equal(errorOf(refused).error_code, 'TOKEN_SUSPENDED');
    assert.equal(await ordersOfToken(t, token), 0);
    assert.equal((await setSandboxStatus(t, m, token, 'ACTIVE')).statusCode, 204);
    assert.equal((await orderWithToken(t, m, token)).statusCode, 200);
  });

  it('cancelling is 202 with no body and final: the token reads CANCELLED, orders are 404 TOKEN_NOT_FOUND, the sandbox cannot revive it, openom.customer_token.cancelled fires once', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const hook = await registerWebhook(t, m, 'https://shop.example/hooks', ['openom.customer_token.cancelled']);
    const { token, orderId } = await recurringPurchase(t, m);
    const cancelled = await cancelToken(t, m, token);
    assert.equal(cancelled.statusCode, 202, cancelled.body);
    assert.equal(cancelled.body, '');
    assert.equal(((await readToken(t, m, token)).json() as Json).status, 'CANCELLED');
    const refused = await orderWithToken(t, m, token);
    assert.equal(refused.statusCode, 404);
    assert.equal(errorOf(refused).error_code, 'TOKEN_NOT_FOUND');
    assert.equal((await cancelToken(t, m, token)).statusCode, 202, 'cancelling again changes nothing and says so the same way');
    const revive = await setSandboxStatus(t, m, token, 'ACTIVE');
    assert.equal(revive.statusCode, 403);
    assert.equal(errorOf(revive).error_code, 'NOT_ALLOWED');
    assert.deepEqual((await deliveriesOf(t, m, hook)).map((d) => [d.event_type, d.order_id]), [['openom.customer_token.cancelled', orderId]]);
    const foreign = await cancelToken(t, await createMerchant(t, 'Other AB'), token);
    assert.equal(foreign.statusCode, 404);
  });

  it('bad input is 400 BAD_VALUE naming the field, and changes nothing', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const { token } = await recurringPurchase(t, m);
    const cases: [Json, RegExp][] = [
      [renewalBody({ order_amount: 0, order_lines: [] }), /order_amount|order_lines/],
      [renewalBody({ order_amount: 5_000 }), /^Bad value: order_amount /],
      [renewalBody({ order_tax_amount: 1 }), /^Bad value: order_tax_amount /],
      [renewalBody({ purchase_currency: 'SEKK' }), /purchase_currency/],
      [renewalBody({ order_amount: '4900' }), /order_amount/],
      [renewalBody({ auto_capture: 'yes' }), /auto_capture/],
      [{ ...renewalBody(), order_lines: undefined }, /order_lines/],
      [renewalBody({ merchant_urls: { push: 'ftp://shop.example/push' } }), /merchant_urls\.push/],
    ];
    for (const [body, field] of cases) {
      const res = await orderWithToken(t, m, token, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      const error = errorOf(res);
      assert.equal(error.error_code, 'BAD_VALUE');
      assert.match(error.error_messages.join(' '), field);
    }
    const zero = await orderWithToken(t, m, token, renewalBody({ order_amount: 0, order_tax_amount: 0, order_lines: [{ type: 'physical', name: 'Free', quantity: 1, unit_price: 0, tax_rate: 0, total_amount: 0, total_tax_amount: 0 }] }));
    assert.equal(zero.statusCode, 400);
    assert.match(errorOf(zero).error_messages.join(' '), /order_amount/);
    for (const status of ['ACTIVE', 'cancelled', 7]) {
      const res = await cancelToken(t, m, token, { status });
      assert.equal(res.statusCode, 400);
      assert.match(errorOf(res).error_messages.join(' '), /status/);
    }
    const sandbox = await setSandboxStatus(t, m, token, 'CANCELLED');
    assert.equal(sandbox.statusCode, 400);
    assert.equal(await ordersOfToken(t, token), 0);
    assert.equal(((await readToken(t, m, token)).json() as Json).status, 'ACTIVE');
  });

  it('a year of monthly renewals on the clock: twelve orders, one declined by a fault (PAYMENT_METHOD_FAILED) and retried with its key, then cancelled', async () => {
    const t = ctx();
    const m = await createMerchant(t);
    const { token } = await recurringPurchase(t, m);
    const fault = await call(t, { method: 'POST', url: '/sandbox/v1/faults', auth: m, body: { method: 'POST', path: `${TOKENS}/*/order`, status: 403 } });
    assert.equal(fault.statusCode, 201, fault.body);
    const placed: string[] = [];
    let declined = 0;
    for (let month = 1; month <= 12; month++) {
      await advanceClock(t, m, 30 * 86_400);
      const headers = { 'klarna-idempotency-key': `sub-1-month-${month}` };
      let res = await orderWithToken(t, m, token, renewalBody({ auto_capture: true, merchant_reference2: `MONTH-${month}` }), headers);
      if (res.statusCode === 403) {
        assert.equal(errorOf(res).error_code, 'PAYMENT_METHOD_FAILED');
        declined++;
        res = await orderWithToken(t, m, token, renewalBody({ auto_capture: true, merchant_reference2: `MONTH-${month}` }), headers);
      }
      assert.equal(res.statusCode, 200, res.body);
      placed.push((res.json() as { order_id: string }).order_id);
    }
    assert.equal(declined, 1, 'the fault declined exactly one renewal');
    assert.equal(new Set(placed).size, 12);
    assert.equal(await ordersOfToken(t, token), 12);
    const last = await getOrder(t, m, placed[11]!);
    assert.equal(last.status, 'CAPTURED');
    const first = await getOrder(t, m, placed[0]!);
    const months = (Date.parse(String(last.created_at)) - Date.parse(String(first.created_at))) / 86_400_000;
    assert.ok(months >= 330 && months < 332, `renewals span eleven clock months (${months} days)`);
    const ledger = await checkLedger(t.store, new Date(Date.parse(String(last.created_at)) + 60_000));
    assert.deepEqual(ledger.violations, [], 'every token order and its capture hold the ledger invariants');
    assert.equal((await cancelToken(t, m, token)).statusCode, 202);
    assert.equal(errorOf(await orderWithToken(t, m, token)).error_code, 'TOKEN_NOT_FOUND');
  });
});
