// What Klarna Payments answers about a session (CONTRACT §14): the client token the shopper's
// JavaScript is started with, the payment method categories, and the session as GET reads it.
import { sessionExpiresAt } from '../domain/payments.js';
import { toKlarnaTimestamp } from '../domain/time.js';
import { paymentCartOf, paymentSessionStateOf } from '../store/payments.js';
import type { PaymentSessionsTable } from '../store/schema.js';

export const PAYMENT_SESSIONS_PATH = '/payments/v1/sessions';
/** The shopper's hosted test page for a session, and the drop-in script beside it. */
export const HOSTED_PAYMENTS_PATH = '/sandbox/payments';
export const DROP_IN_SCRIPT_PATH = `${HOSTED_PAYMENTS_PATH}/lib/v1/api.js`;

export function hostedPaymentUrl(publicUrl: string, sessionId: string): string {
  return `${publicUrl}${HOSTED_PAYMENTS_PATH}/${sessionId}`;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Klarna's client token is a JWT; OpenOM's has the same three parts, unsigned ("alg": "none"), and
 * names the session: the drop-in api.js reads the session id from it, as Klarna's script does.
 */
export function clientTokenOf(sessionId: string): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ session_id: sessionId, iss: 'openom-sandbox' })}.sandbox`;
}

/** The categories the test page offers; each authorizes as an invoice. */
export function paymentMethodCategories(publicUrl: string) {
  const asset = `${publicUrl}${HOSTED_PAYMENTS_PATH}/lib/v1/badge.svg`;
  return [
    { identifier: 'pay_later', name: 'Pay later', asset_urls: { descriptive: asset, standard: asset } },
    { identifier: 'pay_over_time', name: 'Financing', asset_urls: { descriptive: asset, standard: asset } },
  ];
}

export function sessionCreatedJson(session: PaymentSessionsTable, publicUrl: string): string {
  return JSON.stringify({ session_id: session.session_id, client_token: clientTokenOf(session.session_id), payment_method_categories: paymentMethodCategories(publicUrl) });
}

export function sessionJson(session: PaymentSessionsTable, publicUrl: string): string {
  const cart = paymentCartOf(session.document);
  return JSON.stringify({
    session_id: session.session_id,
    status: session.status,
    expires_at: toKlarnaTimestamp(sessionExpiresAt(paymentSessionStateOf(session))),
    client_token: clientTokenOf(session.session_id),
    ...(session.authorization_token === null ? {} : { authorization_token: session.authorization_token }),
    acquiring_channel: 'ECOMMERCE',
    intent: cart.intent ?? 'buy',
    payment_method_categories: paymentMethodCategories(publicUrl),
    ...cart,
  });
}
