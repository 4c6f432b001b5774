// A merchant's settlement fees as a command sees them: read with the order's lock (two scalar
// subqueries in the lock statement, so no read of their own) or, for an order no command locked,
// on their own. Apart from settlementWrites.ts so that orderTx.ts can hold them without a circle.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface SettlementFees {
  fee_rate_bp: number;
  fee_fixed: number;
}

/** The fee columns the lock statement adds to an order row: null when the merchant has no terms row. */
export interface LockedSettlementFees {
  settlement_fee_rate_bp: number | string | null;
  settlement_fee_fixed: number | string | null;
}

/** The lock statement's selections of the merchant's fees (settlementFeesOf reads them). */
export function settlementFeesOfOrder() {
  return [
    sql<number | null>`(select s.fee_rate_bp from settlement_terms s where s.merchant_id = orders.merchant_id)`.as('settlement_fee_rate_bp'),
    sql<number | null>`(select s.fee_fixed from settlement_terms s where s.merchant_id = orders.merchant_id)`.as('settlement_fee_fixed'),
  ];
}

/** The fee columns for an order a command did not lock through the runner (a token order's auto_capture). */
export async function readSettlementFees(db: Kysely<Database>, merchantId: string): Promise<LockedSettlementFees> {
  const row = await db.selectFrom('settlement_terms').select(['fee_rate_bp', 'fee_fixed']).where('merchant_id', '=', merchantId).executeTakeFirst();
  return { settlement_fee_rate_bp: row?.fee_rate_bp ?? null, settlement_fee_fixed: row?.fee_fixed ?? null };
}

export function settlementFeesOf(row: LockedSettlementFees): SettlementFees | null {
  if (row.settlement_fee_rate_bp === null || row.settlement_fee_fixed === null) return null;
  return { fee_rate_bp: Number(row.settlement_fee_rate_bp), fee_fixed: Number(row.settlement_fee_fixed) };
}
