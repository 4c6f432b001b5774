// A customer token from a Klarna Payments authorization (CONTRACT §14 → §12): which authorization
// may give one. Klarna issues customer tokens only for sessions created with intent tokenize
// (a token, no order) or buy_and_tokenize (a token and an order, from the same authorization, in
// either order, within the token's 60 minutes). Pure: time is an argument.
import { invalidToken, type AuthorizationState, type PaymentCart, type PaymentDecision } from './payments.js';

export interface CustomerTokenFromAuthorization {
  /** intent tokenize: the session has nothing left to do once its customer token exists. */
  completesSession: boolean;
}

export function decideCustomerTokenFromAuthorization(state: AuthorizationState, intent: PaymentCart['intent'], now: Date): PaymentDecision<CustomerTokenFromAuthorization> {
  if (state.cancelled || now.getTime() >= state.expires_at.getTime()) return invalidToken();
  const effective = intent ?? 'buy';
  if (effective === 'buy') {
    return { ok: false, code: 'NOT_ALLOWED', message: 'Not allowed: intent (the session was created with intent buy; a customer token needs intent tokenize or buy_and_tokenize)' };
  }
  // Only buy_and_tokenize gives both: an authorization already spent on an order gives nothing else otherwise.
  if (state.order_id !== null && effective !== 'buy_and_tokenize') return invalidToken();
  return { ok: true, value: { completesSession: effective === 'tokenize' } };
}
