// Settlements (CONTRACT §11): the money rules of the derived read model of the ledger. Pure: the
// store writes the transactions these functions describe and forms payouts as they group them.
import { DAY_MS } from './time.js';

/** A merchant's settlement terms; a merchant that never set any has DEFAULT_SETTLEMENT_TERMS. */
export interface SettlementTerms {
  /** Percentage fee on each capture, in basis points (100 = 1 %), 0..10000. */
  fee_rate_bp: number;
  /** Fixed fee on each capture, in minor units. */
  fee_fixed: number;
  /** Days between a transaction's day and its payout's date, 0..60. */
  payout_delay_days: number;
}

export const DEFAULT_SETTLEMENT_TERMS: SettlementTerms = { fee_rate_bp: 0, fee_fixed: 0, payout_delay_days: 7 };
export const MAX_FEE_RATE_BP = 10_000;
export const MAX_PAYOUT_DELAY_DAYS = 60;
/** A fixed fee is money: bounded as amounts are (Klarna's 200 000 000). */
export const MAX_FEE_FIXED = 200_000_000;

export type TransactionType = 'SALE' | 'RETURN' | 'FEE';
export type DetailedType = 'PURCHASE' | 'PURCHASE_RETURN' | 'PURCHASE_FEE_PERCENTAGE' | 'PURCHASE_FEE_FIXED';

/** One settlement transaction's money: signed from the merchant's side (a sale adds, a return or fee takes). */
export interface TransactionAmount {
  type: TransactionType;
  detailed_type: DetailedType;
  amount: number;
}

/**
 * The percentage fee of a captured amount. Rounding rule: half up to the minor unit
 * (amount × bp / 10 000, a remainder of exactly half a minor unit rounds up), in integers only:
 * amount ≤ 200 000 000 and bp ≤ 10 000 keep the product below 2^53.
 */
export function percentageFee(capturedAmount: number, feeRateBp: number): number {
  return Math.floor((capturedAmount * feeRateBp + 5_000) / 10_000);
}

/**
 * The transactions a capture makes: one SALE of the captured amount, and one FEE per fee the
 * merchant has (percentage, fixed), each written as minus the fee. A fee is never skipped because
 * it exceeds the sale: a payout may then be negative (§11).
 */
export function captureTransactions(capturedAmount: number, terms: Pick<SettlementTerms, 'fee_rate_bp' | 'fee_fixed'>): TransactionAmount[] {
  const rows: TransactionAmount[] = [{ type: 'SALE', detailed_type: 'PURCHASE', amount: capturedAmount }];
  const percentage = percentageFee(capturedAmount, terms.fee_rate_bp);
  if (percentage > 0) rows.push({ type: 'FEE', detailed_type: 'PURCHASE_FEE_PERCENTAGE', amount: -percentage });
  if (terms.fee_fixed > 0) rows.push({ type: 'FEE', detailed_type: 'PURCHASE_FEE_FIXED', amount: -terms.fee_fixed });
  return rows;
}

/** The transaction a refund makes: one RETURN of minus the refunded amount (fees are not refunded). */
export function refundTransaction(refundedAmount: number): TransactionAmount {
  return { type: 'RETURN', detailed_type: 'PURCHASE_RETURN', amount: -refundedAmount };
}

/** The day (YYYY-MM-DD, UTC) of a time on the merchant's clock: a transaction's day. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function addDays(day: string, days: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

/** A payout's date: its transactions' day + payout_delay_days. */
export function payoutDateOf(day: string, payoutDelayDays: number): string {
  return addDays(day, payoutDelayDays);
}

/**
 * When the payout of a day's transactions falls due, on the merchant's clock: 00:00 UTC of its
 * payout date, or of the next day with a delay of 0 (a day's transactions are all known only once
 * the day has ended).
 */
export function payoutDueAt(day: string, payoutDelayDays: number): Date {
  return new Date(`${addDays(day, Math.max(1, payoutDelayDays))}T00:00:00Z`);
}

/** The latest transaction day whose payout is due at `now` (merchant clock): every day up to it is due. */
export function lastDueDay(now: Date, payoutDelayDays: number): string {
  return addDays(dayOf(now), -Math.max(1, payoutDelayDays));
}

/** The next 00:00 UTC after `now` on the merchant's clock: when payouts next fall due. */
export function nextPayoutRun(now: Date): Date {
  return new Date(`${addDays(dayOf(now), 1)}T00:00:00Z`);
}

/**
 * A payout's totals as Klarna lists them, as magnitudes (0 where OpenOM has none), and
 * settlement_amount, the sum of its transactions' signed amounts.
 */
export interface PayoutTotals {
  commission_amount: number;
  repay_amount: number;
  sale_amount: number;
  holdback_amount: number;
  tax_amount: number;
  settlement_amount: number;
  fee_correction_amount: number;
  reversal_amount: number;
  release_amount: number;
  return_amount: number;
  fee_amount: number;
  charge_amount: number;
  credit_amount: number;
  deposit_amount: number;
}

/** The totals of a set of transactions, given as sums of signed amounts per type. */
export function payoutTotals(sums: readonly { type: TransactionType; amount: number }[]): PayoutTotals {
  const of = (type: TransactionType) => sums.filter((s) => s.type === type).reduce((sum, s) => sum + s.amount, 0);
  const sale = of('SALE');
  const returns = of('RETURN');
  const fees = of('FEE');
  return {
    commission_amount: 0,
    repay_amount: 0,
    sale_amount: sale,
    holdback_amount: 0,
    tax_amount: 0,
    settlement_amount: sale + returns + fees,
    fee_correction_amount: 0,
    reversal_amount: 0,
    release_amount: 0,
    return_amount: -returns,
    fee_amount: -fees,
    charge_amount: 0,
    credit_amount: 0,
    deposit_amount: 0,
  };
}

/** The payouts summary's totals for one currency: the sums of its payouts' totals. */
export function summedTotals(totals: readonly PayoutTotals[]): PayoutTotals {
  const sum = payoutTotals([]);
  for (const t of totals) for (const key of Object.keys(sum) as (keyof PayoutTotals)[]) sum[key] += t[key];
  return sum;
}

/**
 * Text safe to put in a CSV cell that a spreadsheet opens: a cell starting with = + - @ (or a tab
 * or carriage return) would run as a formula, so it gets a leading apostrophe (OWASP's advice).
 * Numbers are written as numbers and never pass through here, so negative amounts stay numbers.
 */
export function csvText(value: string): string {
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** A date parameter (YYYY-MM-DD or a full ISO date-time), or undefined when it is not one. */
export function parseDateParameter(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text)) return undefined;
  const at = new Date(text.length === 10 ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(at.getTime())) return undefined;
  // 2026-02-31 rolls over in Date: refuse it rather than read another day.
  if (at.toISOString().slice(0, 10) !== text.slice(0, 10) && text.length === 10) return undefined;
  return at;
}

/** The data of an openom.payout.created webhook. */
export interface PayoutEventData {
  payment_reference: string;
  currency_code: string;
  payout_date: string;
  settlement_amount: number;
}
