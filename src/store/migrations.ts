// One migration set for both dialects. All pending migrations run in one write transaction;
// on PostgreSQL a transaction-scoped advisory lock makes instances starting together take turns,
// on SQLite BEGIN IMMEDIATE does the same.
import { sql, type Kysely } from 'kysely';
import { inWriteTransaction, serialType, type DialectName, type Store } from './dialect.js';

type Migration = (db: Kysely<unknown>, dialect: DialectName) => Promise<void>;

const MIGRATION_LOCK_KEY = 7_042_001;

const migrations: [string, Migration][] = [
  [
    '001_initial',
    async (db, dialect) => {
      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('merchants')
        .addColumn('merchant_id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('orders')
        .addColumn('order_id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
        .addColumn('klarna_reference', 'text', (c) => c.notNull())
        .addColumn('purchase_country', 'text', (c) => c.notNull())
        .addColumn('purchase_currency', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('order_amount', 'bigint', (c) => c.notNull().check(sql`order_amount >= 0`))
        .addColumn('original_order_amount', 'bigint', (c) => c.notNull())
        .addColumn('captured_amount', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('refunded_amount', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('order_tax_amount', 'bigint')
        .addColumn('cancelled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('released', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('acknowledged', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('fraud_status', 'text', (c) => c.notNull())
        .addColumn('merchant_reference1', 'text')
        .addColumn('merchant_reference2', 'text')
        .addColumn('merchant_data', 'text')
        .addColumn('billing_address', 'text')
        .addColumn('shipping_address', 'text')
        .addColumn('customer', 'text')
        .addColumn('initial_payment_method', 'text')
        .addColumn('selected_shipping_option', 'text')
        .addColumn('order_lines', 'text', (c) => c.notNull())
        .addColumn('capture_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('refund_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        // The ledger's two laws, enforced by the database as a last line of defence.
        .addCheckConstraint('orders_captured_le_order', sql`captured_amount >= 0 and captured_amount <= order_amount`)
        .addCheckConstraint('orders_refunded_le_captured', sql`refunded_amount >= 0 and refunded_amount <= captured_amount`)
        .execute();
      await db.schema.createIndex('orders_merchant_created').on('orders').columns(['merchant_id', 'created_at']).execute();
      await db.schema
        .createTable('captures')
        .addColumn('capture_id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.order_id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('klarna_reference', 'text', (c) => c.notNull())
        .addColumn('captured_amount', 'bigint', (c) => c.notNull())
        .addColumn('refunded_amount', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('description', 'text')
        .addColumn('reference', 'text')
        .addColumn('order_lines', 'text')
        .addColumn('billing_address', 'text')
        .addColumn('shipping_address', 'text')
        .addColumn('shipping_delay', 'bigint')
        .addColumn('due_date_extension_days', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('captured_at', 'text', (c) => c.notNull())
        .addCheckConstraint('captures_amounts', sql`captured_amount > 0 and refunded_amount >= 0 and refunded_amount <= captured_amount`)
        .execute();
      await db.schema.createIndex('captures_order_seq').unique().on('captures').columns(['order_id', 'seq']).execute();
      await db.schema
        .createTable('refunds')
        .addColumn('refund_id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.order_id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('refunded_amount', 'bigint', (c) => c.notNull().check(sql`refunded_amount > 0`))
        .addColumn('description', 'text')
        .addColumn('reference', 'text')
        .addColumn('order_lines', 'text')
        .addColumn('allocations', 'text', (c) => c.notNull())
        .addColumn('refunded_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('refunds_order_seq').unique().on('refunds').columns(['order_id', 'seq']).execute();
      await db.schema
        .createTable('shipping_info')
        .addColumn('id', serialType(dialect), (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.order_id'))
        .addColumn('capture_id', 'text', (c) => c.references('captures.capture_id'))
        .addColumn('items', 'text', (c) => c.notNull())
        .addColumn('added_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('shipping_info_order').on('shipping_info').columns(['order_id', 'id']).execute();
      await db.schema
        .createTable('order_events')
        .addColumn('id', serialType(dialect), (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.order_id'))
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'text', (c) => c.notNull())
        .addColumn('correlation_id', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text')
        .addColumn('amounts_before', 'text')
        .addColumn('amounts_after', 'text', (c) => c.notNull())
        .addColumn('data', 'text')
        .execute();
      await db.schema.createIndex('order_events_order').on('order_events').columns(['order_id', 'id']).execute();
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer', (c) => c.notNull())
        .addColumn('response_headers', 'text')
        .addColumn('response_body', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['merchant_id', 'idempotency_key'])
        .execute();
    },
  ],
  [
    '002_order_shipping_info_count',
    // Lets GET answer an order without children from its row alone.
    async (db) => {
      await db.schema.alterTable('orders').addColumn('shipping_info_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await sql`update orders set shipping_info_count =
        (select count(*) from shipping_info s where s.order_id = orders.order_id and s.capture_id is null)`.execute(db);
    },
  ],
];

export async function migrate(store: Store): Promise<string[]> {
  return inWriteTransaction(store, async (trx) => {
    const db = trx as unknown as Kysely<unknown>;
    if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(db);
    await db.schema
      .createTable('schema_migrations')
      .ifNotExists()
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('applied_at', 'text', (c) => c.notNull())
      .execute();
    const done = new Set(
      (await sql<{ name: string }>`select name from schema_migrations`.execute(db)).rows.map((r) => r.name),
    );
    const applied: string[] = [];
    for (const [name, up] of migrations) {
      if (done.has(name)) continue;
      await up(db, store.dialect);
      await sql`insert into schema_migrations (name, applied_at) values (${name}, ${new Date().toISOString()})`.execute(db);
      applied.push(name);
    }
    return applied;
  });
}
