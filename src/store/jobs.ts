// The outbox: every outgoing call made after a change (webhooks, notifications, pushes) and every
// piece of time-driven work is a row in `jobs`, written in the same transaction as the change that
// caused it, and run later by a worker in any instance. (The checkout's validation callback is the
// one call made before its change, while the shopper waits: src/checkout/purchase.ts.)
// Jobs fall due at a time on the merchant's clock; the row keeps the real time that corresponds to
// it (run_at, epoch ms), and a clock advance moves run_at earlier (clock.ts), so the worker's
// "what is due" question is one index range on real time.
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { FraudDecision } from '../domain/decisions.js';
import type { PayoutEventData } from '../domain/settlements.js';
import type { FraudNotificationType, RecordedCall } from '../domain/merchantCalls.js';
import type { HppStatusUpdateBody } from '../domain/hpp.js';
import type { WebhookEventType } from '../domain/webhookEvents.js';
import { toKlarnaTimestamp } from '../domain/time.js';
import type { MerchantClock } from './clock.js';
import { inWriteTransaction, type Store } from './dialect.js';
import type { Database, JobState } from './schema.js';

/** The body every endpoint receives for an event (CONTRACT §7); a webhook job's payload, sent as it was written. */
export interface WebhookEventBody {
  id: string;
  merchant_id: string;
  timestamp: string;
  type: WebhookEventType;
  /** customer_token: the token events' (CONTRACT §12), with the checkout order that made the token. */
  data: { order_id: string; capture_id?: string; refund_id?: string; customer_token?: string } | PayoutEventData;
}

/** A scheduled push carries what its schedule is counted from; a one-off is not followed by another. */
export type PushPayload = { first_delay_seconds: number } | { manual: true };

/**
 * What runs a job, and the payload each kind carries (as graphile-worker's task map): producers
 * and handlers are typed from this one list. Outgoing calls (webhook, notification, push) and
 * time-driven order work (expiry, fraud_decision).
 */
export interface JobPayloads {
  webhook: WebhookEventBody;
  /** The fraud notification of a decided pending order, its URL already resolved. */
  notification: { url: string; order_id: string; event_type: FraudNotificationType };
  push: PushPayload;
  expiry: Record<string, never>;
  fraud_decision: { decision: FraudDecision };
  /** Klarna Payments' authorization callback (CONTRACT §14): POST {authorization_token, session_id} to merchant_urls.authorization. */
  payment_authorization: { url: string; authorization_token: string; session_id: string };
  /** Klarna Payments' auto_capture of an order made from an authorization token (src/store/payments.ts: autoCapture). */
  auto_capture: Record<string, never>;
  /** A status change of a Hosted Payment Page session, POSTed to its merchant_urls.status_update (resolved). */
  hpp_status_update: { url: string; body: HppStatusUpdateBody };
  /** The merchant's one payout job (settlements, CONTRACT §11): due every 00:00 of its clock. */
  payout: Record<string, never>;
}

export type JobKind = keyof JobPayloads;

/** A job to write: its kind and that kind's payload. */
export type ScheduledJob<K extends JobKind = JobKind> = {
  [P in K]: {
    kind: P;
    orderId?: string | null;
    webhookId?: string | null;
    /** Jobs sharing a sequence key make their first attempts in the order they were written. */
    sequenceKey?: string | null;
    payload: JobPayloads[P];
    /** When it falls due, on the merchant's clock. */
    dueAt: Date;
  };
}[K];

/** A job this instance holds the lease of, as the lease statement returned it. */
export interface LeasedJob<K extends JobKind = JobKind> {
  id: number;
  kind: K;
  merchant_id: string;
  order_id: string | null;
  webhook_id: string | null;
  /** The payload as it was written (a webhook sends these very bytes); payloadOf reads it. */
  payload: string;
  /** Attempts made before this one. */
  attempts: number;
  /** Real epoch ms it was due at when leased. */
  run_at: number;
  /** Merchant-clock ISO time the job was written (the event's time, for webhooks). */
  created_at: string;
  lease_token: string;
  clock_offset_seconds: number;
}

/**
 * A job's payload, read back. Every job row is written from a ScheduledJob of its kind (or, for
 * webhooks, from webhookBody), so the text is that kind's payload: the one place it is read as such.
 */
export function payloadOf<K extends JobKind>(job: { kind: K; payload: string }): JobPayloads[K] {
  return JSON.parse(job.payload) as JobPayloads[K];
}

/** What becomes of the job after an attempt. */
export type JobNext = { state: 'done' | 'dead' | 'cancelled' } | { state: 'pending'; dueAt: Date /* merchant clock */ };

/** What an attempt did and what becomes of the job, as the store records it. */
export interface AttemptResult {
  /** HTTP status answered (or the command's status); 0 when there was no answer. */
  status: number;
  error?: string | null;
  /** The URL called, if any. */
  url?: string | null;
  next: JobNext;
  /** The call made to the merchant's server, if any, kept with the attempt for the sandbox (CONTRACT §15). */
  call?: RecordedCall;
}

/** The insert of one job of a merchant, written now on its clock and due at job.dueAt on it. */
export function jobInsert(db: Kysely<Database>, merchantId: string, clock: MerchantClock, job: ScheduledJob) {
  const at = clock.now.toISOString();
  return db.insertInto('jobs').values({
    kind: job.kind,
    merchant_id: merchantId,
    order_id: job.orderId ?? null,
    webhook_id: job.webhookId ?? null,
    sequence_key: job.sequenceKey ?? null,
    payload: JSON.stringify(job.payload),
    state: 'pending',
    run_at: clock.toRealMs(job.dueAt),
    attempts: 0,
    lease_token: null,
    lease_until: null,
    last_status: null,
    last_error: null,
    created_at: at,
    updated_at: at,
  });
}

/** Kustom's event ids: `kevt_` and 24 random hex digits. The same id on every attempt. */
function newEventId(): string {
  return `kevt_${randomBytes(12).toString('hex')}`;
}

export interface WebhookEvent {
  merchantId: string;
  /** The order it is about; null for a merchant's own events (a payout), sequenced per merchant. */
  orderId: string | null;
  type: WebhookEventType;
  data: WebhookEventBody['data'];
  /** Merchant-clock time of the event. */
  occurredAt: Date;
  /** Real epoch ms at which the first attempt is due. */
  runAt: number;
}

function webhookBody(e: WebhookEvent, id: string): string {
  const body: WebhookEventBody = { id, merchant_id: e.merchantId, timestamp: toKlarnaTimestamp(e.occurredAt), type: e.type, data: e.data };
  return JSON.stringify(body);
}

/**
 * One webhook job per endpoint of the merchant subscribed to the event, as a single
 * INSERT … SELECT that travels with the command's other writes (no extra round trip, and nothing
 * when the merchant has no endpoints). Each (order, endpoint) pair is a sequence, so first
 * attempts for one order go out in the order its events happened.
 */
export function webhookFanOut(db: Kysely<Database>, e: WebhookEvent) {
  const at = e.occurredAt.toISOString();
  const body = webhookBody(e, newEventId());
  // Stored event lists hold only names from WEBHOOK_EVENT_TYPES, so this pattern matches exactly one of them.
  const pattern = `%${JSON.stringify(e.type)}%`;
  return db
    .insertInto('jobs')
    .columns(['kind', 'merchant_id', 'order_id', 'webhook_id', 'sequence_key', 'payload', 'state', 'run_at', 'attempts', 'created_at', 'updated_at'])
    .expression(
      db
        .selectFrom('webhooks')
        .select([
          sql<JobKind>`cast(${'webhook'} as text)`.as('kind'),
          'merchant_id',
          sql<string | null>`cast(${e.orderId} as text)`.as('order_id'),
          'webhook_id',
          sql<string>`cast(${e.orderId === null ? `merchant:${e.merchantId}:` : `order:${e.orderId}:`} as text) || webhook_id`.as('sequence_key'),
          sql<string>`cast(${body} as text)`.as('payload'),
          sql<JobState>`cast(${'pending'} as text)`.as('state'),
          sql<number>`cast(${e.runAt} as bigint)`.as('run_at'),
          sql<number>`cast(${0} as integer)`.as('attempts'),
          sql<string>`cast(${at} as text)`.as('created_at'),
          sql<string>`cast(${at} as text)`.as('updated_at'),
        ])
        .where('merchant_id', '=', e.merchantId)
        .where('events', 'like', pattern),
    );
}

/** Pending and dead jobs by kind, for /metrics (the jobs_due index covers the state filter). */
export async function jobCounts(store: Store): Promise<{ kind: JobKind; state: JobState; count: number }[]> {
  const rows = await store.db
    .selectFrom('jobs')
    .select(['kind', 'state', (eb) => eb.fn.countAll<number>().as('count')])
    .where('state', 'in', ['pending', 'dead'])
    .groupBy(['kind', 'state'])
    .execute();
  return rows.map((r) => ({ kind: r.kind, state: r.state, count: Number(r.count) }));
}

const dueListeners = new WeakMap<Store, Set<() => void>>();

/**
 * Calls listener whenever this process writes jobs that may be due now or advances a clock. It
 * only lets the worker start at once instead of at its next poll: correctness never depends on it.
 */
export function onJobsDue(store: Store, listener: () => void): () => void {
  let listeners = dueListeners.get(store);
  if (!listeners) dueListeners.set(store, (listeners = new Set()));
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called after a commit that wrote jobs which may be due now (or made them due). */
export function signalJobsDue(store: Store): void {
  for (const listener of dueListeners.get(store) ?? []) listener();
}

/**
 * A write transaction that writes jobs or makes them due (an order, a purchase, a clock advance,
 * a resend): once it has committed, this process's worker looks for due work at once. Order
 * commands get the same from the runner. Waking it when nothing fell due costs one look.
 */
export async function inJobsTransaction<T>(store: Store, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  const result = await inWriteTransaction(store, fn);
  signalJobsDue(store);
  return result;
}
