// Customer tokens (CONTRACT §12): made by a completed recurring checkout (in the checkout's
// completion transaction), read, cancelled, suspended in the sandbox, and charged with new orders.
// Every change runs under the request's idempotency key with the token row locked; the domain
// (domain/customerTokens.ts) decides, and this file writes what it decided.
import { randomUUID } from 'node:crypto';
import type { Compilable, Kysely } from 'kysely';
import type { CheckoutOrderFields } from '../domain/checkout.js';
import {
  checkTokenOrder,
  decideSandboxTokenStatus,
  decideTokenCancel,
  decideTokenOrder,
  SANDBOX_PAYMENT_METHOD_TYPE,
  tokenProblems,
  type SandboxTokenStatus,
  type TokenDecision,
  type TokenStatus,
} from '../domain/customerTokens.js';
import type { Problem } from '../domain/errorCodes.js';
import type { FraudStatus } from '../domain/order.js';
import type { OrderLineAmounts } from '../domain/orderLines.js';
import { merchantClock, type MerchantClock } from './clock.js';
import { lockedRows, type Store } from './dialect.js';
import { inKeyedTransaction, type KeyedRequest } from './idempotency.js';
import { signalJobsDue } from './jobs.js';
import { assertTokenStatus, tokenStatusWrites, tokenWebhook } from './tokenWrites.js';
import { createCapture } from './orderCommands.js';
import { isUuid, newOrderWrites, type OrderIntake } from './orders.js';
import { orderTx, type JobsWritten } from './orderTx.js';
import { readSettlementFees } from './settlementFees.js';
import { refused, type CommandResult, type Refused } from './outcome.js';
import type { CustomerTokensTable, Database } from './schema.js';

type Json = Record<string, unknown>;

/** What a token command did, before it is rendered as an HTTP response. */
export type TokenOutcome = { kind: 'token_order'; orderId: string; fraudStatus: FraudStatus } | { kind: 'token_changed' } | Refused;

export type TokenContext = KeyedRequest<TokenOutcome> & { correlationId: string };

const jsonOrNull = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
const parsed = (text: string | null): Json | undefined => (text === null ? undefined : (JSON.parse(text) as Json));

/** What a new token holds of the purchase that made it: a recurring checkout, or a Klarna Payments authorization. */
export type TokenOriginFields = Pick<CheckoutOrderFields, 'purchase_country' | 'purchase_currency' | 'locale' | 'recurring_description'> & {
  billing_address?: object;
  shipping_address?: object;
  customer?: object;
};

/**
 * The writes of a new ACTIVE token and its openom.customer_token.created webhook, sent in the
 * transaction of what makes it: a recurring checkout's completion (so a completed recurring checkout
 * always has its token, and a failed one none), or POST /payments/v1/authorizations/{token}/customer-token.
 * originId is what made it (the checkout order, or the authorization token).
 */
export function newTokenWrites(db: Kysely<Database>, merchantId: string, originId: string, fields: TokenOriginFields, clock: MerchantClock) {
  const at = clock.now.toISOString();
  const token: CustomerTokensTable = {
    token_id: randomUUID(),
    merchant_id: merchantId,
    status: assertTokenStatus('ACTIVE'),
    payment_method_type: SANDBOX_PAYMENT_METHOD_TYPE,
    description: fields.recurring_description ?? null,
    origin_order_id: originId,
    purchase_country: fields.purchase_country,
    purchase_currency: fields.purchase_currency,
    locale: fields.locale,
    billing_address: jsonOrNull(fields.billing_address),
    shipping_address: jsonOrNull(fields.shipping_address),
    customer: jsonOrNull(fields.customer),
    created_at: at,
    updated_at: at,
  };
  return { tokenId: token.token_id, writes: [db.insertInto('customer_tokens').values(token), tokenWebhook(db, token, 'openom.customer_token.created', clock.now, clock.toRealMs(clock.now))] };
}

function tokenQuery(db: Kysely<Database>, merchantId: string, tokenId: string) {
  return db
    .selectFrom('customer_tokens')
    .innerJoin('merchants', 'merchants.merchant_id', 'customer_tokens.merchant_id')
    .selectAll('customer_tokens')
    .select('merchants.clock_offset_seconds')
    .where('customer_tokens.token_id', '=', tokenId)
    .where('customer_tokens.merchant_id', '=', merchantId);
}

type LockedToken = CustomerTokensTable & { clock_offset_seconds: number };

/** What a token command sees: its token, locked (PostgreSQL FOR UPDATE; SQLite: the one writer), and the merchant's clock. */
interface TokenTx {
  db: Kysely<Database>;
  token: CustomerTokensTable;
  clockOffsetSeconds: number;
  clock: MerchantClock;
  writes: Compilable<unknown>[];
  jobs: JobsWritten;
}

/**
 * Runs a token command under the request's key with the token locked; another merchant's token
 * is answered as an unknown one (`missing`). Wakes the worker once the writes are committed.
 */
async function runTokenCommand(
  store: Store,
  ctx: TokenContext,
  tokenParam: string,
  missing: Problem,
  command: (tx: TokenTx) => Promise<TokenOutcome>,
): Promise<CommandResult<TokenOutcome>> {
  const tokenId = tokenParam.toLowerCase();
  const jobs: JobsWritten = { any: false };
  const result = await inKeyedTransaction(store, ctx, async (db) => {
    const locked = isUuid(tokenId) ? await lockedRows(store, tokenQuery(db, ctx.merchantId, tokenId), 'customer_tokens').executeTakeFirst() : undefined;
    if (!locked) return { outcome: refused(missing), writes: [] };
    const { clock_offset_seconds, ...token } = locked as LockedToken;
    const writes: Compilable<unknown>[] = [];
    const outcome = await command({ db, token, clockOffsetSeconds: clock_offset_seconds, clock: merchantClock(store, clock_offset_seconds), writes, jobs });
    return { outcome, writes: outcome.kind === 'refused' ? [] : writes };
  });
  if (jobs.any) signalJobsDue(store);
  return result;
}

function statusChange(decide: (status: TokenStatus, tokenId: string) => TokenDecision<{ next: TokenStatus; changed: boolean }>) {
  return async (tx: TokenTx): Promise<TokenOutcome> => {
    const d = decide(tx.token.status, tx.token.token_id);
    if (!d.ok) return refused(d.problem);
    if (!d.value.changed) return { kind: 'token_changed' };
    tx.jobs.any = true;
    tx.writes.push(...tokenStatusWrites(tx.db, tx.token, d.value.next, tx.clock.now, tx.clock.toRealMs(tx.clock.now)));
    return { kind: 'token_changed' };
  };
}

/** The merchant's cancellation (PATCH …/status): final. */
export function cancelToken(store: Store, ctx: TokenContext, tokenParam: string): Promise<CommandResult<TokenOutcome>> {
  return runTokenCommand(store, ctx, tokenParam, tokenProblems.invalidToken(), statusChange(decideTokenCancel));
}

/** The sandbox's suspension or reactivation. */
export function setSandboxTokenStatus(store: Store, ctx: TokenContext, tokenParam: string, target: SandboxTokenStatus): Promise<CommandResult<TokenOutcome>> {
  return runTokenCommand(store, ctx, tokenParam, tokenProblems.invalidToken(), statusChange((status, id) => decideSandboxTokenStatus(status, target, id)));
}

export interface TokenOrderRequest {
  purchase_currency: string;
  order_amount: number;
  order_tax_amount: number;
  order_lines: (OrderLineAmounts & Json)[];
  auto_capture?: boolean;
  merchant_reference1?: string;
  merchant_reference2?: string;
  merchant_data?: string;
  merchant_urls?: { confirmation?: string; push?: string };
  shipping_address?: Json & { country?: string };
  locale?: string;
}

/**
 * An order paid with the token: an Order Management order for the token's customer, written as
 * every new order is (newOrderWrites: the invariants asserted, its event, webhook and expiry job),
 * with the token locked. With auto_capture the whole amount is captured by the ordinary capture
 * command, run on the new order in the same transaction (the row is this transaction's own until
 * it commits, so nothing else can reach it), with its event and webhook.
 */
export function placeTokenOrder(store: Store, ctx: TokenContext, tokenParam: string, req: TokenOrderRequest): Promise<CommandResult<TokenOutcome>> {
  return runTokenCommand(store, ctx, tokenParam, tokenProblems.tokenNotFound(tokenParam), async (tx) => {
    const { token } = tx;
    const allowed = decideTokenOrder(token.status, token.token_id);
    if (!allowed.ok) return refused(allowed.problem);
    const intake: OrderIntake = {
      purchase_country: token.purchase_country,
      purchase_currency: req.purchase_currency,
      locale: req.locale ?? token.locale,
      order_amount: req.order_amount,
      order_tax_amount: req.order_tax_amount,
      order_lines: req.order_lines,
      billing_address: parsed(token.billing_address),
      shipping_address: req.shipping_address ?? parsed(token.shipping_address),
      customer: parsed(token.customer),
      merchant_reference1: req.merchant_reference1,
      merchant_reference2: req.merchant_reference2,
      merchant_data: req.merchant_data,
      // The order says how it was paid, as Klarna's orders do: with the token's payment method.
      initial_payment_method: { type: token.payment_method_type, description: 'Customer token' },
      fraud_status: 'ACCEPTED',
    };
    const invalid = checkTokenOrder({
      purchase_country: token.purchase_country,
      purchase_currency: req.purchase_currency,
      order_amount: req.order_amount,
      order_tax_amount: req.order_tax_amount,
      order_lines: req.order_lines,
      shipping_address: req.shipping_address,
    });
    if (invalid) return refused(invalid);
    const order = newOrderWrites(tx.db, token.merchant_id, intake, { clock: tx.clock, correlationId: ctx.correlationId, merchantUrls: req.merchant_urls ?? null });
    tx.jobs.any = true;
    tx.writes.push(
      ...order.writes,
      tx.db.insertInto('customer_token_orders').values({ order_id: order.row.order_id, merchant_id: token.merchant_id, token_id: token.token_id, created_at: tx.clock.now.toISOString() }),
    );
    if (req.auto_capture === true) {
      const orderCtx = { merchantId: token.merchant_id, correlationId: ctx.correlationId };
      const capture = await createCapture({ captured_amount: order.row.order_amount })(orderTx(store, orderCtx, tx.db, { ...order.row, clock_offset_seconds: tx.clockOffsetSeconds, ...(await readSettlementFees(tx.db, token.merchant_id)) }, tx.writes, tx.jobs));
      // A new, accepted order can always be captured in full: a refusal here is a defect, not an answer.
      if (capture.kind === 'refused') throw new Error(`auto_capture of a new token order refused: ${capture.problem.message}`);
    }
    return { kind: 'token_order', orderId: order.row.order_id, fraudStatus: order.row.fraud_status };
  });
}

/** The merchant's own token by id, as it is now; undefined for an unknown or another merchant's. */
export async function readToken(store: Store, merchantId: string, tokenParam: string): Promise<CustomerTokensTable | undefined> {
  const tokenId = tokenParam.toLowerCase();
  if (!isUuid(tokenId)) return undefined;
  return store.reader.selectFrom('customer_tokens').selectAll().where('token_id', '=', tokenId).where('merchant_id', '=', merchantId).executeTakeFirst();
}

export type TokenListRow = Pick<CustomerTokensTable, 'token_id' | 'status' | 'payment_method_type' | 'description' | 'origin_order_id' | 'purchase_currency' | 'created_at'> & {
  order_count: number;
};

/** The merchant's tokens, newest first, with how many orders each has paid (the portal's list). */
export async function listTokens(store: Store, merchantId: string, limit = 100): Promise<TokenListRow[]> {
  const rows = await store.reader
    .selectFrom('customer_tokens as t')
    .select(['t.token_id', 't.status', 't.payment_method_type', 't.description', 't.origin_order_id', 't.purchase_currency', 't.created_at'])
    .select((eb) =>
      eb
        .selectFrom('customer_token_orders as o')
        .select((c) => c.fn.countAll<number>().as('n'))
        .whereRef('o.token_id', '=', 't.token_id')
        .where('o.merchant_id', '=', merchantId)
        .as('order_count'),
    )
    .where('t.merchant_id', '=', merchantId)
    .orderBy('t.created_at', 'desc')
    .orderBy('t.token_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, order_count: Number(r.order_count ?? 0) }));
}

/** How an order relates to a token: the checkout that made it, or an order paid with it. */
export interface OrderToken {
  token_id: string;
  status: TokenStatus;
  role: 'created' | 'paid';
}

/** The token an order made or was paid with, if any (the portal's order page), read on db (the page's snapshot). */
export async function tokenOfOrder(db: Kysely<Database>, merchantId: string, orderId: string): Promise<OrderToken | undefined> {
  const made = await db
    .selectFrom('customer_tokens')
    .select(['token_id', 'status'])
    .where('merchant_id', '=', merchantId)
    .where('origin_order_id', '=', orderId)
    .executeTakeFirst();
  if (made) return { ...made, role: 'created' };
  const paid = await db
    .selectFrom('customer_token_orders as o')
    .innerJoin('customer_tokens as t', 't.token_id', 'o.token_id')
    .select(['t.token_id', 't.status'])
    .where('o.merchant_id', '=', merchantId)
    .where('o.order_id', '=', orderId)
    .executeTakeFirst();
  return paid && { ...paid, role: 'paid' };
}
