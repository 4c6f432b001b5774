// The settlement transactions a capture or refund writes (CONTRACT §11), queued with the command's
// other writes so they commit in the same transaction: one INSERT statement per capture (its SALE
// and its FEEs) or refund (its RETURN). The merchant's fees come with the locked order row (two
// scalar subqueries in the lock statement), so writing them costs no read of its own.
import { sql, type Kysely } from 'kysely';
import { DEFAULT_SETTLEMENT_TERMS, captureTransactions, dayOf, nextPayoutRun, refundTransaction, type TransactionAmount } from '../domain/settlements.js';
import { toKlarnaTimestamp } from '../domain/time.js';
import type { MerchantClock } from './clock.js';
import { jobInsert } from './jobs.js';
import type { OrderTx } from './orderTx.js';
import type { Database, OrdersTable, SettlementTransactionsTable } from './schema.js';

/**
 * A merchant's first settlement: its terms row (the defaults) and its payout job, each written
 * only if absent (another transaction may be writing them too). Once the terms row exists, the
 * lock statement finds it and later captures and refunds skip this.
 */
export function ensureSettlementSetup(db: Kysely<Database>, merchantId: string, clock: MerchantClock, at: string) {
  return [
    db
      .insertInto('settlement_terms')
      .values({ merchant_id: merchantId, ...DEFAULT_SETTLEMENT_TERMS, updated_at: at })
      .onConflict((oc) => oc.column('merchant_id').doNothing()),
    payoutJobInsert(db, merchantId, clock),
  ];
}

/** The merchant's one payout job, due at the next 00:00 of its clock, unless it has one pending. */
export function payoutJobInsert(db: Kysely<Database>, merchantId: string, clock: MerchantClock) {
  return jobInsert(db, merchantId, clock, { kind: 'payout', payload: {}, dueAt: nextPayoutRun(clock.now) }).onConflict((oc) =>
    oc.column('merchant_id').where(sql.raw<boolean>(`kind = 'payout' and state = 'pending'`)).doNothing(),
  );
}

function shippingCountry(order: OrdersTable): string | null {
  if (!order.shipping_address) return null;
  try {
    const country = (JSON.parse(order.shipping_address) as { country?: unknown }).country;
    return typeof country === 'string' ? country : null;
  } catch {
    return null;
  }
}

type Source = Pick<SettlementTransactionsTable, 'capture_id' | 'refund_id' | 'capture_date' | 'merchant_capture_reference' | 'merchant_refund_reference'>;

function queueTransactions(tx: OrderTx, amounts: TransactionAmount[], source: Source): void {
  const order = tx.order;
  const common = {
    merchant_id: order.merchant_id,
    order_id: order.order_id,
    currency_code: order.purchase_currency,
    day: dayOf(tx.now),
    occurred_at: toKlarnaTimestamp(tx.now),
    short_order_id: order.klarna_reference,
    merchant_reference1: order.merchant_reference1,
    merchant_reference2: order.merchant_reference2,
    purchase_country: order.purchase_country,
    shipping_country: shippingCountry(order),
    payment_reference: null,
    payout_seq: null,
    ...source,
  };
  tx.write(tx.db.insertInto('settlement_transactions').values(amounts.map((a) => ({ ...common, ...a }))));
  if (tx.settlementFees === null) {
    for (const w of ensureSettlementSetup(tx.db, order.merchant_id, tx.clock, tx.now.toISOString())) tx.write(w);
  }
}

/** A capture's SALE and FEE transactions, in the capture's transaction. */
export function writeCaptureSettlement(tx: OrderTx, capture: { capture_id: string; captured_amount: number; reference: string | null }): void {
  const fees = tx.settlementFees ?? { fee_rate_bp: 0, fee_fixed: 0 };
  queueTransactions(tx, captureTransactions(capture.captured_amount, fees), {
    capture_id: capture.capture_id,
    refund_id: null,
    capture_date: toKlarnaTimestamp(tx.now),
    merchant_capture_reference: capture.reference,
    merchant_refund_reference: null,
  });
}

/** A refund's RETURN transaction, in the refund's transaction. Its capture: the one it was taken from, when only one. */
export function writeRefundSettlement(tx: OrderTx, refund: { refund_id: string; refunded_amount: number; reference: string | null; captureIds: string[] }): void {
  queueTransactions(tx, [refundTransaction(refund.refunded_amount)], {
    capture_id: refund.captureIds.length === 1 ? refund.captureIds[0]! : null,
    refund_id: refund.refund_id,
    capture_date: null,
    merchant_capture_reference: null,
    merchant_refund_reference: refund.reference,
  });
}
