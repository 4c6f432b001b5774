// Hosted Payment Page sessions (CONTRACT §13). Every status change is one write transaction that
// locks the session row, asks the domain (src/domain/hpp.ts), writes the new status and, when the
// merchant gave a status_update URL, the callback job beside it (the outbox: a change and its
// callback commit together). The shopper's payment itself is the checkout's completion
// (checkoutOrders.ts: completeCheckout), which marks the session COMPLETED in its own transaction
// through hppCompletionStep.
import { randomUUID } from 'node:crypto';
import type { Compilable, Kysely } from 'kysely';
import { checkoutExpiresAt } from '../domain/checkout.js';
import { accept, type Decision } from '../domain/decision.js';
import { problems, type Problem } from '../domain/errorCodes.js';
import {
  checkSourceLifetime,
  decideDistribution,
  decideHppEvent,
  distributionMessage,
  fillPlaceholders,
  hppExpiresAt,
  hppStateViolations,
  type ContactInformation,
  type DistributionMethod,
  type HppEvent,
  type HppMerchantUrls,
  type HppSessionView,
  type HppSource,
  type HppState,
  type PlaceOrderMode,
} from '../domain/hpp.js';
import { sessionExpiresAt } from '../domain/payments.js';
import { toKlarnaTimestamp } from '../domain/time.js';
import { checkoutStateOf, phaseOf, readCheckout, type CompletionStep } from './checkoutOrders.js';
import { merchantClock, type MerchantClock } from './clock.js';
import { inWriteTransaction, lockedRows, type Store } from './dialect.js';
import { inJobsTransaction, jobInsert, payloadOf } from './jobs.js';
import type { Database, HppDistributionsTable, HppSessionsTable } from './schema.js';
import { isUuid } from './orders.js';
import { paymentSessionStateOf, readPaymentSession } from './payments.js';

export function hppStateOf(row: HppSessionsTable): HppState {
  return { status: row.status, expires_at: new Date(row.expires_at), updated_at: new Date(row.updated_at) };
}

export function merchantUrlsOf(row: HppSessionsTable): HppMerchantUrls {
  return JSON.parse(row.merchant_urls) as HppMerchantUrls;
}

export function hppSessionView(row: HppSessionsTable): HppSessionView {
  return {
    session_id: row.session_id,
    status: row.status,
    updated_at: row.updated_at,
    expires_at: row.expires_at,
    ...(row.order_id === null ? {} : { order_id: row.order_id }),
    ...(row.authorization_token === null ? {} : { authorization_token: row.authorization_token }),
    ...(row.klarna_reference === null ? {} : { klarna_reference: row.klarna_reference }),
  };
}

/** The merchant URL for the session as it now is, placeholders filled; undefined when the merchant gave none. */
export function filledMerchantUrl(row: HppSessionsTable, name: keyof HppMerchantUrls): string | undefined {
  const template = merchantUrlsOf(row)[name];
  if (template === undefined) return undefined;
  return fillPlaceholders(template, { session_id: row.session_id, order_id: row.order_id ?? undefined, authorization_token: row.authorization_token ?? undefined });
}

/** The row as changed, checked against the domain's invariants first (pair assertion with migration 010's CHECKs). */
function checked(row: HppSessionsTable): HppSessionsTable {
  const violations = hppStateViolations({ ...hppStateOf(row), order_id: row.order_id, authorization_token: row.authorization_token });
  if (violations.length > 0) throw new Error(`refusing to write an invalid HPP session: ${violations.join(', ')}`);
  return row;
}

/** The status_update callback of the session as it now is, if the merchant asked for them. */
function statusUpdateWrite(db: Kysely<Database>, clock: MerchantClock, row: HppSessionsTable) {
  const url = filledMerchantUrl(row, 'status_update');
  if (url === undefined) return [];
  const body = { event_id: randomUUID(), session: hppSessionView(row) };
  const job = { kind: 'hpp_status_update' as const, orderId: row.source_kind === 'checkout_order' ? row.source_id : null, sequenceKey: `hpp:${row.session_id}`, payload: { url, body }, dueAt: clock.now };
  return [jobInsert(db, row.merchant_id, clock, job)];
}

/** A session row with its merchant's clock offset: the merchant's own, or (merchantId undefined) any, for the shopper's page. */
function sessionQuery(db: Kysely<Database>, sessionId: string, merchantId: string | undefined) {
  const query = db
    .selectFrom('hpp_sessions')
    .innerJoin('merchants', 'merchants.merchant_id', 'hpp_sessions.merchant_id')
    .selectAll('hpp_sessions')
    .select('merchants.clock_offset_seconds')
    .where('hpp_sessions.session_id', '=', sessionId);
  return merchantId === undefined ? query : query.where('hpp_sessions.merchant_id', '=', merchantId);
}

export interface HppReading {
  session: HppSessionsTable;
  /** Now on the merchant's clock. */
  now: Date;
}

export async function readHppSession(store: Store, sessionIdParam: string, merchantId?: string): Promise<HppReading | undefined> {
  const sessionId = sessionIdParam.toLowerCase();
  if (!isUuid(sessionId)) return undefined;
  const row = await sessionQuery(store.reader, sessionId, merchantId).executeTakeFirst();
  if (!row) return undefined;
  const { clock_offset_seconds, ...session } = row;
  return { session, now: merchantClock(store, clock_offset_seconds).now };
}

export const noSuchSession = (sessionId: string): Problem => problems.notFound(`HPP session ${sessionId}`);

/** When the source a session pays for expires, if it can be paid now; a refusal naming payment_session_url otherwise. */
async function sourceExpiry(store: Store, merchantId: string, source: HppSource): Promise<Decision<Date>> {
  switch (source.kind) {
    case 'checkout_order': {
      const reading = await readCheckout(store, source.order_id, merchantId);
      if (!reading) return problemOf(`Bad value: payment_session_url (no checkout order ${source.order_id} of this merchant)`);
      const phase = phaseOf(reading);
      if (phase !== 'open') return problemOf(`Bad value: payment_session_url (the checkout order is ${phase === 'complete' ? 'completed' : phase})`);
      return accept(checkoutExpiresAt(checkoutStateOf(reading.checkout)));
    }
    case 'payment_session': {
      // A Klarna Payments session (CONTRACT §14) lives 48 hours from its creation, on the merchant's clock.
      const reading = await readPaymentSession(store, source.session_id, merchantId);
      if (!reading) return problemOf(`Bad value: payment_session_url (no payment session ${source.session_id} of this merchant)`);
      if (reading.phase !== 'open') return problemOf(`Bad value: payment_session_url (the payment session is ${reading.phase})`);
      return accept(sessionExpiresAt(paymentSessionStateOf(reading.session)));
    }
  }
}

function problemOf(message: string): Decision<never> {
  return { ok: false, code: 'BAD_VALUE', message };
}

export interface NewHppSession {
  source: HppSource;
  merchant_urls: HppMerchantUrls;
  place_order_mode: PlaceOrderMode;
  options: Record<string, unknown>;
}

export type HppResult = { ok: true; session: HppSessionsTable } | { ok: false; problem: Problem };

export async function createHppSession(store: Store, merchantId: string, req: NewHppSession): Promise<HppResult> {
  const merchant = await store.reader.selectFrom('merchants').select('clock_offset_seconds').where('merchant_id', '=', merchantId).executeTakeFirst();
  if (!merchant) throw new Error('authenticated merchant not found');
  const now = merchantClock(store, merchant.clock_offset_seconds).now;
  const expiry = await sourceExpiry(store, merchantId, req.source);
  if (!expiry.ok) return { ok: false, problem: expiry };
  const tooLate = checkSourceLifetime(expiry.value, now);
  if (tooLate) return { ok: false, problem: tooLate };
  const at = toKlarnaTimestamp(now);
  const session = checked({
    session_id: randomUUID(),
    merchant_id: merchantId,
    source_kind: req.source.kind,
    source_id: req.source.kind === 'checkout_order' ? req.source.order_id : req.source.session_id,
    status: 'WAITING',
    place_order_mode: req.place_order_mode,
    merchant_urls: JSON.stringify(req.merchant_urls),
    options: JSON.stringify(req.options),
    order_id: null,
    authorization_token: null,
    klarna_reference: null,
    expires_at: toKlarnaTimestamp(hppExpiresAt(expiry.value)),
    created_at: at,
    updated_at: at,
  });
  await inWriteTransaction(store, (db) => db.insertInto('hpp_sessions').values(session).execute());
  return { ok: true, session };
}

/** The locked session, its clock, and the domain's decision on event; with the writes of the change (the row, its callback). */
async function decideLocked(db: Kysely<Database>, store: Store, sessionId: string, merchantId: string | undefined, event: HppEvent, changes: Partial<HppSessionsTable> = {}) {
  const locked = isUuid(sessionId) ? await lockedRows(store, sessionQuery(db, sessionId, merchantId), 'hpp_sessions').executeTakeFirst() : undefined;
  if (!locked) return { ok: false as const, problem: noSuchSession(sessionId) };
  const { clock_offset_seconds, ...row } = locked;
  const clock = merchantClock(store, clock_offset_seconds);
  const d = decideHppEvent(hppStateOf(row), event, clock.now);
  if (!d.ok) return { ok: false as const, problem: d, session: row };
  if (!d.value.changed) return { ok: true as const, session: row, writes: [] };
  const next = checked({ ...row, ...changes, status: d.value.next.status, updated_at: toKlarnaTimestamp(d.value.next.updated_at) });
  const writes: Compilable<unknown>[] = [
    db.updateTable('hpp_sessions').set({ ...changes, status: next.status, updated_at: next.updated_at }).where('session_id', '=', row.session_id),
    ...statusUpdateWrite(db, clock, next),
  ];
  return { ok: true as const, session: next, writes };
}

export type HppChange = HppResult | { ok: false; problem: Problem; session: HppSessionsTable };

/** A status change of the session (the shopper's page, the merchant's disable), with its callback. */
export function changeHppStatus(store: Store, sessionIdParam: string, event: HppEvent, merchantId?: string): Promise<HppChange> {
  return inJobsTransaction(store, async (db): Promise<HppChange> => {
    const d = await decideLocked(db, store, sessionIdParam.toLowerCase(), merchantId, event);
    if (!d.ok) return d;
    for (const write of d.writes) await db.executeQuery(write.compile());
    return { ok: true, session: d.session };
  });
}

/**
 * The session's part of a checkout's completion, run in the completion's transaction: the session
 * is locked and must still be IN_PROGRESS (a merchant's disable that came first refuses the whole
 * completion); it becomes COMPLETED with the new order's id and reference, and its callback is written.
 */
export function hppCompletionStep(store: Store, sessionId: string, done: { completed?: HppSessionsTable }): CompletionStep {
  return async (db, { order }) => {
    const d = await decideLocked(db, store, sessionId, undefined, 'complete', { order_id: order.order_id, klarna_reference: order.klarna_reference });
    if (!d.ok) return d;
    done.completed = d.session;
    return { ok: true, writes: d.writes };
  };
}

/** What paying a Klarna Payments session left: the authorization token (place_order_mode NONE), or the order placed from it. */
export type PaymentSessionResult = { authorization_token: string } | { order_id: string };

/**
 * A session over a Klarna Payments session becomes COMPLETED once the shopper's authorization (and,
 * unless NONE, the order from it) is made; it must still be IN_PROGRESS. The authorization and the
 * order are the Payments API's own transactions, so a session disabled in between stays DISABLED
 * and the token or order is the merchant's to see (GET /payments/v1/sessions/{id}).
 */
export function completeHppWithPayment(store: Store, sessionId: string, result: PaymentSessionResult): Promise<HppChange> {
  return inJobsTransaction(store, async (db): Promise<HppChange> => {
    let changes: Partial<HppSessionsTable> = result;
    if ('order_id' in result) {
      const order = await db.selectFrom('orders').select(['order_id', 'klarna_reference']).where('order_id', '=', result.order_id).executeTakeFirstOrThrow();
      changes = { order_id: order.order_id, klarna_reference: order.klarna_reference };
    }
    const d = await decideLocked(db, store, sessionId, undefined, 'complete', changes);
    if (!d.ok) return d;
    for (const write of d.writes) await db.executeQuery(write.compile());
    return { ok: true, session: d.session };
  });
}

export interface Distribution {
  method: DistributionMethod;
  contact_information: ContactInformation;
  /** The link the message carries: the session's redirect_url. */
  link: string;
}

export type DistributionResult = { ok: true; distribution: HppDistributionsTable } | { ok: false; problem: Problem };

/** Records the message OpenOM would send in the merchant's outbox; nothing is sent. */
export function recordDistribution(store: Store, merchantId: string, sessionIdParam: string, req: Distribution): Promise<DistributionResult> {
  const sessionId = sessionIdParam.toLowerCase();
  return inWriteTransaction(store, async (db): Promise<DistributionResult> => {
    const locked = isUuid(sessionId) ? await lockedRows(store, sessionQuery(db, sessionId, merchantId), 'hpp_sessions').executeTakeFirst() : undefined;
    if (!locked) return { ok: false, problem: noSuchSession(sessionIdParam) };
    const { clock_offset_seconds, ...row } = locked;
    const now = merchantClock(store, clock_offset_seconds).now;
    const refused = decideDistribution(hppStateOf(row), req.method, req.contact_information, now);
    if (refused) return { ok: false, problem: refused };
    const distribution: HppDistributionsTable = {
      distribution_id: randomUUID(),
      merchant_id: merchantId,
      session_id: row.session_id,
      method: req.method,
      contact_information: JSON.stringify(req.contact_information),
      link: req.link,
      message: distributionMessage(req.method, req.link),
      created_at: toKlarnaTimestamp(now),
    };
    await db.insertInto('hpp_distributions').values(distribution).execute();
    return { ok: true, distribution };
  });
}

/** The merchant's outbox, newest first; one session's when sessionId is given. */
export async function listDistributions(store: Store, merchantId: string, options: { sessionId?: string; limit: number }): Promise<HppDistributionsTable[]> {
  let query = store.reader.selectFrom('hpp_distributions').selectAll().where('merchant_id', '=', merchantId);
  if (options.sessionId !== undefined) query = query.where('session_id', '=', options.sessionId.toLowerCase());
  return query.orderBy('created_at', 'desc').orderBy('distribution_id', 'desc').limit(options.limit).execute();
}

/** The merchant's newest sessions, for the portal. */
export function listHppSessions(store: Store, merchantId: string, limit: number): Promise<HppSessionsTable[]> {
  return store.reader.selectFrom('hpp_sessions').selectAll().where('merchant_id', '=', merchantId).orderBy('created_at', 'desc').orderBy('session_id').limit(limit).execute();
}

/** One status_update callback as the delivery engine keeps it: what it carried, and each attempt. */
export interface HppDelivery {
  delivery_id: string;
  session_id: string;
  /** The status the callback reports. */
  status: string;
  url: string;
  state: 'pending' | 'delivered' | 'failed' | 'cancelled';
  next_attempt_at: string | null;
  attempts: { attempt: number; status_code: number; error: string | null; duration_ms: number; attempted_at: string }[];
}

const DELIVERY_STATE = { pending: 'pending', done: 'delivered', dead: 'failed', cancelled: 'cancelled' } as const;

/** The merchant's newest status_update callbacks with their attempts (newest first), for the portal. */
export async function listHppDeliveries(store: Store, merchantId: string, limit: number): Promise<HppDelivery[]> {
  const merchant = await store.reader.selectFrom('merchants').select('clock_offset_seconds').where('merchant_id', '=', merchantId).executeTakeFirst();
  if (!merchant) return [];
  const clock = merchantClock(store, merchant.clock_offset_seconds);
  const jobs = await store.reader
    .selectFrom('jobs')
    .select(['id', 'state', 'run_at', 'payload'])
    .where('merchant_id', '=', merchantId)
    .where('kind', '=', 'hpp_status_update')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  if (jobs.length === 0) return [];
  const attempts = await store.reader
    .selectFrom('job_attempts')
    .select(['job_id', 'attempt', 'status', 'error', 'duration_ms', 'attempted_at'])
    .where('job_id', 'in', jobs.map((j) => Number(j.id)))
    .orderBy('attempt', 'desc')
    .execute();
  return jobs.map((job) => {
    const { url, body } = payloadOf({ kind: 'hpp_status_update', payload: job.payload });
    return {
      delivery_id: String(job.id),
      session_id: body.session.session_id,
      status: body.session.status,
      url,
      state: DELIVERY_STATE[job.state],
      next_attempt_at: job.state === 'pending' ? toKlarnaTimestamp(clock.fromRealMs(Number(job.run_at))) : null,
      attempts: attempts
        .filter((a) => Number(a.job_id) === Number(job.id))
        .map((a) => ({ attempt: a.attempt, status_code: a.status, error: a.error, duration_ms: a.duration_ms, attempted_at: a.attempted_at })),
    };
  });
}
