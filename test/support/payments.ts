// Shared steps of the Klarna Payments tests (CONTRACT §14): a cart, a session, an authorization
// through the headless sandbox call, and an order from its token.
import assert from 'node:assert/strict';
import { call, orderBody, type Json, type MerchantCredentials, type TestApp } from './harness.js';

export const KLARNA = { OPENOM_PROFILE: 'klarna' };
export const SESSIONS = '/payments/v1/sessions';
export const authorizationUrl = (token: string, rest = '') => `/payments/v1/authorizations/${token}${rest}`;

/** The harness's intake order (two lines, tax 0) as a payment session's cart. */
export function cartBody(overrides: Json = {}, amount = 10_000): Json {
  return { ...orderBody({}, amount), ...overrides };
}

export async function createSession(t: TestApp, m: MerchantCredentials, body: Json = cartBody()): Promise<{ session_id: string; client_token: string }> {
  const res = await call(t, { method: 'POST', url: SESSIONS, auth: m, body });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { session_id: string; client_token: string };
}

export function authorize(t: TestApp, m: MerchantCredentials, sessionId: string, outcome: 'accepted' | 'pending' | 'declined') {
  return call(t, { method: 'POST', url: `/sandbox/v1/payments/sessions/${sessionId}/authorize`, auth: m, body: { outcome } });
}

/** A session authorized as accepted (or pending): its id and the token. */
export async function authorizedSession(t: TestApp, m: MerchantCredentials, outcome: 'accepted' | 'pending' = 'accepted', body: Json = cartBody()) {
  const session = await createSession(t, m, body);
  const res = await authorize(t, m, session.session_id, outcome);
  assert.equal(res.statusCode, 200, res.body);
  const answer = res.json() as { approved: boolean; authorization_token: string };
  assert.equal(answer.approved, true);
  return { sessionId: session.session_id, token: answer.authorization_token };
}

export function placeOrder(t: TestApp, m: MerchantCredentials, token: string, body: Json = cartBody()) {
  return call(t, { method: 'POST', url: authorizationUrl(token, '/order'), auth: m, body });
}
