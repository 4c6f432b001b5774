// Row types of every table, as Kysely sees them. Amounts are integers (bigint on PostgreSQL,
// parsed back to JS numbers: every stored amount is validated to stay far below 2^53).
// Timestamps are ISO 8601 UTC text, identical on both dialects. JSON columns are text.
import type { Generated } from 'kysely';
import type { MerchantCallKind } from '../domain/merchantCalls.js';
import type { FraudStatus } from '../domain/order.js';
import type { OrderEventType } from '../domain/webhookEvents.js';
import type { JobKind } from './jobs.js';
import type { DistributionMethod, HppSourceKind, HppStatus, PlaceOrderMode } from '../domain/hpp.js';
import type { DetailedType, TransactionType } from '../domain/settlements.js';

export interface SettingsTable {
  key: string;
  value: string;
}

export interface MerchantsTable {
  merchant_id: string;
  name: string;
  username: string;
  password_hash: string;
  created_at: string;
  /** The merchant's sandbox clock: real time plus this many seconds (CONTRACT §5). Never decreases. */
  clock_offset_seconds: number;
}

export interface OrdersTable {
  order_id: string;
  merchant_id: string;
  klarna_reference: string;
  purchase_country: string;
  purchase_currency: string;
  locale: string;
  order_amount: number;
  original_order_amount: number;
  captured_amount: number;
  refunded_amount: number;
  order_tax_amount: number | null;
  cancelled: number;
  released: number;
  acknowledged: number;
  fraud_status: FraudStatus;
  merchant_reference1: string | null;
  merchant_reference2: string | null;
  merchant_data: string | null;
  billing_address: string | null;
  shipping_address: string | null;
  customer: string | null;
  initial_payment_method: string | null;
  selected_shipping_option: string | null;
  order_lines: string;
  capture_count: number;
  refund_count: number;
  /** Order-level shipping info batches (capture-level ones are found through the captures). */
  shipping_info_count: number;
  created_at: string;
  expires_at: string;
  updated_at: string;
  /** JSON merchant_urls of a checkout order (push, notification…); null for admin intake. */
  merchant_urls: string | null;
  /** expires_at as the order was authorized; the Kustom profile caps extensions from it. */
  initial_expires_at: string | null;
  /** 1 once the ORDER_EXPIRED event is written. */
  expiry_recorded: number;
}

export interface CapturesTable {
  capture_id: string;
  order_id: string;
  seq: number;
  klarna_reference: string;
  captured_amount: number;
  refunded_amount: number;
  description: string | null;
  reference: string | null;
  order_lines: string | null;
  billing_address: string | null;
  shipping_address: string | null;
  shipping_delay: number | null;
  due_date_extension_days: number;
  captured_at: string;
}

export interface RefundsTable {
  refund_id: string;
  order_id: string;
  seq: number;
  refunded_amount: number;
  description: string | null;
  reference: string | null;
  order_lines: string | null;
  allocations: string; // [{capture_id, amount}]: how this refund drew on the captures
  refunded_at: string;
}

export interface ShippingInfoTable {
  id: Generated<number>;
  order_id: string;
  capture_id: string | null;
  items: string; // JSON array of shipping info objects added in one call
  added_at: string;
}

export interface OrderEventsTable {
  id: Generated<number>;
  order_id: string;
  merchant_id: string;
  type: OrderEventType;
  occurred_at: string;
  correlation_id: string;
  idempotency_key: string | null;
  amounts_before: string | null; // JSON AmountsSnapshot (events.ts)
  amounts_after: string; // JSON AmountsSnapshot
  data: string | null;
}

export interface IdempotencyKeysTable {
  merchant_id: string;
  idempotency_key: string;
  status_code: number; // 0 while the first request holds the claim inside its transaction
  response_headers: string | null;
  response_body: string | null;
  created_at: string;
  /** The request the key was first used for: another method or path with it is refused. */
  request_method: string | null;
  request_path: string | null;
}

export type JobState = 'pending' | 'done' | 'dead' | 'cancelled';

export interface JobsTable {
  id: Generated<number>;
  kind: JobKind;
  merchant_id: string;
  order_id: string | null;
  webhook_id: string | null;
  sequence_key: string | null;
  payload: string;
  state: JobState;
  /** Real epoch milliseconds when due; moved earlier when the merchant's clock advances. */
  run_at: number;
  attempts: number;
  lease_token: string | null;
  lease_until: number | null;
  last_status: number | null;
  last_error: string | null;
  /** Merchant-clock ISO time. */
  created_at: string;
  updated_at: string;
}

export interface JobAttemptsTable {
  id: Generated<number>;
  job_id: number;
  merchant_id: string;
  order_id: string | null;
  webhook_id: string | null;
  kind: JobKind;
  attempt: number;
  url: string | null;
  /** HTTP status answered, 0 when there was no answer. */
  status: number;
  error: string | null;
  duration_ms: number;
  /** Merchant-clock ISO time. */
  attempted_at: string;
}

export interface WebhooksTable {
  webhook_id: string;
  merchant_id: string;
  url: string;
  events: string; // JSON array of event names
  signing_secret: string;
  created_at: string;
}

export interface FaultsTable {
  fault_id: string;
  merchant_id: string;
  method: string;
  path: string;
  status: number;
  error_code: string | null;
  delay_ms: number;
  times_left: number;
  created_at: string;
}

export interface CheckoutOrdersTable {
  order_id: string;
  merchant_id: string;
  status: 'checkout_incomplete' | 'checkout_complete';
  aborted: number;
  document: string;
  started_at: string;
  last_modified_at: string;
  completed_at: string | null;
}

export interface PortalSessionsTable {
  session_hash: string;
  merchant_id: string;
  csrf_token: string;
  created_at: string;
  /** Real epoch milliseconds. */
  expires_at: number;
}

/** One call OpenOM made to a merchant's server, kept for the sandbox's GET /sandbox/v1/calls. */
export interface MerchantCallsTable {
  id: Generated<number>;
  merchant_id: string;
  order_id: string | null;
  kind: MerchantCallKind;
  method: string;
  /** Without userinfo, and with the values of query parameters that look like secrets hidden. */
  url: string;
  request_body: string | null;
  /** HTTP status answered, 0 when there was no answer. */
  status: number;
  /** The first 4 KB of the answer's body. */
  response_body: string | null;
  error: string | null;
  duration_ms: number;
  /** Merchant-clock ISO time. */
  called_at: string;
}

export interface Database {
  settings: SettingsTable;
  merchants: MerchantsTable;
  orders: OrdersTable;
  captures: CapturesTable;
  refunds: RefundsTable;
  shipping_info: ShippingInfoTable;
  order_events: OrderEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  jobs: JobsTable;
  job_attempts: JobAttemptsTable;
  webhooks: WebhooksTable;
  faults: FaultsTable;
  checkout_orders: CheckoutOrdersTable;
  portal_sessions: PortalSessionsTable;
  payment_sessions: PaymentSessionsTable;
  payment_authorizations: PaymentAuthorizationsTable;
  hpp_sessions: HppSessionsTable;
  hpp_distributions: HppDistributionsTable;
  customer_tokens: CustomerTokensTable;
  customer_token_orders: CustomerTokenOrdersTable;
  settlement_terms: SettlementTermsTable;
  settlement_transactions: SettlementTransactionsTable;
  payouts: PayoutsTable;
  merchant_calls: MerchantCallsTable;
}

export interface PaymentSessionsTable {
  session_id: string;
  merchant_id: string;
  status: 'incomplete' | 'complete';
  document: string;
  /** The latest authorization's token. */
  authorization_token: string | null;
  created_at: string;
  last_modified_at: string;
}

export interface PaymentAuthorizationsTable {
  authorization_token: string;
  merchant_id: string;
  session_id: string;
  fraud_status: 'ACCEPTED' | 'PENDING';
  /** The session's cart as it was authorized (JSON). */
  cart: string;
  created_at: string;
  expires_at: string;
  cancelled: number;
  order_id: string | null;
  /** The answer kept for the token (idempotent per token): its HTTP status and body. */
  answer_status: number | null;
  answer_body: string | null;
}

/** A Hosted Payment Page session (CONTRACT §13); times are merchant-clock ISO. */
export interface HppSessionsTable {
  session_id: string;
  merchant_id: string;
  source_kind: HppSourceKind;
  source_id: string;
  status: HppStatus;
  place_order_mode: PlaceOrderMode;
  /** JSON text of HppMerchantUrls. */
  merchant_urls: string;
  /** JSON text of the options as sent. */
  options: string;
  order_id: string | null;
  authorization_token: string | null;
  klarna_reference: string | null;
  expires_at: string;
  created_at: string;
  updated_at: string;
}

/** A recurring checkout's customer token (CONTRACT §12); the customer is the checkout's, kept to pay later orders. */
export interface CustomerTokensTable {
  token_id: string;
  merchant_id: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'CANCELLED';
  payment_method_type: string;
  /** The checkout's recurring_description. */
  description: string | null;
  /** The checkout order whose completion made the token. */
  origin_order_id: string;
  purchase_country: string;
  purchase_currency: string;
  locale: string;
  billing_address: string | null;
  shipping_address: string | null;
  customer: string | null;
  created_at: string;
  updated_at: string;
}

/** A payment link OpenOM would have sent by e-mail or SMS: the outbox the merchant reads, nothing is sent. */
export interface HppDistributionsTable {
  distribution_id: string;
  merchant_id: string;
  session_id: string;
  method: DistributionMethod;
  /** JSON text of the contact_information sent. */
  contact_information: string;
  link: string;
  message: string;
  created_at: string;
}

/** An Order Management order placed with a customer token. */
export interface CustomerTokenOrdersTable {
  order_id: string;
  merchant_id: string;
  token_id: string;
  created_at: string;
}

export interface SettlementTermsTable {
  merchant_id: string;
  fee_rate_bp: number;
  fee_fixed: number;
  payout_delay_days: number;
  updated_at: string;
}

export interface SettlementTransactionsTable {
  transaction_id: Generated<number>;
  merchant_id: string;
  order_id: string;
  capture_id: string | null;
  refund_id: string | null;
  type: TransactionType;
  detailed_type: DetailedType;
  /** Signed from the merchant's side, minor units. */
  amount: number;
  currency_code: string;
  /** YYYY-MM-DD on the merchant's clock: the day its capture or refund committed. */
  day: string;
  /** Merchant-clock time of the capture or refund (Klarna's sale_date). */
  occurred_at: string;
  capture_date: string | null;
  short_order_id: string;
  merchant_reference1: string | null;
  merchant_reference2: string | null;
  merchant_capture_reference: string | null;
  merchant_refund_reference: string | null;
  purchase_country: string;
  shipping_country: string | null;
  /** Set once, when its payout forms. */
  payment_reference: string | null;
  /** Its place in its payout, from 1 in transaction_id order; set with payment_reference. */
  payout_seq: number | null;
}

export interface PayoutsTable {
  payment_reference: string;
  merchant_id: string;
  currency_code: string;
  /** The transactions' day. */
  day: string;
  /** Klarna date-time of the payout: 00:00 UTC of day + payout_delay_days. */
  payout_date: string;
  /** PayoutTotals as JSON. */
  totals: string;
  settlement_amount: number;
  transaction_count: number;
  created_at: string;
}
