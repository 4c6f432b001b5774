// Webhook endpoints and their deliveries (CONTRACT §7). A delivery is one event for one endpoint: a
// 'webhook' job whose payload is the event body, with one job_attempts row per attempt. Every
// function takes the merchant id, so one merchant never sees or touches another's endpoints.
import { randomBytes, randomUUID } from 'node:crypto';
import { sendableUrl } from '../domain/merchantUrls.js';
import { toKlarnaTimestamp } from '../domain/time.js';
import { MAX_WEBHOOKS_PER_MERCHANT, WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../domain/webhookEvents.js';
import { merchantClock, merchantNow, type MerchantClock } from './clock.js';
import { inWriteTransaction, lockedRows, type Store } from './dialect.js';
import { inJobsTransaction, payloadOf } from './jobs.js';
import { isUuid } from './orders.js';
import type { JobAttemptsTable, JobState, JobsTable } from './schema.js';

export interface WebhookEndpoint {
  webhook_id: string;
  url: string;
  events: WebhookEventType[];
  created_at: string;
}

/** Shown once, when the endpoint is created; it signs every delivery (OpenOM-Signature). */
export interface NewWebhookEndpoint extends WebhookEndpoint {
  signing_secret: string;
}

type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

const STATUS_OF_STATE: Record<JobState, DeliveryStatus> = { pending: 'pending', done: 'delivered', dead: 'failed', cancelled: 'cancelled' };

export interface DeliveryAttempt {
  attempt: number;
  /** HTTP status the endpoint answered; 0 when there was no answer (error says why). */
  status_code: number;
  error: string | null;
  duration_ms: number;
  /** Merchant-clock time. */
  attempted_at: string;
}

export interface Delivery {
  delivery_id: string;
  event_id: string;
  event_type: WebhookEventType;
  order_id: string | null;
  status: DeliveryStatus;
  attempt_count: number;
  /** When the next attempt is due (merchant clock), while pending. */
  next_attempt_at: string | null;
  created_at: string;
  /** Newest first. */
  attempts: DeliveryAttempt[];
}

function newSigningSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

/** The subscribed names in the catalogue's order, each once. */
function canonicalEvents(events: readonly WebhookEventType[]): WebhookEventType[] {
  return WEBHOOK_EVENT_TYPES.filter((e) => events.includes(e));
}

function endpointOf(row: { webhook_id: string; url: string; events: string; created_at: string }): WebhookEndpoint {
  return { webhook_id: row.webhook_id, url: row.url, events: JSON.parse(row.events) as WebhookEventType[], created_at: row.created_at };
}

/**
 * Registers an endpoint, unless the merchant has MAX_WEBHOOKS_PER_MERCHANT already (then 'too_many').
 * Counted with the merchant's row locked, so concurrent registrations cannot pass the limit together.
 */
export async function createWebhook(store: Store, merchantId: string, req: { url: string; events: readonly WebhookEventType[] }): Promise<NewWebhookEndpoint | 'too_many'> {
  const row = {
    webhook_id: randomUUID(),
    merchant_id: merchantId,
    url: sendableUrl(req.url),
    events: JSON.stringify(canonicalEvents(req.events)),
    signing_secret: newSigningSecret(),
    created_at: toKlarnaTimestamp(await merchantNow(store, merchantId)),
  };
  const created = await inWriteTransaction(store, async (trx) => {
    await lockedRows(store, trx.selectFrom('merchants').select('merchant_id').where('merchant_id', '=', merchantId), 'merchants').execute();
    const existing = await trx.selectFrom('webhooks').select((eb) => eb.fn.countAll<number>().as('n')).where('merchant_id', '=', merchantId).executeTakeFirst();
    if (Number(existing?.n ?? 0) >= MAX_WEBHOOKS_PER_MERCHANT) return false;
    await trx.insertInto('webhooks').values(row).execute();
    return true;
  });
  if (!created) return 'too_many';
  const { webhook_id, url, events, created_at } = endpointOf(row);
  return { webhook_id, url, events, signing_secret: row.signing_secret, created_at };
}

export async function listWebhooks(store: Store, merchantId: string): Promise<WebhookEndpoint[]> {
  const rows = await store.db
    .selectFrom('webhooks')
    .select(['webhook_id', 'url', 'events', 'created_at'])
    .where('merchant_id', '=', merchantId)
    .orderBy('created_at')
    .orderBy('webhook_id')
    .execute();
  return rows.map(endpointOf);
}

/** Deletes the endpoint and cancels its pending deliveries in one transaction; false if there is no such endpoint. */
export async function deleteWebhook(store: Store, merchantId: string, webhookId: string): Promise<boolean> {
  if (!isUuid(webhookId)) return false;
  const now = toKlarnaTimestamp(await merchantNow(store, merchantId));
  return inWriteTransaction(store, async (trx) => {
    const deleted = await trx.deleteFrom('webhooks').where('webhook_id', '=', webhookId).where('merchant_id', '=', merchantId).executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) return false;
    await trx
      .updateTable('jobs')
      .set({ state: 'cancelled', updated_at: now })
      .where('webhook_id', '=', webhookId)
      .where('state', '=', 'pending')
      .execute();
    return true;
  });
}

/** Where a delivery goes and what signs it; undefined once the endpoint is deleted. */
export async function webhookTarget(store: Store, webhookId: string): Promise<{ url: string; signing_secret: string } | undefined> {
  return store.db.selectFrom('webhooks').select(['url', 'signing_secret']).where('webhook_id', '=', webhookId).executeTakeFirst();
}

/** The endpoint with its merchant's clock offset, if the merchant owns it. */
async function ownedWebhook(store: Store, merchantId: string, webhookId: string): Promise<{ clock: MerchantClock } | undefined> {
  if (!isUuid(webhookId)) return undefined;
  const row = await store.db
    .selectFrom('webhooks')
    .innerJoin('merchants', 'merchants.merchant_id', 'webhooks.merchant_id')
    .select('merchants.clock_offset_seconds')
    .where('webhooks.webhook_id', '=', webhookId)
    .where('webhooks.merchant_id', '=', merchantId)
    .executeTakeFirst();
  return row && { clock: merchantClock(store, row.clock_offset_seconds) };
}

type JobRow = Pick<JobsTable, 'state' | 'attempts' | 'run_at' | 'payload' | 'order_id' | 'created_at'> & { id: number };
type AttemptRow = Pick<JobAttemptsTable, 'job_id' | 'attempt' | 'status' | 'error' | 'duration_ms' | 'attempted_at'>;

function deliveryOf(job: JobRow, attempts: AttemptRow[], clock: MerchantClock): Delivery {
  const event = payloadOf({ kind: 'webhook', payload: job.payload });
  return {
    delivery_id: String(job.id),
    event_id: event.id,
    event_type: event.type,
    order_id: job.order_id,
    status: STATUS_OF_STATE[job.state],
    attempt_count: job.attempts,
    next_attempt_at: job.state === 'pending' ? toKlarnaTimestamp(clock.fromRealMs(Number(job.run_at))) : null,
    created_at: toKlarnaTimestamp(new Date(job.created_at)),
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      status_code: a.status,
      error: a.error,
      duration_ms: a.duration_ms,
      attempted_at: toKlarnaTimestamp(new Date(a.attempted_at)),
    })),
  };
}

async function withAttempts(store: Store, jobs: JobRow[], clock: MerchantClock): Promise<Delivery[]> {
  if (jobs.length === 0) return [];
  const attempts = await store.db
    .selectFrom('job_attempts')
    .select(['job_id', 'attempt', 'status', 'error', 'duration_ms', 'attempted_at'])
    .where(
      'job_id',
      'in',
      jobs.map((j) => j.id),
    )
    .orderBy('job_id')
    .orderBy('attempt', 'desc')
    .execute();
  const byJob = new Map<number, AttemptRow[]>();
  for (const a of attempts) {
    const id = Number(a.job_id);
    byJob.set(id, [...(byJob.get(id) ?? []), a]);
  }
  return jobs.map((j) => deliveryOf(j, byJob.get(j.id) ?? [], clock));
}

const DELIVERY_COLUMNS = ['id', 'state', 'attempts', 'run_at', 'payload', 'order_id', 'created_at'] as const;

export interface DeliveryPage {
  /** At most this many, newest first. */
  limit: number;
  /** Only deliveries older than this delivery id (the last one of the previous page). */
  before?: number;
}

/** The endpoint's deliveries, newest first, each with its attempts; undefined if the merchant has no such endpoint. */
export async function listDeliveries(store: Store, merchantId: string, webhookId: string, page: DeliveryPage): Promise<Delivery[] | undefined> {
  const owned = await ownedWebhook(store, merchantId, webhookId);
  if (!owned) return undefined;
  let query = store.db.selectFrom('jobs').select(DELIVERY_COLUMNS).where('webhook_id', '=', webhookId).where('kind', '=', 'webhook');
  if (page.before !== undefined) query = query.where('id', '<', page.before);
  const jobs = await query.orderBy('id', 'desc').limit(page.limit).execute();
  return withAttempts(store, jobs.map((j) => ({ ...j, id: Number(j.id) })), owned.clock);
}

/**
 * The newest `limit` deliveries of each of the merchant's endpoints given, each with its attempts,
 * in a fixed number of queries however many endpoints there are (one UNION ALL of per-endpoint
 * index range reads, and one read of their attempts): the portal's overview is not N+1.
 */
export async function recentDeliveries(store: Store, merchantId: string, webhookIds: readonly string[], limit: number): Promise<Map<string, Delivery[]>> {
  const byEndpoint = new Map<string, Delivery[]>(webhookIds.map((id) => [id, []]));
  if (webhookIds.length === 0) return byEndpoint;
  const merchant = await store.db.selectFrom('merchants').select('clock_offset_seconds').where('merchant_id', '=', merchantId).executeTakeFirst();
  if (!merchant) return byEndpoint;
  const newestOf = (webhookId: string, i: number) =>
    store.db
      .selectFrom((db) =>
        db
          .selectFrom('jobs')
          .select([...DELIVERY_COLUMNS, 'webhook_id'])
          .where('webhook_id', '=', webhookId)
          .where('merchant_id', '=', merchantId)
          .where('kind', '=', 'webhook')
          .orderBy('id', 'desc')
          .limit(limit)
          .as(`e${i}`),
      )
      .selectAll();
  const [first, ...rest] = webhookIds.map(newestOf);
  const rows = await rest.reduce((union, part) => union.unionAll(part), first!).execute();
  const deliveries = await withAttempts(
    store,
    rows.map((j) => ({ ...j, id: Number(j.id) })),
    merchantClock(store, merchant.clock_offset_seconds),
  );
  rows.forEach((row, i) => byEndpoint.get(row.webhook_id!)?.push(deliveries[i]!));
  for (const list of byEndpoint.values()) list.sort((a, b) => Number(b.delivery_id) - Number(a.delivery_id));
  return byEndpoint;
}

/** What a lookup did not find: the merchant has no such endpoint, or the endpoint no such delivery. */
export type Missing = { missing: 'webhook' | 'delivery' };

/**
 * Sends the delivery's event again now, as its next attempt (same body, same event id). A delivery
 * whose attempt is in flight at that moment is not sent a second time.
 */
export async function resendDelivery(store: Store, merchantId: string, webhookId: string, deliveryId: number): Promise<Delivery | Missing> {
  const owned = await ownedWebhook(store, merchantId, webhookId);
  if (!owned) return { missing: 'webhook' };
  const realNow = Date.now();
  const updatedAt = owned.clock.fromRealMs(realNow).toISOString();
  const job = await inJobsTransaction(store, async (trx) => {
    await trx
      .updateTable('jobs')
      .set({ state: 'pending', run_at: realNow, updated_at: updatedAt })
      .where('id', '=', deliveryId)
      .where('webhook_id', '=', webhookId)
      .where('kind', '=', 'webhook')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', realNow)]))
      .execute();
    return trx.selectFrom('jobs').select(DELIVERY_COLUMNS).where('id', '=', deliveryId).where('webhook_id', '=', webhookId).where('kind', '=', 'webhook').executeTakeFirst();
  });
  if (!job) return { missing: 'delivery' };
  return (await withAttempts(store, [{ ...job, id: Number(job.id) }], owned.clock))[0]!;
}
