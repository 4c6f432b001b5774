// The ledger check's settlement invariants (CONTRACT §11), over one snapshot: per order, the SALE
// transactions add up to captured_amount and the RETURNs to minus refunded_amount; every payout's
// stored totals, settlement_amount and count equal its transactions; every paid transaction's
// payout exists with its merchant, currency and day (a transaction holds one payment_reference, so
// it can be in no second payout), numbered 1..n in it; and no transaction is left unpaid on a day already paid out.
import { sql, type Kysely } from 'kysely';
import { payoutTotals, type PayoutTotals, type TransactionType } from '../domain/settlements.js';
import type { Database } from './schema.js';

export interface SettlementViolation {
  rule: string;
  detail: string;
  order_id?: string;
}

export async function checkSettlements(db: Kysely<Database>): Promise<SettlementViolation[]> {
  const v: SettlementViolation[] = [];
  const perOrder = await db
    .selectFrom('orders as o')
    .select(['o.order_id', 'o.captured_amount', 'o.refunded_amount'])
    .select(sql<string>`coalesce((select sum(t.amount) from settlement_transactions t where t.order_id = o.order_id and t.type = 'SALE'), 0)`.as('sales'))
    .select(sql<string>`coalesce((select sum(t.amount) from settlement_transactions t where t.order_id = o.order_id and t.type = 'RETURN'), 0)`.as('returns'))
    .execute();
  for (const o of perOrder) {
    if (Number(o.sales) !== Number(o.captured_amount)) v.push({ order_id: o.order_id, rule: 'settlement_sales', detail: `SALE transactions ${o.sales} != captured_amount ${o.captured_amount}` });
    if (-Number(o.returns) !== Number(o.refunded_amount)) v.push({ order_id: o.order_id, rule: 'settlement_returns', detail: `RETURN transactions ${o.returns} != -refunded_amount ${o.refunded_amount}` });
  }

  const payouts = await db.selectFrom('payouts').selectAll().execute();
  const sums = await db
    .selectFrom('settlement_transactions')
    .select(['payment_reference', 'type', sql<string>`sum(amount)`.as('amount'), sql<string>`count(*)`.as('count')])
    .where('payment_reference', 'is not', null)
    .groupBy(['payment_reference', 'type'])
    .execute();
  const byPayout = new Map<string, { type: TransactionType; amount: number; count: number }[]>();
  for (const s of sums) byPayout.set(s.payment_reference!, [...(byPayout.get(s.payment_reference!) ?? []), { type: s.type, amount: Number(s.amount), count: Number(s.count) }]);
  for (const p of payouts) {
    const rows = byPayout.get(p.payment_reference) ?? [];
    byPayout.delete(p.payment_reference);
    const expected = payoutTotals(rows);
    const stored = JSON.parse(p.totals) as PayoutTotals;
    for (const key of Object.keys(expected) as (keyof PayoutTotals)[]) {
      if (stored[key] !== expected[key]) v.push({ rule: 'payout_totals', detail: `payout ${p.payment_reference} ${key} ${stored[key]} != transactions ${expected[key]}` });
    }
    if (Number(p.settlement_amount) !== expected.settlement_amount) v.push({ rule: 'payout_settlement_amount', detail: `payout ${p.payment_reference} settlement_amount ${p.settlement_amount} != ${expected.settlement_amount}` });
    const count = rows.reduce((n, r) => n + r.count, 0);
    if (Number(p.transaction_count) !== count) v.push({ rule: 'payout_transaction_count', detail: `payout ${p.payment_reference} counts ${p.transaction_count}, has ${count}` });
  }
  const numbering = await db
    .selectFrom('settlement_transactions')
    .select(['payment_reference', sql<string>`min(payout_seq)`.as('first'), sql<string>`max(payout_seq)`.as('last'), sql<string>`count(distinct payout_seq)`.as('distinct'), sql<string>`count(*)`.as('count')])
    .where('payment_reference', 'is not', null)
    .groupBy('payment_reference')
    .execute();
  for (const n of numbering) {
    const count = Number(n.count);
    if (Number(n.first) !== 1 || Number(n.last) !== count || Number(n.distinct) !== count) {
      v.push({ rule: 'payout_seq', detail: `payout ${n.payment_reference} numbers its ${count} transactions ${n.first}..${n.last} (${n.distinct} distinct)` });
    }
  }
  for (const reference of byPayout.keys()) v.push({ rule: 'transaction_payout_missing', detail: `transactions name payout ${reference}, which does not exist` });

  const mismatched = await db
    .selectFrom('settlement_transactions as t')
    .innerJoin('payouts as p', 'p.payment_reference', 't.payment_reference')
    .select(['t.transaction_id', 't.payment_reference'])
    .where((eb) => eb.or([eb('p.merchant_id', '!=', eb.ref('t.merchant_id')), eb('p.currency_code', '!=', eb.ref('t.currency_code')), eb('p.day', '!=', eb.ref('t.day'))]))
    .execute();
  for (const t of mismatched) v.push({ rule: 'transaction_payout_mismatch', detail: `transaction ${t.transaction_id} is in payout ${t.payment_reference} of another merchant, currency or day` });

  const leftBehind = await db
    .selectFrom('settlement_transactions as t')
    .innerJoin('payouts as p', (join) => join.onRef('p.merchant_id', '=', 't.merchant_id').onRef('p.currency_code', '=', 't.currency_code').onRef('p.day', '=', 't.day'))
    .select(['t.transaction_id', 'p.payment_reference'])
    .where('t.payment_reference', 'is', null)
    .execute();
  for (const t of leftBehind) v.push({ rule: 'transaction_left_unpaid', detail: `transaction ${t.transaction_id} is unpaid, but its day was paid out in ${t.payment_reference}` });
  return v;
}
