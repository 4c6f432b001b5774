// Checkout orders (CONTRACT §6). The merchant creates, updates and aborts them under the same
// idempotency rules as Order Management commands; the shopper completes them, and the completion
// writes the Order Management order with the same id, its first push and its fraud review (and, for
// a recurring checkout, its customer token) in the one transaction that marks the checkout complete.
import { randomUUID } from 'node:crypto';
import type { Compilable, Kysely } from 'kysely';
import {
  checkCheckoutOrder,
  checkoutPhase,
  checkoutStateViolations,
  decideCheckoutAbort,
  decideCheckoutCompletion,
  decideCheckoutUpdate,
  purchaseAddresses,
  type AuthorizedOutcome,
  type CheckoutOrderFields,
  type CheckoutPhase,
  type CheckoutState,
} from '../domain/checkout.js';
import { accept, type Decision } from '../domain/decision.js';
import { problems, type Problem } from '../domain/errorCodes.js';
import { toKlarnaTimestamp } from '../domain/time.js';
import { merchantClock } from './clock.js';
import { inKeyedTransaction, type KeyedRequest } from './idempotency.js';
import { refused, type CommandResult, type Refused } from './outcome.js';
import { lockedRows, type Store } from './dialect.js';
import { inJobsTransaction, jobInsert, type ScheduledJob } from './jobs.js';
import { isOrderId, newOrderWrites, type OrderIntake } from './orders.js';
import { firstPushJob } from './push.js';
import { newTokenWrites } from './customerTokens.js';
import type { CheckoutOrdersTable, Database, OrdersTable } from './schema.js';

/** What a checkout command did, before it is rendered as an HTTP response. */
export type CheckoutOutcome = { kind: 'checkout'; created: boolean; checkout: CheckoutOrdersTable } | Refused;

export type CheckoutContext = KeyedRequest<CheckoutOutcome>;

export function checkoutStateOf(row: CheckoutOrdersTable): CheckoutState {
  return {
    status: row.status,
    aborted: row.aborted === 1,
    started_at: new Date(row.started_at),
    last_modified_at: new Date(row.last_modified_at),
    completed_at: row.completed_at === null ? null : new Date(row.completed_at),
  };
}

/** The columns of a checkout state, checked against the domain's invariants first (pair assertion). */
function stateColumns(state: CheckoutState) {
  const violations = checkoutStateViolations(state);
  if (violations.length > 0) throw new Error(`refusing to write an invalid checkout state: ${violations.join(', ')}`);
  return {
    status: state.status,
    aborted: state.aborted ? 1 : 0,
    last_modified_at: toKlarnaTimestamp(state.last_modified_at),
    completed_at: state.completed_at === null ? null : toKlarnaTimestamp(state.completed_at),
  };
}

/** The merchant's fields of a checkout order, as stored after validation. */
export function checkoutFieldsOf(row: CheckoutOrdersTable): CheckoutOrderFields {
  return JSON.parse(row.document) as CheckoutOrderFields;
}

export function createCheckout(store: Store, ctx: CheckoutContext, fields: CheckoutOrderFields): Promise<CommandResult<CheckoutOutcome>> {
  return inKeyedTransaction(store, ctx, async (db): Promise<{ outcome: CheckoutOutcome; writes: Compilable<unknown>[] }> => {
    const merchant = await db.selectFrom('merchants').select('clock_offset_seconds').where('merchant_id', '=', ctx.merchantId).executeTakeFirst();
    if (!merchant) throw new Error('authenticated merchant not found');
    const invalid = checkCheckoutOrder(fields);
    if (invalid) return { outcome: refused(invalid), writes: [] };
    const now = toKlarnaTimestamp(merchantClock(store, merchant.clock_offset_seconds).now);
    const checkout: CheckoutOrdersTable = {
      order_id: randomUUID(),
      merchant_id: ctx.merchantId,
      status: 'checkout_incomplete',
      aborted: 0,
      document: JSON.stringify(fields),
      started_at: now,
      last_modified_at: now,
      completed_at: null,
    };
    stateColumns(checkoutStateOf(checkout)); // the pair assertion, as for every checkout write
    return { outcome: { kind: 'checkout', created: true, checkout }, writes: [db.insertInto('checkout_orders').values(checkout)] };
  });
}

/** The checkout row with its merchant's clock offset: the merchant's own, or (merchantId undefined) any. */
function checkoutQuery(db: Kysely<Database>, orderId: string, merchantId: string | undefined) {
  const query = db
    .selectFrom('checkout_orders')
    .innerJoin('merchants', 'merchants.merchant_id', 'checkout_orders.merchant_id')
    .selectAll('checkout_orders')
    .select('merchants.clock_offset_seconds')
    .where('checkout_orders.order_id', '=', orderId);
  return merchantId === undefined ? query : query.where('checkout_orders.merchant_id', '=', merchantId);
}

/** On PostgreSQL the row stays locked until the transaction ends. */
function lockCheckoutQuery(db: Kysely<Database>, store: Store, orderId: string, merchantId: string | undefined) {
  return lockedRows(store, checkoutQuery(db, orderId, merchantId), 'checkout_orders');
}

type CheckoutDecision = (state: CheckoutState, fields: CheckoutOrderFields, now: Date) => Decision<{ next: CheckoutState; fields?: CheckoutOrderFields }>;

/** An update or abort: the locked checkout, the domain's decision, and the row as decided. */
function runCheckoutCommand(store: Store, ctx: CheckoutContext, orderIdParam: string, decide: CheckoutDecision): Promise<CommandResult<CheckoutOutcome>> {
  const orderId = orderIdParam.toLowerCase();
  return inKeyedTransaction(store, ctx, async (db): Promise<{ outcome: CheckoutOutcome; writes: Compilable<unknown>[] }> => {
    const locked = isOrderId(orderId) ? await lockCheckoutQuery(db, store, orderId, ctx.merchantId).executeTakeFirst() : undefined;
    if (!locked) return { outcome: refused(problems.noSuchOrder(orderIdParam)), writes: [] };
    const { clock_offset_seconds, ...checkout } = locked;
    const d = decide(checkoutStateOf(checkout), checkoutFieldsOf(checkout), merchantClock(store, clock_offset_seconds).now);
    if (!d.ok) return { outcome: refused(d), writes: [] };
    const changes = { ...stateColumns(d.value.next), ...(d.value.fields ? { document: JSON.stringify(d.value.fields) } : {}) };
    const writes: Compilable<unknown>[] = [db.updateTable('checkout_orders').set(changes).where('order_id', '=', checkout.order_id)];
    return { outcome: { kind: 'checkout', created: false, checkout: { ...checkout, ...changes } }, writes };
  });
}

export function updateCheckout(store: Store, ctx: CheckoutContext, orderId: string, update: Partial<CheckoutOrderFields>): Promise<CommandResult<CheckoutOutcome>> {
  return runCheckoutCommand(store, ctx, orderId, (state, fields, now) => {
    const d = decideCheckoutUpdate(state, fields, update, now);
    return d.ok ? accept({ next: d.value.next, fields: d.value.order }) : d;
  });
}

export function abortCheckout(store: Store, ctx: CheckoutContext, orderId: string): Promise<CommandResult<CheckoutOutcome>> {
  return runCheckoutCommand(store, ctx, orderId, (state, _fields, now) => decideCheckoutAbort(state, now));
}

export interface CheckoutReading {
  checkout: CheckoutOrdersTable;
  /** Now on the merchant's clock. */
  now: Date;
}

/** Where the checkout stands for the shopper now. */
export function phaseOf(reading: CheckoutReading): CheckoutPhase {
  return checkoutPhase(checkoutStateOf(reading.checkout), reading.now);
}

/** A checkout order by id: the merchant's own, or (merchantId undefined) any, for the shopper's page. */
export async function readCheckout(store: Store, orderIdParam: string, merchantId?: string): Promise<CheckoutReading | undefined> {
  const orderId = orderIdParam.toLowerCase();
  if (!isOrderId(orderId)) return undefined;
  const row = await checkoutQuery(store.reader, orderId, merchantId).executeTakeFirst();
  if (!row) return undefined;
  const { clock_offset_seconds, ...checkout } = row;
  return { checkout, now: merchantClock(store, clock_offset_seconds).now };
}

export interface Purchase {
  orderId: string;
  /** The merchant completing it through the sandbox API; undefined for the shopper's page. */
  merchantId?: string;
  outcome: AuthorizedOutcome;
  email?: string;
  pushDelaySeconds: number;
  correlationId: string;
  alsoInTransaction?: CompletionStep;
}

export type PurchaseResult = { ok: true; checkout: CheckoutOrdersTable } | { ok: false; problem: Problem };

/**
 * Work another feature does in a completion's transaction, once the checkout may be completed (a
 * Hosted Payment Page session marked paid): its writes, or a refusal that leaves everything unwritten.
 */
export type CompletionStep = (
  db: Kysely<Database>,
  completed: { now: Date; order: OrdersTable },
) => Promise<{ ok: true; writes: Compilable<unknown>[] } | { ok: false; problem: Problem }>;

/**
 * Completes a checkout in one transaction: the checkout row is locked and checked again (two
 * completions at once make one order), then it is marked complete and the Order Management order
 * with the same id is written (newOrderWrites, as the admin intake writes one), with its first push
 * and, for a pending purchase, the fraud decision due an hour later on the merchant's clock. Under
 * the lock nothing else can complete it; the order's primary key is the second half of that pair.
 */
export async function completeCheckout(store: Store, p: Purchase): Promise<PurchaseResult> {
  const orderId = p.orderId.toLowerCase();
  return inJobsTransaction(store, async (db): Promise<PurchaseResult> => {
    const locked = isOrderId(orderId) ? await lockCheckoutQuery(db, store, orderId, p.merchantId).executeTakeFirst() : undefined;
    if (!locked) return { ok: false, problem: problems.noSuchOrder(p.orderId) };
    const { clock_offset_seconds, ...checkout } = locked;
    const clock = merchantClock(store, clock_offset_seconds);
    const now = clock.now;
    const d = decideCheckoutCompletion(checkoutStateOf(checkout), p.outcome, now);
    if (!d.ok) return { ok: false, problem: d };
    const fields = checkoutFieldsOf(checkout);
    const merchantId = checkout.merchant_id;
    const bought: CheckoutOrderFields = { ...fields, ...purchaseAddresses(fields, p.email) };
    const token = bought.recurring === true ? newTokenWrites(db, merchantId, orderId, bought, clock) : undefined;
    const purchased: CheckoutOrderFields = token ? { ...bought, recurring_token: token.tokenId } : bought;
    const changes = { ...stateColumns(d.value.next), document: JSON.stringify(purchased) };
    const order = newOrderWrites(db, merchantId, orderIntakeOf(purchased, d.value.fraud_status), {
      clock,
      correlationId: p.correlationId,
      orderId,
      merchantUrls: purchased.merchant_urls,
    });
    const jobs: ScheduledJob[] = [firstPushJob(orderId, now, p.pushDelaySeconds)];
    const review = d.value.review;
    if (review) jobs.push({ kind: 'fraud_decision', orderId, payload: { decision: review.decision }, dueAt: review.due_at });
    const also = p.alsoInTransaction ? await p.alsoInTransaction(db, { now, order: order.row }) : { ok: true as const, writes: [] };
    if (!also.ok) return also;
    const writes = [
      db.updateTable('checkout_orders').set(changes).where('order_id', '=', orderId),
      ...order.writes,
      ...jobs.map((job) => jobInsert(db, merchantId, clock, job)),
      ...also.writes,
      ...(token?.writes ?? []),
    ];
    for (const write of writes) await db.executeQuery(write.compile());
    return { ok: true, checkout: { ...checkout, ...changes } };
  });
}

function orderIntakeOf(fields: CheckoutOrderFields, fraudStatus: 'ACCEPTED' | 'PENDING'): OrderIntake {
  return {
    purchase_country: fields.purchase_country,
    purchase_currency: fields.purchase_currency,
    locale: fields.locale,
    order_amount: fields.order_amount,
    order_tax_amount: fields.order_tax_amount,
    order_lines: fields.order_lines,
    billing_address: fields.billing_address,
    shipping_address: fields.shipping_address,
    customer: fields.customer,
    merchant_reference1: fields.merchant_reference1,
    merchant_reference2: fields.merchant_reference2,
    merchant_data: fields.merchant_data,
    fraud_status: fraudStatus,
  };
}
