// How settlements are shown (CONTRACT §11, Klarna's Settlements API shapes): a payout, a
// transaction, the summary per currency, and the CSV reports, whose rows carry exactly the
// transactions' JSON amounts (both come from transactionJson).
import type { ApiProfile } from '../domain/decisions.js';
import { csvText, summedTotals, type PayoutTotals } from '../domain/settlements.js';
import type { PayoutRow, TransactionRow } from '../store/settlementReads.js';

export function payoutJson(p: PayoutRow) {
  return {
    totals: p.totals,
    payment_reference: p.payment_reference,
    payout_date: p.payout_date,
    currency_code: p.currency_code,
    currency_code_of_registration_country: p.currency_code,
    merchant_settlement_type: 'NET' as const,
    merchant_id: p.merchant_id,
  };
}

/** A transaction as Klarna lists it; under the kustom profile without the deprecated installment fields. */
export function transactionJson(t: TransactionRow, profile: ApiProfile) {
  return {
    amount: t.amount,
    capture_id: t.capture_id,
    merchant_reference1: t.merchant_reference1,
    sale_date: t.occurred_at,
    type: t.type,
    capture_date: t.capture_date,
    payment_reference: t.payment_reference,
    order_id: t.order_id,
    payout: t.payout_date,
    refund_id: t.refund_id,
    short_order_id: t.short_order_id,
    merchant_reference2: t.merchant_reference2,
    currency_code: t.currency_code,
    purchase_country: t.purchase_country,
    vat_rate: null,
    vat_amount: null,
    shipping_country: t.shipping_country,
    initial_payment_method_type: null,
    ...(profile === 'klarna' ? { initial_number_of_installments: null, initial_payment_method_monthly_downpayments: null } : {}),
    merchant_capture_reference: t.merchant_capture_reference,
    merchant_refund_reference: t.merchant_refund_reference,
    detailed_type: t.detailed_type,
  };
}

export type TransactionJson = ReturnType<typeof transactionJson>;

/** The summary: one entry per currency, its payouts' totals summed, and the range of their dates. */
export function summaryJson(payouts: readonly PayoutRow[]) {
  const byCurrency = new Map<string, PayoutRow[]>();
  for (const p of payouts) byCurrency.set(p.currency_code, [...(byCurrency.get(p.currency_code) ?? []), p]);
  return [...byCurrency].map(([currency, list]) => {
    const totals = summedTotals(list.map((p) => p.totals));
    const summary: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(totals) as [keyof PayoutTotals, number][]) summary[`summary_total_${key}`] = value;
    const dates = list.map((p) => p.payout_date).sort();
    return { ...summary, summary_settlement_currency: currency, summary_payout_date_start: dates[0]!, summary_payout_date_end: dates.at(-1)! };
  });
}

/** The CSV report: a header row of the transaction fields, one row per transaction, CRLF line ends. */
export function transactionsCsv(rows: readonly TransactionJson[], profile: ApiProfile): string {
  const header = Object.keys(transactionJson(EMPTY_ROW, profile));
  const lines = [header.join(',')];
  for (const row of rows) {
    const cells = header.map((key) => {
      const value = (row as Record<string, unknown>)[key];
      if (value === null || value === undefined) return '';
      return typeof value === 'number' ? String(value) : csvText(String(value));
    });
    lines.push(cells.join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

const EMPTY_ROW: TransactionRow = {
  transaction_id: 0,
  merchant_id: '',
  order_id: '',
  capture_id: null,
  refund_id: null,
  type: 'SALE',
  detailed_type: 'PURCHASE',
  amount: 0,
  currency_code: '',
  day: '',
  occurred_at: '',
  capture_date: null,
  short_order_id: '',
  merchant_reference1: null,
  merchant_reference2: null,
  merchant_capture_reference: null,
  merchant_refund_reference: null,
  purchase_country: '',
  shipping_country: null,
  payment_reference: null,
  payout_seq: null,
  payout_date: null,
};
