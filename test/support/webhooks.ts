// Shared steps of the delivery tests: register an endpoint, advance a merchant's clock, read
// deliveries, decide a pending fraud review, wait for something to become true.
import assert from 'node:assert/strict';
import type { FraudDecision } from '../../src/domain/decisions.js';
import { call, type MerchantCredentials, type TestApp } from './harness.js';

export interface Hook {
  webhook_id: string;
  signing_secret: string;
}

export async function registerWebhook(t: TestApp, m: MerchantCredentials, url: string, events: string[]): Promise<Hook> {
  const res = await call(t, { method: 'POST', url: '/sandbox/v1/webhooks', auth: m, body: { url, events } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as Hook;
}

export async function advanceClock(t: TestApp, m: MerchantCredentials, seconds: number): Promise<{ now: string; offset_seconds: number }> {
  const res = await call(t, { method: 'POST', url: '/sandbox/v1/clock/advance', auth: m, body: { seconds } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { now: string; offset_seconds: number };
}

export interface DeliveryJson {
  delivery_id: string;
  event_id: string;
  event_type: string;
  order_id: string | null;
  status: string;
  attempt_count: number;
  next_attempt_at: string | null;
  created_at: string;
  attempts: { attempt: number; status_code: number; error: string | null; duration_ms: number; attempted_at: string }[];
}

export async function deliveriesOf(t: TestApp, m: MerchantCredentials, hook: Hook): Promise<DeliveryJson[]> {
  const res = await call(t, { method: 'GET', url: `/sandbox/v1/webhooks/${hook.webhook_id}/deliveries?limit=100`, auth: m });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { deliveries: DeliveryJson[] }).deliveries;
}

/** Polls until check returns a value (not undefined), or fails after timeoutMs. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Decides a pending fraud review through the sandbox route; returns the status it answered. */
export async function decidePendingFraud(t: TestApp, m: MerchantCredentials, orderId: string, decision: FraudDecision): Promise<number> {
  const res = await call(t, { method: 'POST', url: `/sandbox/v1/orders/${orderId}/fraud-decision`, auth: m, body: { decision } });
  return res.statusCode;
}
