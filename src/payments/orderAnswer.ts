// The answer to POST /payments/v1/authorizations/{token}/order as the token keeps it (CONTRACT §14):
// the order made, or the refusal of the request's cart (409 BAD_VALUE when it differs from the
// authorized one, Klarna's status for it). Every later request with the token gets these bytes again.
import { statusOfErrorCode } from '../domain/errorCodes.js';
import { merchantUrlFor } from '../domain/merchantCalls.js';
import type { PaymentCart, PaymentRefusal } from '../domain/payments.js';
import { errorBody } from '../http/errors.js';
import type { KeptAnswer } from '../store/payments.js';
import { hostedPaymentUrl } from './document.js';

export type OrderAnswerSource = PaymentRefusal | { order_id: string; fraud_status: 'ACCEPTED' | 'PENDING'; session_id: string; cart: PaymentCart };

export function refusalAnswer(correlationId: string, refusal: PaymentRefusal): KeptAnswer {
  return { status: refusal.conflict ? 409 : statusOfErrorCode(refusal.code), body: errorBody(correlationId, refusal.code, [refusal.message]) };
}

export function renderOrderAnswer(correlationId: string, publicUrl: string, source: OrderAnswerSource): KeptAnswer {
  if ('ok' in source) return refusalAnswer(correlationId, source);
  const confirmation = source.cart.merchant_urls?.confirmation;
  return {
    status: 200,
    body: JSON.stringify({
      order_id: source.order_id,
      // Klarna sends the shopper through its own page to merchant_urls.confirmation; the sandbox sends them there directly.
      redirect_url: confirmation === undefined ? hostedPaymentUrl(publicUrl, source.session_id) : merchantUrlFor(confirmation, source.order_id),
      fraud_status: source.fraud_status,
      authorized_payment_method: { type: 'invoice' },
    }),
  };
}

/** The correlation id a kept error answer names, so a repeat's header and body agree (as CONTRACT §2 keeps them). */
export function correlationIdOfAnswer(answer: KeptAnswer): string | undefined {
  if (answer.status < 400) return undefined;
  const id = (JSON.parse(answer.body) as { correlation_id?: unknown }).correlation_id;
  return typeof id === 'string' ? id : undefined;
}
