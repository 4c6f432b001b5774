// Shared steps of the checkout tests (CONTRACT §6): a valid checkout order, creating one, reading
// it, and buying it through the sandbox API.
import assert from 'node:assert/strict';
import { call, orderBody, type Json, type MerchantCredentials, type TestApp } from './harness.js';

export const CHECKOUT_ORDERS = '/checkout/v3/orders';

export interface CheckoutOrder extends Json {
  order_id: string;
  status: 'checkout_incomplete' | 'checkout_complete';
  started_at: string;
  last_modified_at: string;
  completed_at?: string;
  html_snippet: string;
  merchant_urls: Record<string, string>;
}

/** Merchant URLs on a shop at base, each carrying the order id placeholder where Klarna's examples do. */
export function merchantUrls(base = 'https://shop.example', extra: Record<string, string> = {}): Record<string, string> {
  return {
    terms: `${base}/terms`,
    checkout: `${base}/checkout?sid={checkout.order.id}`,
    confirmation: `${base}/thanks?sid={checkout.order.id}`,
    push: `${base}/push?sid={checkout.order.id}`,
    ...extra,
  };
}

/** A valid checkout order: the intake order of the harness (two lines, tax 0) with merchant URLs. */
export function checkoutBody(overrides: Json = {}, amount = 10_000): Json {
  const { billing_address: _b, shipping_address: _s, ...order } = orderBody({}, amount);
  return { ...order, merchant_reference1: 'ORDER-1', merchant_urls: merchantUrls(), ...overrides };
}

export async function createCheckout(t: TestApp, m: MerchantCredentials, body: Json = checkoutBody()): Promise<CheckoutOrder> {
  const res = await call(t, { method: 'POST', url: CHECKOUT_ORDERS, auth: m, body });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as CheckoutOrder;
}

export async function readCheckoutOrder(t: TestApp, m: MerchantCredentials, orderId: string): Promise<CheckoutOrder> {
  const res = await call(t, { method: 'GET', url: `${CHECKOUT_ORDERS}/${orderId}`, auth: m });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as CheckoutOrder;
}

export type Outcome = 'accepted' | 'pending_accepted' | 'pending_rejected' | 'denied';

export function complete(t: TestApp, m: MerchantCredentials, orderId: string, outcome: Outcome, email?: string) {
  return call(t, { method: 'POST', url: `/sandbox/v1/checkout/${orderId}/complete`, auth: m, body: email === undefined ? { outcome } : { outcome, email } });
}

/** The iframe src of an html_snippet. */
export function iframeSrc(snippet: string): string {
  const match = /<iframe[^>]*\ssrc="([^"]+)"/.exec(snippet);
  assert.ok(match?.[1], `no iframe src in ${snippet}`);
  return match[1].replaceAll('&amp;', '&');
}
