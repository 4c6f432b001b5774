// Klarna Payments API v1 (CONTRACT §14): what a payment session's cart must hold, how long a
// session and an authorization token live, whether an order's cart is the one that was authorized,
// and what a token may still be used for. Pure: time is an argument.
//
// Idempotency per token is a rule of the store's (it keeps the first answer given for a token and
// repeats it); here is which answers are kept: those decided about the token's own cart.
import { MAX_MERCHANT_URL_LENGTH, PENDING_REVIEW_MS, isWebUrl } from './checkout.js';
import type { FraudDecision } from './decisions.js';
import type { ErrorCode } from './errorCodes.js';
import { checkOrderIntake } from './intake.js';
import { merchantUrlFor } from './merchantCalls.js';
import { checkLinesSum, type OrderLineAmounts } from './orderLines.js';

/** Klarna: a payment session can be used for 48 hours after it is created (merchant clock). */
export const SESSION_LIFETIME_MS = 48 * 3_600_000;
/** Klarna: an authorization token can be turned into an order for 60 minutes (merchant clock). */
export const AUTHORIZATION_TOKEN_LIFETIME_MS = 60 * 60_000;

export const PAYMENT_MERCHANT_URLS = ['confirmation', 'notification', 'push', 'authorization'] as const;
export type PaymentMerchantUrls = Partial<Record<(typeof PAYMENT_MERCHANT_URLS)[number], string>>;

type Json = Record<string, unknown>;

/** A payment session's cart, or the cart an order from a token is placed with. */
export interface PaymentCart {
  purchase_country: string;
  purchase_currency: string;
  locale: string;
  order_amount: number;
  order_tax_amount?: number;
  order_lines: (OrderLineAmounts & Json)[];
  merchant_urls?: PaymentMerchantUrls;
  billing_address?: Json & { country?: string };
  shipping_address?: Json & { country?: string };
  customer?: Json;
  merchant_reference1?: string;
  merchant_reference2?: string;
  merchant_data?: string;
  intent?: 'buy' | 'tokenize' | 'buy_and_tokenize';
}

/** What a payments rule answers when it refuses: a catalogued code, a message, and (Klarna's 409) a cart that differs. */
export interface PaymentRefusal {
  ok: false;
  code: ErrorCode;
  message: string;
  /** Klarna answers a cart that differs from the authorized one with 409 BAD_VALUE, not 400. */
  conflict?: true;
}
export type PaymentDecision<T> = PaymentRefusal | { ok: true; value: T };

const refusal = (code: ErrorCode, message: string, conflict = false): PaymentRefusal => ({ ok: false, code, message, ...(conflict ? { conflict: true as const } : {}) });
const badValue = (message: string) => refusal('BAD_VALUE', message);

function checkMerchantUrls(urls: PaymentMerchantUrls | undefined): PaymentRefusal | undefined {
  for (const name of PAYMENT_MERCHANT_URLS) {
    const url = urls?.[name];
    if (url === undefined) continue;
    if (url.length > MAX_MERCHANT_URL_LENGTH) return badValue(`Bad value: merchant_urls.${name} (must be at most ${MAX_MERCHANT_URL_LENGTH} characters)`);
    if (!isWebUrl(merchantUrlFor(url, '00000000-0000-4000-8000-000000000000'))) return badValue(`Bad value: merchant_urls.${name} (must be an http or https URL)`);
  }
  return undefined;
}

/** The Checkout API's cart arithmetic (CONTRACT §6): line totals, their sum, their tax sum when a tax total is given. */
export function checkPaymentCart(cart: PaymentCart): PaymentRefusal | undefined {
  const r =
    checkOrderIntake(cart) ??
    (cart.order_tax_amount === undefined ? undefined : checkLinesSum(cart.order_lines, cart.order_tax_amount, 'order_tax_amount', 'order_lines', 'total_tax_amount'));
  return r ? badValue(r.message) : checkMerchantUrls(cart.merchant_urls);
}

export type SessionStatus = 'incomplete' | 'complete';

export interface PaymentSessionState {
  status: SessionStatus;
  created_at: Date;
}

export function sessionExpiresAt(state: PaymentSessionState): Date {
  return new Date(state.created_at.getTime() + SESSION_LIFETIME_MS);
}

/** Where a session stands: open for authorization and updates, complete (an order was made), or expired. */
export type SessionPhase = 'open' | 'complete' | 'expired';

export function sessionPhase(state: PaymentSessionState, now: Date): SessionPhase {
  if (state.status === 'complete') return 'complete';
  return now.getTime() >= sessionExpiresAt(state).getTime() ? 'expired' : 'open';
}

export const noSuchSession = (sessionId: string): PaymentRefusal => refusal('NOT_FOUND', `Payment session ${sessionId} cannot be found (unknown or expired).`);

/**
 * An update replaces the fields sent (Klarna: what is not sent stays); the merged cart must satisfy
 * every rule a new one does. A completed session cannot change (404 SESSION_COMPLETED, Klarna's
 * code); an expired one is gone.
 */
export function decideSessionUpdate(sessionId: string, state: PaymentSessionState, cart: PaymentCart, update: Partial<PaymentCart>, now: Date): PaymentDecision<PaymentCart> {
  const phase = sessionPhase(state, now);
  if (phase === 'complete') return refusal('SESSION_COMPLETED', `Payment session ${sessionId} is completed: an order was created from it.`);
  if (phase === 'expired') return noSuchSession(sessionId);
  const merged = { ...cart, ...update };
  return checkPaymentCart(merged) ?? { ok: true, value: merged };
}

/** The shopper's answer on Klarna's widget, as the sandbox offers it. */
export const AUTHORIZATION_OUTCOMES = ['accepted', 'pending', 'declined'] as const;
export type AuthorizationOutcome = (typeof AUTHORIZATION_OUTCOMES)[number];

export type AuthorizationResult = { approved: false } | { approved: true; fraud_status: 'ACCEPTED' | 'PENDING'; expires_at: Date };

/** Only an open session can be authorized; a declined authorization makes no token and leaves the session open. */
export function decideAuthorization(sessionId: string, state: PaymentSessionState, outcome: AuthorizationOutcome, now: Date): PaymentDecision<AuthorizationResult> {
  const phase = sessionPhase(state, now);
  if (phase === 'complete') return refusal('SESSION_COMPLETED', `Payment session ${sessionId} is completed: an order was created from it.`);
  if (phase === 'expired') return noSuchSession(sessionId);
  if (outcome === 'declined') return { ok: true, value: { approved: false } };
  return {
    ok: true,
    value: { approved: true, fraud_status: outcome === 'accepted' ? 'ACCEPTED' : 'PENDING', expires_at: new Date(now.getTime() + AUTHORIZATION_TOKEN_LIFETIME_MS) },
  };
}

export interface AuthorizationState {
  expires_at: Date;
  cancelled: boolean;
  /** The order made from it, once one was. */
  order_id: string | null;
}

export const invalidToken = (): PaymentRefusal => refusal('NOT_FOUND', 'Invalid authorization token.');

/** A token can be used until it expires, is cancelled, or has made its order. */
function checkUsable(state: AuthorizationState, now: Date): PaymentRefusal | undefined {
  if (state.cancelled || state.order_id !== null || now.getTime() >= state.expires_at.getTime()) return invalidToken();
  return undefined;
}

/** The fields of the order's cart that must be what was authorized, and how each is compared. */
const LINE_FIELDS = ['reference', 'name', 'quantity', 'unit_price', 'total_amount', 'total_discount_amount', 'total_tax_amount'] as const;

/** Which parts of the order's cart differ from the authorized one (empty: it matches). */
export function cartDifferences(authorized: PaymentCart, order: PaymentCart): string[] {
  const out: string[] = [];
  if (authorized.purchase_country.toUpperCase() !== order.purchase_country.toUpperCase()) out.push('purchase_country');
  if (authorized.purchase_currency.toUpperCase() !== order.purchase_currency.toUpperCase()) out.push('purchase_currency');
  if (authorized.order_amount !== order.order_amount) out.push('order_amount');
  if ((authorized.order_tax_amount ?? 0) !== (order.order_tax_amount ?? 0)) out.push('order_tax_amount');
  if (authorized.order_lines.length !== order.order_lines.length) {
    out.push('order_lines');
    return out;
  }
  authorized.order_lines.forEach((line, i) => {
    const other = order.order_lines[i]!;
    for (const field of LINE_FIELDS) {
      const a = line[field] ?? (field === 'total_discount_amount' || field === 'total_tax_amount' ? 0 : undefined);
      const b = other[field] ?? (field === 'total_discount_amount' || field === 'total_tax_amount' ? 0 : undefined);
      if (a !== b) out.push(`order_lines[${i}].${field}`);
    }
  });
  return out;
}

export interface OrderFromToken {
  fraud_status: 'ACCEPTED' | 'PENDING';
  /** A pending authorization is decided this way an hour later (merchant clock) unless decided earlier (CONTRACT §5). */
  review?: { decision: Extract<FraudDecision, 'ACCEPTED'>; due_at: Date };
}

/**
 * Whether an order may be made from a token with this cart. The refusals after checkUsable concern
 * the request's cart: the store keeps them as the token's answer, so the same error comes back on
 * every later call (idempotent per token). checkUsable's are not kept: they hold anyway.
 */
export function decideOrderFromToken(
  state: AuthorizationState,
  fraudStatus: 'ACCEPTED' | 'PENDING',
  authorized: PaymentCart,
  order: PaymentCart,
  now: Date,
): PaymentDecision<OrderFromToken> & { keep?: boolean } {
  const unusable = checkUsable(state, now);
  if (unusable) return unusable;
  const invalid = checkPaymentCart(order);
  if (invalid) return { ...invalid, keep: true };
  const differs = cartDifferences(authorized, order);
  if (differs.length > 0) {
    return { ...refusal('BAD_VALUE', `Bad value: ${differs.join(', ')} (differs from the authorized cart)`, true), keep: true };
  }
  if (fraudStatus === 'ACCEPTED') return { ok: true, value: { fraud_status: 'ACCEPTED' } };
  return { ok: true, value: { fraud_status: 'PENDING', review: { decision: 'ACCEPTED', due_at: new Date(now.getTime() + PENDING_REVIEW_MS) } } };
}

/** A usable token can be cancelled; it then names nothing (404 on every later use). */
export function decideAuthorizationCancel(state: AuthorizationState, now: Date): PaymentDecision<AuthorizationState> {
  return checkUsable(state, now) ?? { ok: true, value: { ...state, cancelled: true } };
}
