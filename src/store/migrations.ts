// One migration set for both dialects. All pending migrations run in one write transaction;
// on PostgreSQL a transaction-scoped advisory lock makes instances starting together take turns,
// on SQLite BEGIN IMMEDIATE does the same.
import { sql, type CreateTableBuilder, type Kysely, type RawBuilder } from 'kysely';
import { inWriteTransaction, serialType, takeTurns, type DialectName, type Store } from './dialect.js';

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
  [
    '003_lifecycle',
    // Wave 2: the merchant clock, idempotency keys bound to their request, the job outbox and its
    // attempt log, webhooks, faults, checkout orders and portal sessions. Times that jobs run at
    // are real epoch milliseconds (bigint), so the worker's due query is one index range; the
    // merchant-clock times users see are ISO text like every other timestamp.
    async (db, dialect) => {
      await db.schema.alterTable('merchants').addColumn('clock_offset_seconds', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('idempotency_keys').addColumn('request_method', 'text').execute();
      await db.schema.alterTable('idempotency_keys').addColumn('request_path', 'text').execute();
      // Checkout orders carry the merchant's URLs (push, notification); admin intake orders have none.
      await db.schema.alterTable('orders').addColumn('merchant_urls', 'text').execute();
      // The first expires_at: Kustom caps extensions at 90 days beyond it (CONTRACT §8).
      await db.schema.alterTable('orders').addColumn('initial_expires_at', 'text').execute();
      await sql`update orders set initial_expires_at = expires_at`.execute(db);
      // Set once the ORDER_EXPIRED event is written, so it is written once.
      await db.schema.alterTable('orders').addColumn('expiry_recorded', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema
        .createTable('jobs')
        .addColumn('id', serialType(dialect), (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text')
        .addColumn('webhook_id', 'text')
        // Jobs with one sequence key make their first attempts in id order (per-order webhook order).
        .addColumn('sequence_key', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('run_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('lease_token', 'text')
        .addColumn('lease_until', 'bigint')
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_due').on('jobs').columns(['state', 'run_at']).execute();
      await db.schema.createIndex('jobs_sequence').on('jobs').columns(['sequence_key', 'id']).execute();
      await db.schema.createIndex('jobs_merchant').on('jobs').columns(['merchant_id', 'state']).execute();
      await db.schema.createIndex('jobs_order').on('jobs').columns(['order_id', 'kind']).execute();
      await db.schema.createIndex('jobs_webhook').on('jobs').columns(['webhook_id', 'id']).execute();
      await db.schema
        .createTable('job_attempts')
        .addColumn('id', serialType(dialect), (c) => c.primaryKey())
        .addColumn('job_id', 'bigint', (c) => c.notNull())
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text')
        .addColumn('webhook_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('attempted_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('job_attempts_job').on('job_attempts').columns(['job_id', 'id']).execute();
      await db.schema.createIndex('job_attempts_merchant').on('job_attempts').columns(['merchant_id', 'id']).execute();
      await db.schema
        .createTable('webhooks')
        .addColumn('webhook_id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('signing_secret', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhooks_merchant').on('webhooks').columns(['merchant_id', 'created_at']).execute();
      await db.schema
        .createTable('faults')
        .addColumn('fault_id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('error_code', 'text')
        .addColumn('delay_ms', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('times_left', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('faults_merchant').on('faults').columns(['merchant_id', 'created_at']).execute();
      await db.schema
        .createTable('checkout_orders')
        .addColumn('order_id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('aborted', 'integer', (c) => c.notNull().defaultTo(0))
        // The checkout order as the merchant last sent it (validated JSON text).
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('last_modified_at', 'text', (c) => c.notNull())
        .addColumn('completed_at', 'text')
        .execute();
      await db.schema.createIndex('checkout_orders_merchant').on('checkout_orders').columns(['merchant_id', 'started_at']).execute();
      await db.schema
        .createTable('portal_sessions')
        // SHA-256 of the cookie's token: a stolen database does not yield live sessions.
        .addColumn('session_hash', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  ],
  [
    '004_portal_indexes',
    // The portal's order list: newest first with keyset pagination on (created_at, order_id), and
    // exact-match search by Klarna reference or merchant reference (order ids have the primary key).
    // expires_at and cancelled ride along in the list index so the status filters skip most
    // non-matching orders inside the index, without reading their rows. Captures and refunds change
    // none of the indexed columns, so those updates stay cheap (PostgreSQL HOT updates).
    async (db) => {
      await db.schema
        .createIndex('orders_merchant_created_id')
        .on('orders')
        .columns(['merchant_id', 'created_at', 'order_id', 'expires_at', 'cancelled'])
        .execute();
      await db.schema.dropIndex('orders_merchant_created').execute();
      await db.schema.createIndex('orders_merchant_klarna_reference').on('orders').columns(['merchant_id', 'klarna_reference']).execute();
      await db.schema.createIndex('orders_merchant_reference1').on('orders').columns(['merchant_id', 'merchant_reference1']).execute();
      await db.schema.createIndex('orders_merchant_reference2').on('orders').columns(['merchant_id', 'merchant_reference2']).execute();
      await db.schema.createIndex('portal_sessions_expires').on('portal_sessions').column('expires_at').execute();
    },
  ],
  [
    '005_worker_attempts',
    // The worker records an attempt only while it holds the job's lease; this index is the other
    // half of that pair: no two instances can ever record the same attempt of one job.
    async (db) => {
      await db.schema.createIndex('job_attempts_job_attempt').on('job_attempts').columns(['job_id', 'attempt']).unique().execute();
    },
  ],
  [
    '006_state_checks',
    // The database's half of the pairs for the outbox and the checkout (the code's half: the typed
    // writes of jobs.ts and checkoutOrders.ts): a job's state, and a checkout's status, aborted flag
    // and completion time, can only be what the code means. A job's kind is held by the typed
    // payload map alone: every new feature adds kinds, and a constraint on them would make each one
    // rebuild the jobs table on SQLite. SQLite cannot add a constraint to a table, so there both
    // tables are made again with them (rows, ids and indexes kept).
    async (db, dialect) => {
      const checks: Record<'jobs' | 'checkout_orders', [string, RawBuilder<unknown>][]> = {
        jobs: [
          ['jobs_state', sql`state in ('pending', 'done', 'dead', 'cancelled')`],
        ],
        checkout_orders: [
          ['checkout_orders_status', sql`status in ('checkout_incomplete', 'checkout_complete')`],
          ['checkout_orders_aborted', sql`aborted in (0, 1) and (aborted = 0 or status = 'checkout_incomplete')`],
          ['checkout_orders_completed_at', sql`(status = 'checkout_complete') = (completed_at is not null)`],
        ],
      };
      if (dialect === 'postgres') {
        for (const [table, constraints] of Object.entries(checks)) {
          for (const [name, check] of constraints) await db.schema.alterTable(table).addCheckConstraint(name, check).execute();
        }
        return;
      }
      await rebuildSqliteTable(db, 'jobs', (t) =>
        t
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('merchant_id', 'text', (c) => c.notNull())
          .addColumn('order_id', 'text')
          .addColumn('webhook_id', 'text')
          .addColumn('sequence_key', 'text')
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('run_at', 'bigint', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('lease_token', 'text')
          .addColumn('lease_until', 'bigint')
          .addColumn('last_status', 'integer')
          .addColumn('last_error', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull()),
        checks.jobs,
      );
      for (const [name, columns] of [
        ['jobs_due', ['state', 'run_at']],
        ['jobs_sequence', ['sequence_key', 'id']],
        ['jobs_merchant', ['merchant_id', 'state']],
        ['jobs_order', ['order_id', 'kind']],
        ['jobs_webhook', ['webhook_id', 'id']],
      ] as const) {
        await db.schema.createIndex(name).on('jobs').columns([...columns]).execute();
      }
      await rebuildSqliteTable(db, 'checkout_orders', (t) =>
        t
          .addColumn('order_id', 'text', (c) => c.primaryKey())
          .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('aborted', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('document', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('last_modified_at', 'text', (c) => c.notNull())
          .addColumn('completed_at', 'text'),
        checks.checkout_orders,
      );
      await db.schema.createIndex('checkout_orders_merchant').on('checkout_orders').columns(['merchant_id', 'started_at']).execute();
    },
  ],
  [
    '007_settlements',
    // Settlements (CONTRACT §11): the transactions each capture and refund writes in its own
    // transaction, the payouts formed from them, and each merchant's terms. A transaction's
    // payment_reference is set once, when its payout forms (null until then); the unique
    // (merchant, currency, day) index on payouts makes that happen once whatever the instances.
    async (db, dialect) => {
      await db.schema
        .createTable('settlement_terms')
        .addColumn('merchant_id', 'text', (c) => c.primaryKey().references('merchants.merchant_id'))
        .addColumn('fee_rate_bp', 'integer', (c) => c.notNull().check(sql`fee_rate_bp between 0 and 10000`))
        .addColumn('fee_fixed', 'bigint', (c) => c.notNull().check(sql`fee_fixed >= 0`))
        .addColumn('payout_delay_days', 'integer', (c) => c.notNull().check(sql`payout_delay_days between 0 and 60`))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('settlement_transactions')
        .addColumn('transaction_id', serialType(dialect), (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull())
        .addColumn('capture_id', 'text')
        .addColumn('refund_id', 'text')
        .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('SALE', 'RETURN', 'FEE')`))
        .addColumn('detailed_type', 'text', (c) => c.notNull())
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('currency_code', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'text', (c) => c.notNull())
        .addColumn('capture_date', 'text')
        .addColumn('short_order_id', 'text', (c) => c.notNull())
        .addColumn('merchant_reference1', 'text')
        .addColumn('merchant_reference2', 'text')
        .addColumn('merchant_capture_reference', 'text')
        .addColumn('merchant_refund_reference', 'text')
        .addColumn('purchase_country', 'text', (c) => c.notNull())
        .addColumn('shipping_country', 'text')
        .addColumn('payment_reference', 'text')
        // Its place in its payout (1, 2, …), set with payment_reference: a page at any offset is one index range.
        .addColumn('payout_seq', 'integer')
        .execute();
      await db.schema.createIndex('settlement_transactions_payout').on('settlement_transactions').columns(['merchant_id', 'payment_reference', 'payout_seq']).execute();
      await db.schema.createIndex('settlement_transactions_order').on('settlement_transactions').columns(['merchant_id', 'order_id', 'transaction_id']).execute();
      await db.schema.createIndex('settlement_transactions_time').on('settlement_transactions').columns(['merchant_id', 'occurred_at']).execute();
      // What the payout job looks for: the merchant's transactions not yet paid out, by day.
      await db.schema
        .createIndex('settlement_transactions_unpaid')
        .on('settlement_transactions')
        .columns(['merchant_id', 'day', 'currency_code'])
        .where(sql.ref('payment_reference'), 'is', null)
        .execute();
      await db.schema
        .createTable('payouts')
        .addColumn('payment_reference', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('currency_code', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('payout_date', 'text', (c) => c.notNull())
        .addColumn('totals', 'text', (c) => c.notNull())
        .addColumn('settlement_amount', 'bigint', (c) => c.notNull())
        .addColumn('transaction_count', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('payouts_merchant_day').on('payouts').columns(['merchant_id', 'currency_code', 'day']).unique().execute();
      await db.schema.createIndex('payouts_merchant_date').on('payouts').columns(['merchant_id', 'payout_date']).execute();
      // One pending payout job per merchant: captures ensure it with ON CONFLICT DO NOTHING.
      await db.schema
        .createIndex('jobs_payout_per_merchant')
        .on('jobs')
        .column('merchant_id')
        .unique()
        .where(sql.raw<boolean>(`kind = 'payout' and state = 'pending'`))
        .execute();
      await startSettlementsFromLedger(db);
    },
  ],
  [
    '008_customer_tokens',
    // Customer tokens (CONTRACT §12) and the orders placed with them. A token's status can only be
    // one the domain knows (the code's half: tokenStatusViolation before every write).
    async (db) => {
      await db.schema
        .createTable('customer_tokens')
        .addColumn('token_id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('payment_method_type', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('origin_order_id', 'text', (c) => c.notNull())
        .addColumn('purchase_country', 'text', (c) => c.notNull())
        .addColumn('purchase_currency', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('billing_address', 'text')
        .addColumn('shipping_address', 'text')
        .addColumn('customer', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addCheckConstraint('customer_tokens_status', sql`status in ('ACTIVE', 'SUSPENDED', 'CANCELLED')`)
        .execute();
      await db.schema.createIndex('customer_tokens_merchant').on('customer_tokens').columns(['merchant_id', 'created_at']).execute();
      await db.schema.createIndex('customer_tokens_origin').on('customer_tokens').columns(['merchant_id', 'origin_order_id']).execute();
      await db.schema
        .createTable('customer_token_orders')
        .addColumn('order_id', 'text', (c) => c.primaryKey().references('orders.order_id'))
        .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
        .addColumn('token_id', 'text', (c) => c.notNull().references('customer_tokens.token_id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('customer_token_orders_token').on('customer_token_orders').columns(['merchant_id', 'token_id', 'created_at']).execute();
    },
  ],
  [
    '009_payments',
    // Klarna Payments (CONTRACT §14): payment sessions, and the authorizations made on them. An
    // authorization keeps the cart it authorized and, once it answered an order request about that
    // cart, the answer itself, which every later request with the token gets again.
    async (db) => {
      await db.schema
        .createTable('payment_sessions')
        .addColumn('session_id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('incomplete', 'complete')`))
        // The cart as the merchant last sent it (validated JSON text).
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('authorization_token', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_modified_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('payment_sessions_merchant').on('payment_sessions').columns(['merchant_id', 'session_id']).execute();
      await db.schema
        .createTable('payment_authorizations')
        .addColumn('authorization_token', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
        .addColumn('session_id', 'text', (c) => c.notNull().references('payment_sessions.session_id'))
        .addColumn('fraud_status', 'text', (c) => c.notNull().check(sql`fraud_status in ('ACCEPTED', 'PENDING')`))
        .addColumn('cart', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('cancelled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('order_id', 'text')
        .addColumn('answer_status', 'integer')
        .addColumn('answer_body', 'text')
        .addCheckConstraint('payment_authorizations_answer', sql`(answer_status is null) = (answer_body is null)`)
        .addCheckConstraint('payment_authorizations_order_answered', sql`order_id is null or answer_status = 200`)
        .execute();
      await db.schema.createIndex('payment_authorizations_merchant').on('payment_authorizations').columns(['merchant_id', 'authorization_token']).execute();
      await db.schema.createIndex('payment_authorizations_session').on('payment_authorizations').columns(['session_id']).execute();
    },
  ],
  [
    '010_hpp',
    // Hosted Payment Page sessions (CONTRACT §13) and the outbox of links "sent" by e-mail or SMS.
    // The CHECKs are the database's half of the pairs whose code half is src/domain/hpp.ts
    // (hppStateViolations, checked by src/store/hppSessions.ts before every write).
    async (db) => {
      await db.schema
        .createTable('hpp_sessions')
        .addColumn('session_id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
        // What the session pays for: a checkout order or (later) a payment session, by its id.
        .addColumn('source_kind', 'text', (c) => c.notNull())
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('place_order_mode', 'text', (c) => c.notNull())
        // JSON text, as the merchant sent them (validated).
        .addColumn('merchant_urls', 'text', (c) => c.notNull())
        .addColumn('options', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text')
        .addColumn('authorization_token', 'text')
        .addColumn('klarna_reference', 'text')
        // Merchant-clock ISO times.
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addCheckConstraint('hpp_sessions_status', sql`status in ('WAITING', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'FAILED', 'BACK', 'ERROR', 'DISABLED')`)
        .addCheckConstraint('hpp_sessions_source_kind', sql`source_kind in ('checkout_order', 'payment_session')`)
        .addCheckConstraint('hpp_sessions_place_order_mode', sql`place_order_mode in ('PLACE_ORDER', 'CAPTURE_ORDER', 'NONE')`)
        .addCheckConstraint('hpp_sessions_completed', sql`status <> 'COMPLETED' or order_id is not null or authorization_token is not null`)
        .execute();
      await db.schema.createIndex('hpp_sessions_merchant').on('hpp_sessions').columns(['merchant_id', 'created_at']).execute();
      await db.schema.createIndex('hpp_sessions_source').on('hpp_sessions').columns(['source_kind', 'source_id']).execute();
      await db.schema
        .createTable('hpp_distributions')
        .addColumn('distribution_id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull().references('merchants.merchant_id'))
        .addColumn('session_id', 'text', (c) => c.notNull().references('hpp_sessions.session_id'))
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('contact_information', 'text', (c) => c.notNull())
        .addColumn('link', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addCheckConstraint('hpp_distributions_method', sql`method in ('email', 'sms')`)
        .execute();
      await db.schema.createIndex('hpp_distributions_merchant').on('hpp_distributions').columns(['merchant_id', 'created_at']).execute();
      await db.schema.createIndex('hpp_distributions_session').on('hpp_distributions').columns(['session_id', 'created_at']).execute();
    },
  ],
  [
    '011_devloop',
    // Every call OpenOM made to a merchant's server, as the sandbox shows it (CONTRACT §15).
    async (db, dialect) => {
      await db.schema
        .createTable('merchant_calls')
        .addColumn('id', serialType(dialect), (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('request_body', 'text')
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('response_body', 'text')
        .addColumn('error', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('called_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('merchant_calls_merchant').on('merchant_calls').columns(['merchant_id', 'id']).execute();
      await db.schema.createIndex('merchant_calls_order').on('merchant_calls').columns(['merchant_id', 'order_id', 'id']).execute();
    },
  ],
];

/**
 * 007: a store that already has captures and refunds starts its settlements from them, once: a SALE
 * per capture and a RETURN per refund (no fees: the merchants had no terms), on their own days, and
 * for each merchant with any, default terms and its payout job, due at once (it then keeps to
 * midnights). From here on, captures and refunds write their own.
 */
async function startSettlementsFromLedger(db: Kysely<unknown>): Promise<void> {
  const common = sql`o.merchant_id, o.order_id, o.purchase_currency, o.klarna_reference, o.merchant_reference1, o.merchant_reference2, o.purchase_country`;
  const columns = sql`merchant_id, order_id, currency_code, short_order_id, merchant_reference1, merchant_reference2, purchase_country,
    capture_id, refund_id, type, detailed_type, amount, day, occurred_at, capture_date, merchant_capture_reference, merchant_refund_reference`;
  await sql`insert into settlement_transactions (${columns})
    select ${common}, c.capture_id, null, 'SALE', 'PURCHASE', c.captured_amount, substr(c.captured_at, 1, 10), c.captured_at, c.captured_at, c.reference, null
    from captures c join orders o on o.order_id = c.order_id order by c.captured_at, c.capture_id`.execute(db);
  await sql`insert into settlement_transactions (${columns})
    select ${common}, null, r.refund_id, 'RETURN', 'PURCHASE_RETURN', -r.refunded_amount, substr(r.refunded_at, 1, 10), r.refunded_at, null, null, r.reference
    from refunds r join orders o on o.order_id = r.order_id order by r.refunded_at, r.refund_id`.execute(db);
  const now = new Date().toISOString();
  await sql`insert into settlement_terms (merchant_id, fee_rate_bp, fee_fixed, payout_delay_days, updated_at)
    select distinct merchant_id, 0, 0, 7, ${now} from settlement_transactions`.execute(db);
  await sql`insert into jobs (kind, merchant_id, payload, state, run_at, attempts, created_at, updated_at)
    select 'payout', merchant_id, '{}', 'pending', 0, 0, ${now}, ${now} from settlement_terms`.execute(db);
}

/**
 * SQLite: the table made again under its name with the given columns (the same as before) and
 * constraints, its rows copied over as they are, column by column. Its indexes go with the old table: the caller
 * makes them again. Nothing references these tables, so dropping the old one is safe.
 */
async function rebuildSqliteTable(
  db: Kysely<unknown>,
  table: string,
  columns: (t: CreateTableBuilder<string, never>) => CreateTableBuilder<string, string>,
  checks: [string, RawBuilder<unknown>][],
): Promise<void> {
  const rebuilt = `${table}_rebuilt`;
  let create = columns(db.schema.createTable(rebuilt));
  for (const [name, check] of checks) create = create.addCheckConstraint(name, check);
  await create.execute();
  const names = (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db)).rows.map((c) => sql.ref(c.name));
  await sql`insert into ${sql.table(rebuilt)} (${sql.join(names)}) select ${sql.join(names)} from ${sql.table(table)}`.execute(db);
  await db.schema.dropTable(table).execute();
  await db.schema.alterTable(rebuilt).renameTo(table).execute();
}

/**
 * Applies the pending migrations in order and returns their names. `through` stops after the
 * named one: a store as an older version left it, for the tests of upgrades.
 */
export async function migrate(store: Store, options: { through?: string } = {}): Promise<string[]> {
  return inWriteTransaction(store, async (trx) => {
    const db = trx as unknown as Kysely<unknown>;
    await takeTurns(store, db, MIGRATION_LOCK_KEY);
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
      if (!done.has(name)) {
        await up(db, store.dialect);
        await sql`insert into schema_migrations (name, applied_at) values (${name}, ${new Date().toISOString()})`.execute(db);
        applied.push(name);
      }
      if (name === options.through) break;
    }
    return applied;
  });
}
