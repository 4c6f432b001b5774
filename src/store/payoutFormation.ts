// Forming payouts (CONTRACT §11), run by the merchant's payout job: every day of transactions
// whose payout has fallen due on the merchant's clock, per currency, becomes one payout with a new
// payment_reference. In one write transaction: the day's unpaid transactions take the reference
// (each only while it has none, so it joins exactly one payout), the totals are summed from the
// rows that took it, the payout row is inserted (unique per merchant, currency and day: a second
// instance racing on the same day inserts nothing) and its webhook queued.
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { DEFAULT_SETTLEMENT_TERMS, lastDueDay, payoutDateOf, payoutTotals, type PayoutEventData, type TransactionType } from '../domain/settlements.js';
import { toKlarnaTimestamp } from '../domain/time.js';
import type { MerchantClock } from './clock.js';
import { inJobsTransaction, webhookFanOut } from './jobs.js';
import type { Store } from './dialect.js';
import type { Database } from './schema.js';

/** A new payment reference: what appears on the merchant's bank statement (e.g. OPNM7C2F9A41D0B3). */
function newPaymentReference(): string {
  return `OPNM${randomBytes(6).toString('hex').toUpperCase()}`;
}

async function payoutDelayOf(db: Kysely<Database>, merchantId: string): Promise<number> {
  const row = await db.selectFrom('settlement_terms').select('payout_delay_days').where('merchant_id', '=', merchantId).executeTakeFirst();
  return row ? Number(row.payout_delay_days) : DEFAULT_SETTLEMENT_TERMS.payout_delay_days;
}

/** Forms the merchant's payouts due at clock.now; answers the ones it formed. */
export async function formDuePayouts(store: Store, merchantId: string, clock: MerchantClock): Promise<PayoutEventData[]> {
  return inJobsTransaction(store, async (db) => {
    const delay = await payoutDelayOf(db, merchantId);
    const groups = await db
      .selectFrom('settlement_transactions')
      .select(['currency_code', 'day'])
      .distinct()
      .where('merchant_id', '=', merchantId)
      .where('payment_reference', 'is', null)
      .where('day', '<=', lastDueDay(clock.now, delay))
      // A day whose payout has formed stays as it was: a row that committed after it (a capture
      // straddling midnight) is left unpaid and reported by the ledger check, never added.
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('payouts as p')
              .select(sql`1`.as('one'))
              .where('p.merchant_id', '=', merchantId)
              .whereRef('p.currency_code', '=', 'settlement_transactions.currency_code')
              .whereRef('p.day', '=', 'settlement_transactions.day'),
          ),
        ),
      )
      .orderBy('day')
      .orderBy('currency_code')
      .execute();
    const formed: PayoutEventData[] = [];
    for (const group of groups) {
      const payout = await formPayout(db, merchantId, group, delay, clock);
      if (payout) formed.push(payout);
    }
    return formed;
  });
}

async function formPayout(db: Kysely<Database>, merchantId: string, group: { currency_code: string; day: string }, delay: number, clock: MerchantClock): Promise<PayoutEventData | undefined> {
  const reference = newPaymentReference();
  // One statement numbers the rows it claims; on PostgreSQL a racing formation re-checks
  // payment_reference on each row it waited for and so claims none of them.
  const claimed = await sql`
    update settlement_transactions set payment_reference = ${reference}, payout_seq = numbered.seq
    from (select transaction_id as id, row_number() over (order by transaction_id) as seq from settlement_transactions
          where merchant_id = ${merchantId} and day = ${group.day} and currency_code = ${group.currency_code} and payment_reference is null) as numbered
    where settlement_transactions.transaction_id = numbered.id and settlement_transactions.payment_reference is null`.execute(db);
  if (Number(claimed.numAffectedRows ?? 0) === 0) return undefined;
  const sums = await db
    .selectFrom('settlement_transactions')
    .select(['type', sql<string>`sum(amount)`.as('amount'), sql<string>`count(*)`.as('count')])
    .where('merchant_id', '=', merchantId)
    .where('payment_reference', '=', reference)
    .groupBy('type')
    .execute();
  const totals = payoutTotals(sums.map((s) => ({ type: s.type as TransactionType, amount: Number(s.amount) })));
  const payoutDate = `${payoutDateOf(group.day, delay)}T00:00:00Z`;
  const inserted = await db
    .insertInto('payouts')
    .values({
      payment_reference: reference,
      merchant_id: merchantId,
      currency_code: group.currency_code,
      day: group.day,
      payout_date: payoutDate,
      totals: JSON.stringify(totals),
      settlement_amount: totals.settlement_amount,
      transaction_count: sums.reduce((n, s) => n + Number(s.count), 0),
      created_at: toKlarnaTimestamp(clock.now),
    })
    .onConflict((oc) => oc.columns(['merchant_id', 'currency_code', 'day']).doNothing())
    .executeTakeFirst();
  // Only when another instance formed this day's payout meanwhile: roll everything back.
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new Error(`payout of ${merchantId} ${group.currency_code} ${group.day} formed twice`);
  const data: PayoutEventData = { payment_reference: reference, currency_code: group.currency_code, payout_date: payoutDate, settlement_amount: totals.settlement_amount };
  await webhookFanOut(db, { merchantId, orderId: null, type: 'openom.payout.created', data, occurredAt: clock.now, runAt: Date.now() }).execute();
  return data;
}
