// The one list of tables that hold a merchant's data (CONTRACT §15). The sandbox's reset deletes
// these rows, and its snapshots export and import them, walking this list and nothing else: a new
// table with merchant data is added here (tsc refuses a table of schema.ts that is in neither
// list, and test/http/test-state.test.ts compares both lists with the migrated database).
//
// Listed parents first: rows are inserted in this order and deleted in the reverse one, so foreign
// keys (captures → orders, shipping_info → captures) always point at a row that exists.
import type { Database } from './schema.js';

/** How a table's rows are found for a merchant. */
export type MerchantScope =
  /** The table has the merchant's id; a snapshot leaves it out (the importing merchant's is written). */
  | { kind: 'merchant_id' }
  /** Rows belong to one of the merchant's orders, named by this column. */
  | { kind: 'order'; column: string };

export interface MerchantTable {
  table: keyof Database;
  scope: MerchantScope;
  /** The columns that order a table's rows in a snapshot: its primary key. */
  key: readonly string[];
  /**
   * The primary key (its one column: `id`, or settlement_transactions' `transaction_id`) is the
   * store's own counter: a snapshot numbers the rows 1, 2, … in key order, and an import lets the
   * store count on, so a snapshot loads beside any other merchant's rows.
   */
  serialId?: true;
  /** Columns holding another listed table's serial id, translated with it on import. */
  refs?: Readonly<Record<string, keyof Database>>;
}

const byMerchant = { kind: 'merchant_id' } as const;
const byOrder = { kind: 'order', column: 'order_id' } as const;

export const MERCHANT_TABLES = [
  { table: 'orders', scope: byMerchant, key: ['order_id'] },
  { table: 'captures', scope: byOrder, key: ['capture_id'] },
  { table: 'refunds', scope: byOrder, key: ['refund_id'] },
  { table: 'shipping_info', scope: byOrder, key: ['id'], serialId: true },
  { table: 'order_events', scope: byMerchant, key: ['id'], serialId: true },
  { table: 'checkout_orders', scope: byMerchant, key: ['order_id'] },
  { table: 'webhooks', scope: byMerchant, key: ['webhook_id'] },
  { table: 'faults', scope: byMerchant, key: ['fault_id'] },
  { table: 'idempotency_keys', scope: byMerchant, key: ['idempotency_key'] },
  { table: 'jobs', scope: byMerchant, key: ['id'], serialId: true },
  { table: 'job_attempts', scope: byMerchant, key: ['id'], serialId: true, refs: { job_id: 'jobs' } },
  { table: 'merchant_calls', scope: byMerchant, key: ['id'], serialId: true },
  { table: 'settlement_terms', scope: byMerchant, key: ['merchant_id'] },
  { table: 'payouts', scope: byMerchant, key: ['payment_reference'] },
  { table: 'settlement_transactions', scope: byMerchant, key: ['transaction_id'], serialId: true },
  { table: 'customer_tokens', scope: byMerchant, key: ['token_id'] },
  { table: 'customer_token_orders', scope: byMerchant, key: ['order_id'] },
  { table: 'payment_sessions', scope: byMerchant, key: ['session_id'] },
  { table: 'payment_authorizations', scope: byMerchant, key: ['authorization_token'] },
  { table: 'hpp_sessions', scope: byMerchant, key: ['session_id'] },
  { table: 'hpp_distributions', scope: byMerchant, key: ['distribution_id'] },
] as const satisfies readonly MerchantTable[];

/** Tables that are not a merchant's test state, and why. */
export const NOT_MERCHANT_DATA = {
  settings: "the server's own settings (the generated admin token)",
  merchants: "the merchant itself: its credentials are never exported; its clock is the snapshot's clock_offset_seconds",
  portal_sessions: "a person's portal login, not test state: a reset leaves them logged in",
  schema_migrations: 'which migrations ran',
} as const;

export type MerchantTableName = (typeof MERCHANT_TABLES)[number]['table'];

// Every table of schema.ts is in one of the two lists, or this line does not compile.
const everyTableListed: Exclude<keyof Database, MerchantTableName | keyof typeof NOT_MERCHANT_DATA> extends never ? true : never = true;
void everyTableListed;

export function merchantTable(name: string): MerchantTable | undefined {
  return (MERCHANT_TABLES as readonly MerchantTable[]).find((t) => t.table === name);
}
