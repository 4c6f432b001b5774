// Klarna's Hosted Payment Page API v1 (CONTRACT §13): what a session pays for, the life of a
// session (Klarna's statuses), when it expires, what the shopper's purchase leads to
// (place_order_mode), and the merchant URLs with their {{placeholders}} filled in. Pure: time is
// an argument.
import { accept, refuse, type Decision, type Refusal } from './decision.js';
import { MAX_MERCHANT_URL_LENGTH } from './checkout.js';

/**
 * Klarna's session statuses: WAITING (created, page not opened yet), IN_PROGRESS (the shopper has
 * the page open), BACK (the shopper left with "back"; the link still works), and the final ones:
 * COMPLETED (paid), CANCELLED (the shopper cancelled), FAILED (the payment was refused), ERROR (the
 * payment could not be made: the order or session behind it can no longer be paid), DISABLED (the
 * merchant disabled the link).
 */
export const HPP_STATUSES = ['WAITING', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'FAILED', 'BACK', 'ERROR', 'DISABLED'] as const;
export type HppStatus = (typeof HPP_STATUSES)[number];
const FINAL_STATUSES: readonly HppStatus[] = ['COMPLETED', 'CANCELLED', 'FAILED', 'ERROR', 'DISABLED'];

export function isFinalHppStatus(status: HppStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/**
 * What the shopper's purchase does: PLACE_ORDER creates the order, CAPTURE_ORDER also captures it
 * in full, NONE leaves an authorization token for the merchant to place the order with (Klarna
 * Payments sessions only: a checkout order is always placed when it is bought).
 */
export const PLACE_ORDER_MODES = ['PLACE_ORDER', 'CAPTURE_ORDER', 'NONE'] as const;
export type PlaceOrderMode = (typeof PLACE_ORDER_MODES)[number];

/**
 * What a session pays for, named by payment_session_url. A union, so that Klarna Payments sessions
 * (CONTRACT §14) plug in beside checkout orders: each kind says how it expires and is paid.
 */
export type HppSource = { kind: 'checkout_order'; order_id: string } | { kind: 'payment_session'; session_id: string };
export type HppSourceKind = HppSource['kind'];

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const SOURCE_PATHS: { kind: HppSourceKind; path: RegExp }[] = [
  { kind: 'checkout_order', path: new RegExp(`^/checkout/v3/orders/(${UUID})/?$`) },
  { kind: 'payment_session', path: /^\/payments\/v1\/sessions\/([A-Za-z0-9-]{1,100})\/?$/ },
];

const badUrl = (why: string) => refuse('BAD_VALUE', `Bad value: payment_session_url (${why})`);

/**
 * The checkout order or payment session a payment_session_url names. As with Klarna, the URL is the
 * resource's own: "<base>/checkout/v3/orders/{order_id}" or "<base>/payments/v1/sessions/{session_id}".
 * Only the path is read: the base the merchant knows OpenOM by (a proxy, a tunnel) may differ from
 * the one OpenOM sees.
 */
export function parsePaymentSessionUrl(raw: string): Decision<HppSource> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return badUrl('must be an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return badUrl('must be an http or https URL');
  for (const { kind, path } of SOURCE_PATHS) {
    const id = path.exec(url.pathname)?.[1];
    if (id === undefined) continue;
    return accept(kind === 'checkout_order' ? { kind, order_id: id.toLowerCase() } : { kind, session_id: id.toLowerCase() });
  }
  return badUrl('must name a checkout order, <base>/checkout/v3/orders/{order_id}, or a payment session, <base>/payments/v1/sessions/{session_id}');
}

/**
 * Payment sessions are Klarna Payments' (CONTRACT §14), which only the klarna profile offers: under
 * kustom a payment_session_url must name a checkout order.
 */
export function checkSourceOffered(source: HppSourceKind, paymentsOffered: boolean): Refusal | undefined {
  if (source !== 'payment_session' || paymentsOffered) return undefined;
  return badUrl('payment sessions are the Klarna Payments API of the klarna profile; use a checkout order, <base>/checkout/v3/orders/{order_id}');
}

/**
 * The mode a session is created with: the merchant's, or the source's default. A checkout order is
 * placed whenever it is bought, so NONE (leave an authorization token) is for payment sessions only.
 */
export function placeOrderModeFor(source: HppSourceKind, requested: PlaceOrderMode | undefined): Decision<PlaceOrderMode> {
  if (requested === undefined) return accept(source === 'checkout_order' ? 'PLACE_ORDER' : 'NONE');
  if (requested === 'NONE' && source === 'checkout_order') {
    return refuse('BAD_VALUE', 'Bad value: options.place_order_mode (NONE is for payment sessions: a checkout order is placed when it is bought)');
  }
  return accept(requested);
}

/** Klarna: the HPP session expires one hour before the order or session it pays for. */
export const HPP_EXPIRY_MARGIN_MS = 3_600_000;

export function hppExpiresAt(sourceExpiresAt: Date): Date {
  return new Date(sourceExpiresAt.getTime() - HPP_EXPIRY_MARGIN_MS);
}

/** A session for a source that expires within the hour would be born expired. */
export function checkSourceLifetime(sourceExpiresAt: Date, now: Date): Refusal | undefined {
  return hppExpiresAt(sourceExpiresAt).getTime() <= now.getTime()
    ? badUrl('the checkout order or payment session expires within the hour; the session would expire at once')
    : undefined;
}

export const HPP_MERCHANT_URLS = ['success', 'cancel', 'back', 'failure', 'error', 'status_update'] as const;
export type HppMerchantUrlName = (typeof HPP_MERCHANT_URLS)[number];
export type HppMerchantUrls = Partial<Record<HppMerchantUrlName, string>>;

/** The values Klarna fills into merchant URLs. */
export interface PlaceholderValues {
  session_id: string;
  order_id?: string;
  authorization_token?: string;
}
const PLACEHOLDER_NAMES = ['session_id', 'order_id', 'authorization_token'] as const;
const SAMPLE_VALUES: Required<PlaceholderValues> = { session_id: '00000000-0000-4000-8000-000000000000', order_id: '00000000-0000-4000-8000-000000000000', authorization_token: 'sample' };

/**
 * The URL as OpenOM calls or redirects to it: each {{name}} replaced by its value, percent-encoded
 * (an id never changes the URL's structure); a placeholder without a value (no order yet, no token
 * for a checkout order) becomes empty.
 */
export function fillPlaceholders(template: string, values: PlaceholderValues): string {
  let url = template;
  for (const name of PLACEHOLDER_NAMES) url = url.split(`{{${name}}}`).join(encodeURIComponent(values[name] ?? ''));
  return url;
}

/** Every merchant URL is optional (Klarna shows its own page without one); one given is an http(s) URL of at most 2,000 characters. */
export function checkHppMerchantUrls(urls: HppMerchantUrls): Refusal | undefined {
  for (const name of HPP_MERCHANT_URLS) {
    const url = urls[name];
    if (url === undefined) continue;
    if (url.length > MAX_MERCHANT_URL_LENGTH) return refuse('BAD_VALUE', `Bad value: merchant_urls.${name} (must be at most ${MAX_MERCHANT_URL_LENGTH} characters)`);
    if (!isWebUrl(fillPlaceholders(url, SAMPLE_VALUES))) return refuse('BAD_VALUE', `Bad value: merchant_urls.${name} (must be an absolute http or https URL without user info)`);
  }
  return undefined;
}

/**
 * The merchant URLs as stored: every character outside printable ASCII percent-encoded (CONTRACT
 * §7), so a redirect's Location or a call never carries one raw; the {{placeholders}} stay as they are.
 */
export function storedHppMerchantUrls(urls: HppMerchantUrls): HppMerchantUrls {
  const encoded: HppMerchantUrls = {};
  for (const name of HPP_MERCHANT_URLS) {
    const url = urls[name];
    if (url !== undefined) encoded[name] = url.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
  }
  return encoded;
}

function isWebUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

export interface HppState {
  status: HppStatus;
  expires_at: Date;
  updated_at: Date;
}

/**
 * What can happen to a session: the shopper opens the page, pays (complete), is refused (fail),
 * cancels, goes back, or the payment cannot be made (error); the merchant disables it.
 */
export type HppEvent = 'open' | 'complete' | 'fail' | 'cancel' | 'back' | 'error' | 'disable';
export type ShopperEvent = Exclude<HppEvent, 'open' | 'disable'>;

const STATUS_AFTER: Record<ShopperEvent, HppStatus> = { complete: 'COMPLETED', fail: 'FAILED', cancel: 'CANCELLED', back: 'BACK', error: 'ERROR' };

/** Where the session stands for the shopper: usable, or why not. */
export type HppPhase = 'usable' | 'expired' | 'final';

export function hppPhase(state: HppState, now: Date): HppPhase {
  if (isFinalHppStatus(state.status)) return 'final';
  return now.getTime() >= state.expires_at.getTime() ? 'expired' : 'usable';
}

export interface HppTransition {
  next: HppState;
  /** Whether the status moved (a status_update callback is due). */
  changed: boolean;
}

function moveTo(state: HppState, status: HppStatus, now: Date): HppTransition {
  if (state.status === status) return { next: state, changed: false };
  return { next: { ...state, status, updated_at: now }, changed: true };
}

/**
 * The session's state machine. Refusal precedence: disabling a completed session is a bad request
 * (CONTRACT §13: 400); for the shopper, a final session, then an expired one, then a page that was
 * never opened (an outcome needs the page open: IN_PROGRESS) refuse with NOT_ALLOWED.
 */
export function decideHppEvent(state: HppState, event: HppEvent, now: Date): Decision<HppTransition> {
  if (event === 'disable') {
    if (state.status === 'COMPLETED') return refuse('BAD_VALUE', 'Bad value: session_id (the session is completed and can no longer be disabled)');
    return accept(moveTo(state, 'DISABLED', now));
  }
  const phase = hppPhase(state, now);
  if (phase === 'final') return refuse('NOT_ALLOWED', `The session is ${state.status} and can no longer be used.`);
  if (phase === 'expired') return refuse('NOT_ALLOWED', `The session expired at ${state.expires_at.toISOString()}.`);
  if (event === 'open') return accept(moveTo(state, 'IN_PROGRESS', now));
  if (state.status !== 'IN_PROGRESS') return refuse('NOT_ALLOWED', `The payment page of the session is not open (status ${state.status}).`);
  return accept(moveTo(state, STATUS_AFTER[event], now));
}

/** The merchant URL the shopper is sent to when the session reaches a status, if there is one for it. */
export const REDIRECT_FOR_STATUS: Partial<Record<HppStatus, HppMerchantUrlName>> = {
  COMPLETED: 'success',
  CANCELLED: 'cancel',
  FAILED: 'failure',
  BACK: 'back',
  ERROR: 'error',
};

/** The invariants of a stored session (the store asserts them before writing; the CHECKs of migration 010 are the other half). */
export function hppStateViolations(state: HppState & { order_id: string | null; authorization_token: string | null }): string[] {
  const v: string[] = [];
  if (!HPP_STATUSES.includes(state.status)) v.push(`status ${String(state.status)}`);
  if (state.status === 'COMPLETED' && state.order_id === null && state.authorization_token === null) v.push('COMPLETED without an order_id or authorization_token');
  return v;
}

/** The session as GET /hpp/v1/sessions/{session_id} answers it and status_update callbacks carry it. */
export interface HppSessionView {
  session_id: string;
  status: HppStatus;
  updated_at: string;
  expires_at: string;
  order_id?: string;
  authorization_token?: string;
  klarna_reference?: string;
}

/** The body POSTed to merchant_urls.status_update; the event keeps its id on every attempt. */
export interface HppStatusUpdateBody {
  event_id: string;
  session: HppSessionView;
}

export const DISTRIBUTION_METHODS = ['email', 'sms'] as const;
export type DistributionMethod = (typeof DISTRIBUTION_METHODS)[number];

export interface ContactInformation {
  email?: string;
  phone?: string;
  phone_country?: string;
}

/** A link sent by e-mail needs an address, by SMS a phone number; only a session the shopper can still use is sent. */
export function decideDistribution(state: HppState, method: DistributionMethod, contact: ContactInformation, now: Date): Refusal | undefined {
  if (method === 'email' && contact.email === undefined) return refuse('BAD_VALUE', 'Bad value: contact_information.email (is required for method email)');
  if (method === 'sms' && contact.phone === undefined) return refuse('BAD_VALUE', 'Bad value: contact_information.phone (is required for method sms)');
  const phase = hppPhase(state, now);
  if (phase === 'final') return refuse('NOT_ALLOWED', `The session is ${state.status}: its link can no longer be used.`);
  if (phase === 'expired') return refuse('NOT_ALLOWED', `The session expired at ${state.expires_at.toISOString()}.`);
  return undefined;
}

/** The message the outbox records instead of sending it. */
export function distributionMessage(method: DistributionMethod, link: string): string {
  return method === 'sms' ? `Complete your purchase: ${link}` : `Hello,\n\nplease complete your purchase with the link below.\n\n${link}\n`;
}
