// The shopper's choice on the Hosted Payment Page (CONTRACT §13). Cancel, back and deny move the
// session only. A purchase goes through the checkout's own path (src/checkout/purchase.ts: the
// merchant's validation callback, then the completion), with the session marked COMPLETED in the
// completion's transaction (hppCompletionStep); CAPTURE_ORDER then captures the new order in full
// through the order command runner, as a merchant's capture would. A purchase the checkout refuses
// (aborted, expired, bought elsewhere) ends the session in ERROR.
import type { PurchaseOutcome } from '../domain/checkout.js';
import type { ShopperEvent } from '../domain/hpp.js';
import { attemptPurchase } from '../checkout/purchase.js';
import { checkoutFieldsOf } from '../store/checkoutOrders.js';
import { runOrderCommand } from '../store/commandRunner.js';
import type { Store } from '../store/dialect.js';
import { changeHppStatus, hppCompletionStep, readHppSession } from '../store/hppSessions.js';
import { createCapture } from '../store/orderCommands.js';
import { AUTHORIZATION_OF, payPaymentSession } from './paymentSessionPayment.js';
import type { HppSessionsTable } from '../store/schema.js';
import type { PaymentDeps, PaymentRequest, ShopperChoice } from './paymentRequest.js';

const EVENT_OF: Partial<Record<ShopperChoice, ShopperEvent>> = { denied: 'fail', cancel: 'cancel', back: 'back' };

/** The session after the shopper's choice (as it is, when the choice was refused); undefined for an unknown session. */
export async function payHppSession(deps: PaymentDeps, p: PaymentRequest): Promise<HppSessionsTable | undefined> {
  const event = EVENT_OF[p.choice];
  if (event !== undefined) return sessionAfter(deps.store, p.sessionId, event);
  const reading = await readHppSession(deps.store, p.sessionId);
  if (!reading) return undefined;
  // Not open: the change refuses and the page shows why.
  if (reading.session.status !== 'IN_PROGRESS') return sessionAfter(deps.store, p.sessionId, 'error');
  if (reading.session.source_kind === 'payment_session') return payingPaymentSession(deps, reading.session, p);
  return purchase(deps, reading.session, p.choice as Exclude<PurchaseOutcome, 'denied'>, p);
}

async function payingPaymentSession(deps: PaymentDeps, session: HppSessionsTable, p: PaymentRequest): Promise<HppSessionsTable | undefined> {
  const outcome = AUTHORIZATION_OF[p.choice];
  // A choice the page does not offer for a payment session changes nothing.
  if (outcome === undefined) return session;
  const change = await payPaymentSession(deps, session, outcome, p.correlationId);
  if (change === undefined) return sessionAfter(deps.store, session.session_id, 'error');
  return 'session' in change ? change.session : undefined;
}

async function sessionAfter(store: Store, sessionId: string, event: ShopperEvent): Promise<HppSessionsTable | undefined> {
  const change = await changeHppStatus(store, sessionId, event);
  if (change.ok) return change.session;
  return 'session' in change ? change.session : undefined;
}

async function purchase(deps: PaymentDeps, session: HppSessionsTable, outcome: Exclude<PurchaseOutcome, 'denied'>, p: PaymentRequest) {
  const done: { completed?: HppSessionsTable } = {};
  const attempt = await attemptPurchase(deps, {
    orderId: session.source_id,
    outcome,
    email: p.email,
    correlationId: p.correlationId,
    alsoInTransaction: hppCompletionStep(deps.store, session.session_id, done),
  });
  switch (attempt.kind) {
    case 'completed': {
      if (session.place_order_mode === 'CAPTURE_ORDER') await captureInFull(deps, session.merchant_id, attempt.checkout.order_id, checkoutFieldsOf(attempt.checkout).order_amount, p.correlationId);
      return done.completed;
    }
    case 'rejected':
    case 'declined':
      return sessionAfter(deps.store, session.session_id, 'fail');
    case 'refused':
      // Refused by the session's own step (disabled meanwhile) it stays as it is; by the checkout, it can no longer be paid.
      return sessionAfter(deps.store, session.session_id, 'error');
  }
}

/**
 * The capture CAPTURE_ORDER asks for. Refused while a fraud review is pending (CONTRACT §5: no
 * capture before the decision): the order then stays authorized for the merchant to capture.
 */
async function captureInFull(deps: PaymentDeps, merchantId: string, orderId: string, amount: number, correlationId: string): Promise<void> {
  const { outcome } = await runOrderCommand(deps.store, { merchantId, correlationId }, orderId, createCapture({ captured_amount: amount }));
  if (outcome.kind === 'refused') deps.log.info({ order_id: orderId, error_code: outcome.problem.code }, 'HPP CAPTURE_ORDER: the capture was refused; the order stays authorized');
}
