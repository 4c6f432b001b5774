// Paying a Klarna Payments session on the Hosted Payment Page (CONTRACT §13 over §14): the
// shopper's approval is the session's authorization (authorizePaymentSession, as Klarna's widget
// makes it); place_order_mode NONE leaves its authorization_token on the HPP session for the
// merchant to place the order with, PLACE_ORDER places the order from it at once
// (placeOrderFromToken, as POST /payments/v1/authorizations/{token}/order does) and CAPTURE_ORDER
// also captures it in full (auto_capture). A session that can no longer be authorized ends in ERROR.
import type { AuthorizationOutcome } from '../domain/payments.js';
import { renderOrderAnswer } from '../payments/orderAnswer.js';
import { runOrderCommand } from '../store/commandRunner.js';
import { completeHppWithPayment, type PaymentSessionResult } from '../store/hppSessions.js';
import { autoCapture, authorizePaymentSession, paymentCartOf, placeOrderFromToken } from '../store/payments.js';
import type { HppSessionsTable } from '../store/schema.js';
import type { PaymentDeps, PaymentRequest } from './paymentRequest.js';

/** The shopper's approving choices, as Klarna Payments' authorization outcomes; "pending, then reject" has none (a payment's review is accepted). */
export const AUTHORIZATION_OF: Partial<Record<PaymentRequest['choice'], AuthorizationOutcome>> = { accepted: 'accepted', pending_accepted: 'pending' };

/** What paying the session left (undefined: it could not be paid: the HPP session then ends in ERROR). */
async function paid(deps: PaymentDeps, session: HppSessionsTable, outcome: AuthorizationOutcome, correlationId: string): Promise<PaymentSessionResult | undefined> {
  const authorized = await authorizePaymentSession(deps.store, { sessionId: session.source_id, merchantId: session.merchant_id, outcome });
  if (!authorized.ok || !authorized.value.approved) return undefined;
  const token = authorized.value.authorization_token;
  if (session.place_order_mode === 'NONE') return { authorization_token: token };
  const authorization = await deps.store.reader.selectFrom('payment_authorizations').select('cart').where('authorization_token', '=', token).executeTakeFirstOrThrow();
  const placed = await placeOrderFromToken(deps.store, {
    merchantId: session.merchant_id,
    token,
    cart: paymentCartOf(authorization.cart),
    correlationId,
    pushDelaySeconds: deps.config.pushDelaySeconds,
    autoCapture: session.place_order_mode === 'CAPTURE_ORDER',
    render: (source) => renderOrderAnswer(correlationId, deps.config.publicUrl, source),
  });
  if ('ok' in placed || placed.created === undefined) return undefined;
  const { order_id, auto_capture } = placed.created;
  if (auto_capture) {
    // At once, as the Payments API's order request does; the job written with the order is the backstop.
    const { outcome: captured } = await runOrderCommand(deps.store, { merchantId: session.merchant_id, correlationId }, order_id, autoCapture);
    if (captured.kind === 'refused') deps.log.warn({ order_id, problem: captured.problem }, 'HPP CAPTURE_ORDER refused');
  }
  return { order_id };
}

/** The HPP session after the shopper approved paying its payment session. */
export async function payPaymentSession(deps: PaymentDeps, session: HppSessionsTable, outcome: AuthorizationOutcome, correlationId: string) {
  const result = await paid(deps, session, outcome, correlationId);
  if (result === undefined) return undefined;
  return completeHppWithPayment(deps.store, session.session_id, result);
}
