// Reading settlements (CONTRACT §11): a merchant's payouts, their summary per currency, and its
// transactions, page by page; and setting a merchant's terms. Every query is bounded by merchant_id
// first, so another merchant's payout reads exactly as an unknown one.
import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import { toKlarnaTimestamp } from '../domain/time.js';
import { DEFAULT_SETTLEMENT_TERMS, type PayoutTotals, type SettlementTerms } from '../domain/settlements.js';
import { inWriteTransaction, type Store } from './dialect.js';
import { merchantClock } from './clock.js';
import type { Database, PayoutsTable, SettlementTransactionsTable } from './schema.js';
import { payoutJobInsert } from './settlementWrites.js';

export interface Page {
  size: number;
  offset: number;
}

/** Payout dates are 00:00 UTC: a range is of date-times, both ends included. */
export interface DateRange {
  start?: Date;
  end?: Date;
}

export interface PayoutRow {
  payment_reference: string;
  merchant_id: string;
  currency_code: string;
  payout_date: string;
  totals: PayoutTotals;
  transaction_count: number;
}

export type TransactionRow = Selectable<SettlementTransactionsTable> & { payout_date: string | null };

function payoutRow(row: PayoutsTable): PayoutRow {
  return {
    payment_reference: row.payment_reference,
    merchant_id: row.merchant_id,
    currency_code: row.currency_code,
    payout_date: row.payout_date,
    totals: JSON.parse(row.totals) as PayoutTotals,
    transaction_count: Number(row.transaction_count),
  };
}

const iso = toKlarnaTimestamp;

function inRange<O>(query: SelectQueryBuilder<Database, 'payouts', O>, range: DateRange): SelectQueryBuilder<Database, 'payouts', O> {
  let q = query;
  if (range.start) q = q.where('payout_date', '>=', iso(range.start));
  if (range.end) q = q.where('payout_date', '<=', iso(range.end));
  return q;
}

/** One page of the merchant's payouts, newest payout_date first, and how many match in all. */
export async function listPayouts(store: Store, merchantId: string, filter: DateRange & { currency?: string }, page: Page): Promise<{ payouts: PayoutRow[]; total: number }> {
  let base = inRange(store.reader.selectFrom('payouts').where('merchant_id', '=', merchantId), filter);
  if (filter.currency) base = base.where('currency_code', '=', filter.currency);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('payout_date', 'desc').orderBy('currency_code').limit(page.size).offset(page.offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { payouts: rows.map(payoutRow), total: Number(count.n) };
}

export async function findPayout(store: Store, merchantId: string, paymentReference: string): Promise<PayoutRow | undefined> {
  const row = await store.reader.selectFrom('payouts').selectAll().where('merchant_id', '=', merchantId).where('payment_reference', '=', paymentReference).executeTakeFirst();
  return row && payoutRow(row);
}

/** The merchant's payouts in a range grouped per currency (for the summary), oldest first. */
export async function payoutsInRange(store: Store, merchantId: string, filter: DateRange & { currency?: string }): Promise<PayoutRow[]> {
  let q = inRange(store.reader.selectFrom('payouts').selectAll().where('merchant_id', '=', merchantId), filter);
  if (filter.currency) q = q.where('currency_code', '=', filter.currency);
  return (await q.orderBy('payout_date').orderBy('currency_code').execute()).map(payoutRow);
}

/** A payout's transactions, an order's, or the merchant's in a range of sale dates (both ends included). */
export type TransactionFilter = { payment_reference: string } | { order_id: string } | { range: DateRange };

function transactionsOf(db: Kysely<Database>, merchantId: string, filter: TransactionFilter) {
  const q = db.selectFrom('settlement_transactions as t').where('t.merchant_id', '=', merchantId);
  if ('payment_reference' in filter) return q.where('t.payment_reference', '=', filter.payment_reference);
  if ('order_id' in filter) return q.where('t.order_id', '=', filter.order_id);
  const { start, end } = filter.range;
  return q.$if(start !== undefined, (w) => w.where('t.occurred_at', '>=', iso(start!))).$if(end !== undefined, (w) => w.where('t.occurred_at', '<=', iso(end!)));
}

/**
 * One page of the merchant's transactions in the order they were written, and how many match. A
 * payout's count is stored with it (it never changes), so its pages count nothing.
 */
export async function listTransactions(store: Store, merchantId: string, filter: TransactionFilter, page: Page): Promise<{ transactions: TransactionRow[]; total: number }> {
  const base = transactionsOf(store.reader, merchantId, filter);
  // A payout's rows are numbered: its page at any offset is one index range, not a walk past the offset.
  const paged =
    'payment_reference' in filter
      ? withPayoutDate(base).where('t.payout_seq', '>', page.offset).orderBy('t.payout_seq').limit(page.size)
      : withPayoutDate(base).orderBy('t.transaction_id').limit(page.size).offset(page.offset);
  const [rows, total] = await Promise.all([paged.execute(), countOf(store, merchantId, filter)]);
  return { transactions: rows.map(transactionRow), total };
}

async function countOf(store: Store, merchantId: string, filter: TransactionFilter): Promise<number> {
  if ('payment_reference' in filter) return (await findPayout(store, merchantId, filter.payment_reference))?.transaction_count ?? 0;
  const row = await transactionsOf(store.reader, merchantId, filter)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function withPayoutDate<O>(q: SelectQueryBuilder<Database & { t: SettlementTransactionsTable }, 't', O>) {
  return q
    .selectAll('t')
    .select((eb) => eb.selectFrom('payouts as p').select('p.payout_date').whereRef('p.payment_reference', '=', 't.payment_reference').as('payout_date'));
}

function transactionRow(row: TransactionRow): TransactionRow {
  return { ...row, transaction_id: Number(row.transaction_id), amount: Number(row.amount) };
}

/** Every transaction of the given payouts (for the CSV reports), payout by payout, in written order. */
export async function transactionsOfPayouts(store: Store, merchantId: string, paymentReferences: readonly string[]): Promise<TransactionRow[]> {
  if (paymentReferences.length === 0) return [];
  const ofMerchant = store.reader.selectFrom('settlement_transactions as t').where('t.merchant_id', '=', merchantId);
  // One payout (the usual report) by `=`, so the index gives the rows in order without a sort.
  const ofPayouts = paymentReferences.length === 1 ? ofMerchant.where('t.payment_reference', '=', paymentReferences[0]!) : ofMerchant.where('t.payment_reference', 'in', paymentReferences);
  const rows = await withPayoutDate(ofPayouts)
    .orderBy('t.payment_reference')
    .orderBy('t.payout_seq')
    .execute();
  return rows.map(transactionRow);
}

export async function settlementTermsOf(store: Store, merchantId: string): Promise<SettlementTerms> {
  const row = await store.db.selectFrom('settlement_terms').select(['fee_rate_bp', 'fee_fixed', 'payout_delay_days']).where('merchant_id', '=', merchantId).executeTakeFirst();
  return row ? { fee_rate_bp: Number(row.fee_rate_bp), fee_fixed: Number(row.fee_fixed), payout_delay_days: Number(row.payout_delay_days) } : DEFAULT_SETTLEMENT_TERMS;
}

/**
 * Sets a merchant's terms (the fields given; the others kept) and makes sure it has its payout
 * job. New fees apply to captures from now on; a new delay to payouts not yet formed.
 */
export async function setSettlementTerms(store: Store, merchantId: string, change: Partial<SettlementTerms>): Promise<SettlementTerms> {
  return inWriteTransaction(store, async (db) => {
    const merchant = await db.selectFrom('merchants').select('clock_offset_seconds').where('merchant_id', '=', merchantId).executeTakeFirstOrThrow();
    const clock = merchantClock(store, merchant.clock_offset_seconds);
    const current = await db.selectFrom('settlement_terms').select(['fee_rate_bp', 'fee_fixed', 'payout_delay_days']).where('merchant_id', '=', merchantId).executeTakeFirst();
    const terms: SettlementTerms = {
      fee_rate_bp: change.fee_rate_bp ?? Number(current?.fee_rate_bp ?? DEFAULT_SETTLEMENT_TERMS.fee_rate_bp),
      fee_fixed: change.fee_fixed ?? Number(current?.fee_fixed ?? DEFAULT_SETTLEMENT_TERMS.fee_fixed),
      payout_delay_days: change.payout_delay_days ?? Number(current?.payout_delay_days ?? DEFAULT_SETTLEMENT_TERMS.payout_delay_days),
    };
    const at = clock.now.toISOString();
    await db
      .insertInto('settlement_terms')
      .values({ merchant_id: merchantId, ...terms, updated_at: at })
      .onConflict((oc) => oc.column('merchant_id').doUpdateSet({ ...terms, updated_at: at }))
      .execute();
    await payoutJobInsert(db, merchantId, clock).execute();
    return terms;
  });
}
