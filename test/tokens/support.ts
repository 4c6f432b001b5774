// Shared steps of the customer token tests (CONTRACT §12): a recurring checkout bought through the
// sandbox, the token it leaves, and orders placed with it.
import assert from 'node:assert/strict';
import { checkoutBody, complete, createCheckout, readCheckoutOrder } from '../support/checkout.js';
import { call, type Json, type MerchantCredentials, type TestApp } from '../support/harness.js';

export const TOKENS = '/customer-token/v1/tokens';

/** A recurring checkout, bought: its order id and the recurring_token its checkout order carries. */
export async function recurringPurchase(t: TestApp, m: MerchantCredentials, overrides: Json = {}): Promise<{ orderId: string; token: string }> {
  const checkout = await createCheckout(t, m, checkoutBody({ recurring: true, recurring_description: 'Tomato box, monthly', ...overrides }));
  const res = await complete(t, m, checkout.order_id, 'accepted', 'john@example.com');
  assert.equal(res.statusCode, 200, res.body);
  const read = await readCheckoutOrder(t, m, checkout.order_id);
  assert.equal(typeof read.recurring_token, 'string', 'a completed recurring checkout carries its recurring_token');
  return { orderId: checkout.order_id, token: read.recurring_token as string };
}

/** A monthly renewal as a merchant sends it: 49.00 SEK incl. 25 % VAT, one line. */
export function renewalBody(overrides: Json = {}): Json {
  return {
    purchase_currency: 'SEK',
    order_amount: 4_900,
    order_tax_amount: 980,
    order_lines: [{ type: 'physical', reference: 'BOX-M', name: 'Tomato box', quantity: 1, unit_price: 4_900, tax_rate: 2_500, total_amount: 4_900, total_tax_amount: 980 }],
    merchant_reference1: 'SUB-1',
    ...overrides,
  };
}

export function orderWithToken(t: TestApp, m: MerchantCredentials, token: string, body: Json = renewalBody(), headers: Record<string, string> = {}) {
  return call(t, { method: 'POST', url: `${TOKENS}/${token}/order`, auth: m, body, headers });
}

export function readToken(t: TestApp, m: MerchantCredentials, token: string) {
  return call(t, { method: 'GET', url: `${TOKENS}/${token}`, auth: m });
}

export function cancelToken(t: TestApp, m: MerchantCredentials, token: string, body: Json = { status: 'CANCELLED' }) {
  return call(t, { method: 'PATCH', url: `${TOKENS}/${token}/status`, auth: m, body });
}

export function setSandboxStatus(t: TestApp, m: MerchantCredentials, token: string, status: string) {
  return call(t, { method: 'POST', url: `/sandbox/v1/customer-tokens/${token}/status`, auth: m, body: { status } });
}
