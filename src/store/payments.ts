// Klarna Payments (CONTRACT §14): payment sessions, their authorizations, and the Order Management
// order an authorization token turns into. Every write is one transaction with the rows it decides
// on locked (PostgreSQL FOR UPDATE; SQLite's one writer); the order is written with newOrderWrites,
// as a checkout purchase writes one (checkoutOrders.ts: completeCheckout), with its push and fraud
// review in the same transaction.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  decideAuthorization,
  decideAuthorizationCancel,
  decideOrderFromToken,
  decideSessionUpdate,
  checkPaymentCart,
  invalidToken,
  noSuchSession,
  sessionPhase,
  type AuthorizationOutcome,
  type AuthorizationState,
  type PaymentCart,
  type PaymentRefusal,
  type PaymentSessionState,
  type SessionPhase,
} from '../domain/payments.js';
import { toKlarnaTimestamp } from '../domain/time.js';
import { merchantClock, type MerchantClock } from './clock.js';
import { lockedRows, type Store } from './dialect.js';
import { inJobsTransaction, jobInsert, type ScheduledJob } from './jobs.js';
import { isUuid, newOrderWrites, type OrderIntake } from './orders.js';
import { createCapture } from './orderCommands.js';
import type { OrderCommand } from './orderTx.js';
import { firstPushJob } from './push.js';
import type { Database, PaymentAuthorizationsTable, PaymentSessionsTable } from './schema.js';

export type PaymentResult<T> = { ok: true; value: T } | PaymentRefusal;

export function paymentSessionStateOf(row: PaymentSessionsTable): PaymentSessionState {
  return { status: row.status, created_at: new Date(row.created_at) };
}

export function paymentCartOf(document: string): PaymentCart {
  return JSON.parse(document) as PaymentCart;
}

export interface PaymentSessionReading {
  session: PaymentSessionsTable;
  /** Now on the merchant's clock. */
  now: Date;
  phase: SessionPhase;
}

async function merchantClockIn(db: Kysely<Database>, store: Store, merchantId: string): Promise<MerchantClock> {
  const merchant = await db.selectFrom('merchants').select('clock_offset_seconds').where('merchant_id', '=', merchantId).executeTakeFirstOrThrow();
  return merchantClock(store, merchant.clock_offset_seconds);
}

export function createPaymentSession(store: Store, merchantId: string, cart: PaymentCart): Promise<PaymentResult<PaymentSessionsTable>> {
  const invalid = checkPaymentCart(cart);
  if (invalid) return Promise.resolve(invalid);
  return inJobsTransaction(store, async (db) => {
    const now = toKlarnaTimestamp((await merchantClockIn(db, store, merchantId)).now);
    const session: PaymentSessionsTable = {
      session_id: randomUUID(),
      merchant_id: merchantId,
      status: 'incomplete',
      document: JSON.stringify(cart),
      authorization_token: null,
      created_at: now,
      last_modified_at: now,
    };
    await db.insertInto('payment_sessions').values(session).execute();
    return { ok: true as const, value: session };
  });
}

/** The session row with its merchant's clock offset: the merchant's own, or (merchantId undefined) any, for the shopper's page. */
function sessionQuery(db: Kysely<Database>, sessionId: string, merchantId: string | undefined) {
  const query = db
    .selectFrom('payment_sessions')
    .innerJoin('merchants', 'merchants.merchant_id', 'payment_sessions.merchant_id')
    .selectAll('payment_sessions')
    .select('merchants.clock_offset_seconds')
    .where('payment_sessions.session_id', '=', sessionId.toLowerCase());
  return merchantId === undefined ? query : query.where('payment_sessions.merchant_id', '=', merchantId);
}

/** A session by id, whatever its phase (an expired one included: callers decide what it means). */
export async function readPaymentSession(store: Store, sessionId: string, merchantId?: string): Promise<PaymentSessionReading | undefined> {
  if (!isUuid(sessionId)) return undefined;
  const row = await sessionQuery(store.reader, sessionId, merchantId).executeTakeFirst();
  if (!row) return undefined;
  const { clock_offset_seconds, ...session } = row;
  const now = merchantClock(store, clock_offset_seconds).now;
  return { session, now, phase: sessionPhase(paymentSessionStateOf(session), now) };
}

/** The session locked for a write, with the merchant's clock. */
async function lockSession(db: Kysely<Database>, store: Store, sessionId: string, merchantId: string | undefined) {
  if (!isUuid(sessionId)) return undefined;
  const row = await lockedRows(store, sessionQuery(db, sessionId, merchantId), 'payment_sessions').executeTakeFirst();
  if (!row) return undefined;
  const { clock_offset_seconds, ...session } = row;
  return { session, clock: merchantClock(store, clock_offset_seconds) };
}

export function updatePaymentSession(store: Store, merchantId: string, sessionId: string, update: Partial<PaymentCart>): Promise<PaymentResult<PaymentSessionsTable>> {
  return inJobsTransaction(store, async (db): Promise<PaymentResult<PaymentSessionsTable>> => {
    const locked = await lockSession(db, store, sessionId, merchantId);
    if (!locked) return noSuchSession(sessionId);
    const { session, clock } = locked;
    const d = decideSessionUpdate(sessionId, paymentSessionStateOf(session), paymentCartOf(session.document), update, clock.now);
    if (!d.ok) return d;
    const changes = { document: JSON.stringify(d.value), last_modified_at: toKlarnaTimestamp(clock.now) };
    await db.updateTable('payment_sessions').set(changes).where('session_id', '=', session.session_id).execute();
    return { ok: true, value: { ...session, ...changes } };
  });
}

export type AuthorizationAnswer = { approved: false } | { approved: true; authorization_token: string; expires_at: string };

/**
 * The shopper's authorization (the hosted test page, the drop-in api.js, or the headless sandbox
 * call): a token holding the session's cart as it is now, and the merchant's authorization
 * callback, if it set one, written to the outbox in the same transaction.
 */
export function authorizePaymentSession(store: Store, p: { sessionId: string; merchantId?: string; outcome: AuthorizationOutcome }): Promise<PaymentResult<AuthorizationAnswer>> {
  return inJobsTransaction(store, async (db): Promise<PaymentResult<AuthorizationAnswer>> => {
    const locked = await lockSession(db, store, p.sessionId, p.merchantId);
    if (!locked) return noSuchSession(p.sessionId);
    const { session, clock } = locked;
    const d = decideAuthorization(session.session_id, paymentSessionStateOf(session), p.outcome, clock.now);
    if (!d.ok) return d;
    if (!d.value.approved) return { ok: true, value: { approved: false } };
    const cart = paymentCartOf(session.document);
    const token = randomUUID();
    const authorization: PaymentAuthorizationsTable = {
      authorization_token: token,
      merchant_id: session.merchant_id,
      session_id: session.session_id,
      fraud_status: d.value.fraud_status,
      cart: session.document,
      created_at: toKlarnaTimestamp(clock.now),
      expires_at: toKlarnaTimestamp(d.value.expires_at),
      cancelled: 0,
      order_id: null,
      answer_status: null,
      answer_body: null,
    };
    await db.insertInto('payment_authorizations').values(authorization).execute();
    await db.updateTable('payment_sessions').set({ authorization_token: token }).where('session_id', '=', session.session_id).execute();
    const callbackUrl = cart.merchant_urls?.authorization;
    if (callbackUrl !== undefined) {
      const job: ScheduledJob<'payment_authorization'> = {
        kind: 'payment_authorization',
        payload: { url: callbackUrl, authorization_token: token, session_id: session.session_id },
        dueAt: clock.now,
      };
      await db.executeQuery(jobInsert(db, session.merchant_id, clock, job).compile());
    }
    return { ok: true, value: { approved: true, authorization_token: token, expires_at: authorization.expires_at } };
  });
}

export function authorizationStateOf(row: PaymentAuthorizationsTable): AuthorizationState {
  return { expires_at: new Date(row.expires_at), cancelled: row.cancelled === 1, order_id: row.order_id };
}

/** The merchant's authorization locked for a write, with the merchant's clock; another merchant's token is an unknown one. */
export async function lockAuthorization(db: Kysely<Database>, store: Store, token: string, merchantId: string) {
  const query = db
    .selectFrom('payment_authorizations')
    .selectAll()
    .where('authorization_token', '=', token.toLowerCase())
    .where('merchant_id', '=', merchantId);
  const row = isUuid(token) ? await lockedRows(store, query, 'payment_authorizations').executeTakeFirst() : undefined;
  return row && { authorization: row, clock: await merchantClockIn(db, store, merchantId) };
}

/** An answer as the token keeps it: what the merchant is sent for this and every later request. */
export interface KeptAnswer {
  status: number;
  body: string;
}

/** What the order request got: the answer, and whether it made the order now (not a repeat). */
export type OrderFromTokenResult =
  | { kind: 'answer'; answer: KeptAnswer; created?: { order_id: string; auto_capture: boolean } }
  | PaymentRefusal;

export interface OrderFromTokenRequest {
  merchantId: string;
  token: string;
  cart: PaymentCart;
  correlationId: string;
  pushDelaySeconds: number;
  /** Capture the whole order once it exists (not an order pending fraud review, which cannot be captured yet). */
  autoCapture: boolean;
  /** How an answer is rendered to be kept: the refusal of this request's cart, or the order made. */
  render: (answer: PaymentRefusal | { order_id: string; fraud_status: 'ACCEPTED' | 'PENDING'; session_id: string; cart: PaymentCart }) => KeptAnswer;
}

/**
 * POST /payments/v1/authorizations/{token}/order, idempotent per token: the first answer about the
 * token's cart (an order, or a refusal of the cart) is kept with the token and every later request
 * gets it again, whatever it sends. The authorization is locked, so two requests at once make one
 * order; the session is marked complete in the same transaction.
 */
export function placeOrderFromToken(store: Store, p: OrderFromTokenRequest): Promise<OrderFromTokenResult> {
  return inJobsTransaction(store, async (db): Promise<OrderFromTokenResult> => {
    const locked = await lockAuthorization(db, store, p.token, p.merchantId);
    if (!locked) return invalidToken();
    const { authorization, clock } = locked;
    if (authorization.answer_status !== null && authorization.answer_body !== null) {
      return { kind: 'answer', answer: { status: authorization.answer_status, body: authorization.answer_body } };
    }
    const token = authorization.authorization_token;
    // Locked after the authorization (always in this order), so no new authorization is made on a session this order completes.
    const lockedSession = await lockSession(db, store, authorization.session_id, p.merchantId);
    // One order per session: another authorization of it (two at once on the hosted page) makes none once the session is complete.
    if (lockedSession?.session.status === 'complete') return invalidToken();
    const d = decideOrderFromToken(authorizationStateOf(authorization), authorization.fraud_status, paymentCartOf(authorization.cart), p.cart, clock.now);
    if (!d.ok) {
      if (!d.keep) return d;
      const answer = p.render(d);
      await db.updateTable('payment_authorizations').set({ answer_status: answer.status, answer_body: answer.body }).where('authorization_token', '=', token).execute();
      return { kind: 'answer', answer };
    }
    const orderId = randomUUID();
    const urls = p.cart.merchant_urls ?? {};
    const order = newOrderWrites(db, p.merchantId, orderIntakeOf(p.cart, d.value.fraud_status), {
      clock,
      correlationId: p.correlationId,
      orderId,
      merchantUrls: urls,
    });
    const jobs: ScheduledJob[] = [];
    if (urls.push !== undefined) jobs.push(firstPushJob(orderId, clock.now, p.pushDelaySeconds));
    const review = d.value.review;
    if (review) jobs.push({ kind: 'fraud_decision', orderId, payload: { decision: review.decision }, dueAt: review.due_at });
    const autoCapture = p.autoCapture && d.value.fraud_status === 'ACCEPTED';
    // Written with the order, so a crash right after the commit still captures it; the request runs it at once as well.
    if (autoCapture) jobs.push({ kind: 'auto_capture', orderId, payload: {}, dueAt: clock.now });
    const answer = p.render({ order_id: orderId, fraud_status: d.value.fraud_status, session_id: authorization.session_id, cart: p.cart });
    const writes = [
      ...order.writes,
      ...jobs.map((job) => jobInsert(db, p.merchantId, clock, job)),
      db.updateTable('payment_authorizations').set({ order_id: orderId, answer_status: answer.status, answer_body: answer.body }).where('authorization_token', '=', token),
      db
        .updateTable('payment_sessions')
        .set({ status: 'complete', last_modified_at: toKlarnaTimestamp(clock.now) })
        .where('session_id', '=', authorization.session_id),
    ];
    for (const write of writes) await db.executeQuery(write.compile());
    return { kind: 'answer', answer, created: { order_id: orderId, auto_capture: autoCapture } };
  });
}

/** DELETE /payments/v1/authorizations/{token}: a usable token is cancelled; any other is unknown. */
export function cancelAuthorization(store: Store, merchantId: string, token: string): Promise<PaymentResult<null>> {
  return inJobsTransaction(store, async (db): Promise<PaymentResult<null>> => {
    const locked = await lockAuthorization(db, store, token, merchantId);
    if (!locked) return invalidToken();
    const d = decideAuthorizationCancel(authorizationStateOf(locked.authorization), locked.clock.now);
    if (!d.ok) return d;
    await db.updateTable('payment_authorizations').set({ cancelled: 1 }).where('authorization_token', '=', locked.authorization.authorization_token).execute();
    return { ok: true, value: null };
  });
}

function orderIntakeOf(cart: PaymentCart, fraudStatus: 'ACCEPTED' | 'PENDING'): OrderIntake {
  return {
    purchase_country: cart.purchase_country,
    purchase_currency: cart.purchase_currency,
    locale: cart.locale,
    order_amount: cart.order_amount,
    order_tax_amount: cart.order_tax_amount,
    order_lines: cart.order_lines,
    billing_address: cart.billing_address,
    shipping_address: cart.shipping_address,
    customer: cart.customer,
    merchant_reference1: cart.merchant_reference1,
    merchant_reference2: cart.merchant_reference2,
    merchant_data: cart.merchant_data,
    initial_payment_method: { type: 'INVOICE', description: 'Pay later' },
    fraud_status: fraudStatus,
  };
}

/**
 * auto_capture: what remains authorized, captured once, through the command runner as a capture
 * request would be. The order's request and its 'auto_capture' job both run it; whichever comes
 * second finds a capture and does nothing.
 */
export const autoCapture: OrderCommand = async (tx) => {
  if (tx.state.captured_amount > 0) return { kind: 'no_content' };
  return createCapture({ captured_amount: tx.state.order_amount })(tx);
};
