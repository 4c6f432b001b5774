// Assertions the order-operation suites share: refusals change nothing, errors carry their code.
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { errorOf, getOrder, type MerchantCredentials, type TestApp } from './harness.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
/** An expires_at in the past: the intake then creates an already lapsed authorization. */
export const PAST = '2020-01-01T00:00:00Z';

export async function events(t: TestApp, orderId: string) {
  return t.store.db.selectFrom('order_events').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
}

export async function eventCount(t: TestApp, orderId: string): Promise<number> {
  return (await events(t, orderId)).length;
}

/** Runs a request that must be refused, and proves it changed neither the order nor the event log. */
export async function refusedWithoutChange(t: TestApp, m: MerchantCredentials, orderId: string, send: () => Promise<LightMyRequestResponse>) {
  const before = await getOrder(t, m, orderId);
  const eventsBefore = await eventCount(t, orderId);
  const res = await send();
  assert.deepEqual(await getOrder(t, m, orderId), before, 'a refused request changed the order');
  assert.equal(await eventCount(t, orderId), eventsBefore, 'a refused request wrote an order event');
  return res;
}

export function expectError(res: LightMyRequestResponse, status: number, code: string) {
  assert.equal(res.statusCode, status, res.body);
  const body = errorOf(res);
  assert.equal(body.error_code, code, res.body);
  return body;
}
