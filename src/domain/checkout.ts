// Klarna Checkout API v3 (CONTRACT §6): what a checkout order must hold, when it may still change,
// what the shopper's choice on the test checkout leads to, and how the merchant's validation
// callback is read. Pure: time is an argument.
import { accept, refuse, type Decision, type Refusal } from './decision.js';
import { checkOrderIntake, type IntakeFacts } from './intake.js';
import { merchantUrlFor } from './merchantCalls.js';
import type { FraudDecision } from './decisions.js';
import { checkLinesSum, type OrderLineAmounts } from './orderLines.js';

const REQUIRED_MERCHANT_URLS = ['terms', 'checkout', 'confirmation', 'push'] as const;
const OPTIONAL_MERCHANT_URLS = ['validation', 'notification'] as const;
export const MAX_MERCHANT_URL_LENGTH = 2000;

type RequiredUrl = (typeof REQUIRED_MERCHANT_URLS)[number];
type OptionalUrl = (typeof OPTIONAL_MERCHANT_URLS)[number];
export type MerchantUrls = Record<RequiredUrl, string> & Partial<Record<OptionalUrl, string>>;

/** The facts of a checkout order its rules look at; the HTTP schemas hold field types and ranges. */
export interface CheckoutFacts extends IntakeFacts {
  order_tax_amount: number;
  order_lines: readonly OrderLineAmounts[];
  merchant_urls: Partial<MerchantUrls>;
}

type Json = Record<string, unknown>;
type Address = Json & { country?: string; email?: string };

/** A checkout order as the merchant describes it. */
export interface CheckoutOrderFields extends CheckoutFacts {
  locale: string;
  order_lines: (OrderLineAmounts & Json)[];
  merchant_urls: MerchantUrls;
  billing_address?: Address;
  shipping_address?: Address;
  customer?: Json;
  merchant_reference1?: string;
  merchant_reference2?: string;
  merchant_data?: string;
  options?: Json & { require_validate_callback_success?: boolean };
  /** Recurring payments (CONTRACT §12): a completed recurring checkout gets a customer token, recurring_token. */
  recurring?: boolean;
  recurring_description?: string;
  recurring_token?: string;
}

const SAMPLE_ORDER_ID = '00000000-0000-4000-8000-000000000000';

export function isWebUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function checkMerchantUrls(urls: Partial<MerchantUrls>): Refusal | undefined {
  for (const name of REQUIRED_MERCHANT_URLS) {
    if (urls[name] === undefined) return refuse('BAD_VALUE', `Bad value: merchant_urls.${name} (is required)`);
  }
  for (const name of [...REQUIRED_MERCHANT_URLS, ...OPTIONAL_MERCHANT_URLS]) {
    const url = urls[name];
    if (url === undefined) continue;
    // The limit applies to the URL as the merchant sent it, placeholder included.
    if (url.length > MAX_MERCHANT_URL_LENGTH) {
      return refuse('BAD_VALUE', `Bad value: merchant_urls.${name} (must be at most ${MAX_MERCHANT_URL_LENGTH} characters)`);
    }
    if (!isWebUrl(merchantUrlFor(url, SAMPLE_ORDER_ID))) {
      return refuse('BAD_VALUE', `Bad value: merchant_urls.${name} (must be an http or https URL)`);
    }
  }
  return undefined;
}

/** The admin intake's rules, plus the tax sum and the merchant's URLs. */
export function checkCheckoutOrder(order: CheckoutFacts): Refusal | undefined {
  return (
    checkOrderIntake(order) ??
    checkLinesSum(order.order_lines, order.order_tax_amount, 'order_tax_amount', 'order_lines', 'total_tax_amount') ??
    checkMerchantUrls(order.merchant_urls)
  );
}

export type CheckoutStatus = 'checkout_incomplete' | 'checkout_complete';

export interface CheckoutState {
  status: CheckoutStatus;
  aborted: boolean;
  started_at: Date;
  last_modified_at: Date;
  completed_at: Date | null;
}

/**
 * The invariants of a checkout's state (the store asserts them before every write; the CHECKs of
 * migration 006 are the other half): an aborted checkout was never completed, and a completed one
 * has its completion time, an incomplete one none.
 */
export function checkoutStateViolations(state: CheckoutState): string[] {
  const v: string[] = [];
  if (state.status !== 'checkout_incomplete' && state.status !== 'checkout_complete') v.push(`status ${String(state.status)}`);
  if (state.aborted && state.status === 'checkout_complete') v.push('aborted and complete');
  if ((state.status === 'checkout_complete') !== (state.completed_at !== null)) v.push(`${state.status} with completed_at ${String(state.completed_at)}`);
  return v;
}

/** Klarna: a checkout order is valid for 48 hours after the merchant's last update. */
export const CHECKOUT_LIFETIME_MS = 48 * 3_600_000;

/** Where a checkout stands for the shopper. Aborted and expired orders keep status checkout_incomplete. */
export type CheckoutPhase = 'open' | 'complete' | 'aborted' | 'expired';

export function checkoutExpiresAt(state: CheckoutState): Date {
  return new Date(state.last_modified_at.getTime() + CHECKOUT_LIFETIME_MS);
}

export function checkoutPhase(state: CheckoutState, now: Date): CheckoutPhase {
  if (state.status === 'checkout_complete') return 'complete';
  if (state.aborted) return 'aborted';
  return now.getTime() >= checkoutExpiresAt(state).getTime() ? 'expired' : 'open';
}

const READ_ONLY_REASONS: Record<Exclude<CheckoutPhase, 'open'>, string> = {
  complete: 'it is completed',
  aborted: 'it was aborted',
  expired: 'it expired 48 hours after its last update',
};

function readOnly(phase: Exclude<CheckoutPhase, 'open'>): Refusal {
  return refuse('READ_ONLY_ORDER', `The checkout order is read-only: ${READ_ONLY_REASONS[phase]}.`);
}

/** Only an open checkout can be updated or completed. */
export function checkOpen(state: CheckoutState, now: Date): Refusal | undefined {
  const phase = checkoutPhase(state, now);
  return phase === 'open' ? undefined : readOnly(phase);
}

/**
 * A partial update: the fields sent replace the stored ones (objects and arrays as a whole, as
 * Klarna documents: "properties not provided in the request will stay the same"), and the merged
 * order must satisfy every rule a new one does.
 */
export function decideCheckoutUpdate<T extends CheckoutFacts>(
  state: CheckoutState,
  order: T,
  update: Partial<T>,
  now: Date,
): Decision<{ next: CheckoutState; order: T }> {
  const closed = checkOpen(state, now);
  if (closed) return closed;
  const merged: T = { ...order, ...update };
  const invalid = checkCheckoutOrder(merged);
  if (invalid) return invalid;
  return accept({ next: { ...state, last_modified_at: now }, order: merged });
}

/** Anything but a completed checkout can be aborted; aborting again changes nothing further. */
export function decideCheckoutAbort(state: CheckoutState, now: Date): Decision<{ next: CheckoutState }> {
  if (state.status === 'checkout_complete') return readOnly('complete');
  return accept({ next: { ...state, aborted: true, last_modified_at: state.aborted ? state.last_modified_at : now } });
}

/** The four ways a sandbox purchase can go, as the test checkout's buttons offer them. */
export const PURCHASE_OUTCOMES = ['accepted', 'pending_accepted', 'pending_rejected', 'denied'] as const;
export type PurchaseOutcome = (typeof PURCHASE_OUTCOMES)[number];
export type AuthorizedOutcome = Exclude<PurchaseOutcome, 'denied'>;

/** A pending purchase is decided this long after it (merchant clock) unless decided earlier. */
export const PENDING_REVIEW_MS = 3_600_000;

export interface CompletedPurchase {
  next: CheckoutState;
  fraud_status: 'ACCEPTED' | 'PENDING';
  /** The fraud decision a pending purchase will get, and when. */
  review?: { decision: Extract<FraudDecision, 'ACCEPTED' | 'REJECTED'>; due_at: Date };
}

export function decideCheckoutCompletion(state: CheckoutState, outcome: AuthorizedOutcome, now: Date): Decision<CompletedPurchase> {
  const closed = checkOpen(state, now);
  if (closed) return closed;
  const next: CheckoutState = { ...state, status: 'checkout_complete', completed_at: now, last_modified_at: now };
  if (outcome === 'accepted') return accept({ next, fraud_status: 'ACCEPTED' });
  const due_at = new Date(now.getTime() + PENDING_REVIEW_MS);
  return accept({ next, fraud_status: 'PENDING', review: { decision: outcome === 'pending_accepted' ? 'ACCEPTED' : 'REJECTED', due_at } });
}

/**
 * The addresses a purchase ends with. On Klarna's checkout the shopper enters them; the test
 * checkout keeps the merchant's (or just the purchase country) and adds the e-mail the shopper
 * gave. Without a separate shipping address, the goods go to the billing address.
 */
export function purchaseAddresses(order: CheckoutOrderFields, email?: string): { billing_address: Address; shipping_address: Address } {
  const withEmail = (address: Address): Address => (email === undefined ? address : { ...address, email });
  const billing_address = withEmail(order.billing_address ?? { country: order.purchase_country });
  return { billing_address, shipping_address: order.shipping_address ? withEmail(order.shipping_address) : billing_address };
}

/** What the merchant's validation callback answered (status 0: no answer). */
export interface ValidationAnswer {
  status: number;
  location: string | null;
  body: string;
}

export type ValidationVerdict = { approved: true } | { approved: false; redirect_to?: string; error_text?: string };

const MAX_ERROR_TEXT = 1000;

/**
 * Klarna's reading of the validation callback: 200 approves; a 3xx denies and sends the shopper
 * to its Location; a 400 denies and shows its error_text; anything else (no answer included)
 * approves, unless the order's options.require_validate_callback_success asks for a 200.
 */
export function validationVerdict(answer: ValidationAnswer, validationUrl: string, requireSuccess: boolean): ValidationVerdict {
  if (answer.status === 200) return { approved: true };
  if (answer.status >= 300 && answer.status < 400) {
    const redirect = redirectTarget(answer.location, validationUrl);
    return redirect ? { approved: false, redirect_to: redirect } : { approved: false };
  }
  if (answer.status === 400) {
    const text = errorTextOf(answer.body);
    return text ? { approved: false, error_text: text } : { approved: false };
  }
  return requireSuccess ? { approved: false } : { approved: true };
}

/** A Location resolved against the URL that sent it; only http(s) targets are followed. */
function redirectTarget(location: string | null, base: string): string | undefined {
  if (!location) return undefined;
  try {
    const target = new URL(location, base).toString();
    return isWebUrl(target) ? target : undefined;
  } catch {
    return undefined;
  }
}

function errorTextOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error_text?: unknown };
    const text = typeof parsed?.error_text === 'string' ? parsed.error_text.trim() : '';
    return text === '' ? undefined : text.slice(0, MAX_ERROR_TEXT);
  } catch {
    return undefined;
  }
}
