// The Settlements API's schemas (CONTRACT §11, Klarna's shapes), named once as components.
import { Type, type TSchema } from '@sinclair/typebox';
import { MAX_FEE_FIXED, MAX_FEE_RATE_BP, MAX_PAYOUT_DELAY_DAYS } from '../domain/settlements.js';
import { Obj } from '../http/schemas/common.js';
import { component } from '../http/schemas/components.js';

const Minor = (description: string) => Type.Integer({ description: `${description}, in minor units` });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const DateTime = (description: string) => Type.String({ format: 'date-time', description });

export const PayoutTotals = component(
  'SettlementPayoutTotals',
  Obj({
    commission_amount: Minor('Commissions'),
    repay_amount: Minor('Repayments'),
    sale_amount: Minor('Sales'),
    holdback_amount: Minor('Held back'),
    tax_amount: Minor('Tax'),
    settlement_amount: Minor('What is paid out: the sum of the transactions, signed'),
    fee_correction_amount: Minor('Fee corrections'),
    reversal_amount: Minor('Reversals'),
    release_amount: Minor('Released from holdback'),
    return_amount: Minor('Returns'),
    fee_amount: Minor('Fees'),
    charge_amount: Minor('Charges'),
    credit_amount: Minor('Credits'),
    deposit_amount: Minor('Deposits'),
  }),
);

export const Payout = component(
  'SettlementPayout',
  Obj({
    totals: PayoutTotals,
    payment_reference: Type.String({ description: 'The reference of the payout, as on the bank statement' }),
    payout_date: DateTime('The day of the payout, 00:00 UTC on the merchant clock'),
    currency_code: Type.String(),
    currency_code_of_registration_country: Type.String(),
    merchant_settlement_type: Type.Literal('NET'),
    merchant_id: Type.String(),
  }),
);

export const Pagination = component(
  'SettlementPagination',
  Obj({
    count: Type.Integer({ description: 'How many in this page' }),
    total: Type.Integer({ description: 'How many in all' }),
    offset: Type.Integer(),
    next: Type.Optional(Type.String({ description: 'The next page (absolute URL)' })),
    prev: Type.Optional(Type.String({ description: 'The previous page (absolute URL)' })),
  }),
);

export const PayoutCollection = component('SettlementPayoutCollection', Obj({ payouts: Type.Array(Payout), pagination: Pagination }));

export const Transaction = component(
  'SettlementTransaction',
  Obj({
    amount: Minor('Signed from the merchant side'),
    capture_id: Nullable(Type.String()),
    merchant_reference1: Nullable(Type.String()),
    sale_date: DateTime('When the capture or refund was made (merchant clock)'),
    type: Type.Union([Type.Literal('SALE'), Type.Literal('RETURN'), Type.Literal('FEE')]),
    capture_date: Nullable(DateTime('When the capture was made')),
    payment_reference: Nullable(Type.String({ description: 'Its payout, once paid out' })),
    order_id: Type.String(),
    payout: Nullable(DateTime('Its payout date, once paid out')),
    refund_id: Nullable(Type.String()),
    short_order_id: Type.String(),
    merchant_reference2: Nullable(Type.String()),
    currency_code: Type.String(),
    purchase_country: Type.String(),
    vat_rate: Type.Null(),
    vat_amount: Type.Null(),
    shipping_country: Nullable(Type.String()),
    initial_payment_method_type: Type.Null(),
    initial_number_of_installments: Type.Optional(Type.Null({ description: 'klarna profile only (deprecated)' })),
    initial_payment_method_monthly_downpayments: Type.Optional(Type.Null({ description: 'klarna profile only (deprecated)' })),
    merchant_capture_reference: Nullable(Type.String()),
    merchant_refund_reference: Nullable(Type.String()),
    detailed_type: Type.String(),
  }),
);

export const TransactionCollection = component('SettlementTransactionCollection', Obj({ transactions: Type.Array(Transaction), pagination: Pagination }));

const summaryTotals = Object.fromEntries(
  ['commission', 'repay', 'sale', 'holdback', 'tax', 'settlement', 'fee_correction', 'reversal', 'release', 'return', 'fee', 'charge', 'credit', 'deposit'].map((k) => [
    `summary_total_${k}_amount`,
    Minor(`Sum of the payouts' ${k.replace('_', ' ')} amounts`),
  ]),
);

export const PayoutSummary = component(
  'SettlementPayoutSummary',
  Obj({
    ...summaryTotals,
    summary_settlement_currency: Type.String(),
    summary_payout_date_start: DateTime('The first payout date'),
    summary_payout_date_end: DateTime('The last payout date'),
  }),
);

const Size = Type.String({ pattern: '^[1-9][0-9]{0,2}$', description: 'Page size, 1–500 (default 20)' });
const Offset = Type.String({ pattern: '^[0-9]{1,9}$', description: 'Where the page starts (default 0)' });
const DateParam = (description: string) => Type.String({ maxLength: 40, description: `${description}: YYYY-MM-DD or an ISO 8601 date-time` });

export const PayoutListQuery = Type.Object({
  start_date: Type.Optional(DateParam('Payouts from this date')),
  end_date: Type.Optional(DateParam('Payouts up to this date')),
  currency_code: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  size: Type.Optional(Size),
  offset: Type.Optional(Offset),
});

export const SummaryQuery = Type.Object({
  start_date: DateParam('From this payout date'),
  end_date: DateParam('Up to this payout date'),
  currency_code: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
});

export const TransactionListQuery = Type.Object({
  payment_reference: Type.Optional(Type.String({ maxLength: 100 })),
  order_id: Type.Optional(Type.String({ maxLength: 100 })),
  start_date: Type.Optional(DateParam('Transactions made from this time')),
  end_date: Type.Optional(DateParam('Transactions made up to this time')),
  size: Type.Optional(Size),
  offset: Type.Optional(Offset),
});

export const PayoutReportQuery = Type.Object({ payment_reference: Type.String({ maxLength: 100 }) });
export const SummaryReportQuery = Type.Object({ start_date: DateParam('From this payout date'), end_date: DateParam('Up to this payout date') });

// A payout's reference is letters and digits (OpenOM's are OPNM + 12 hex digits; Klarna's look alike):
// anything else in the path is a malformed reference (400 naming it), not an unknown one (404).
export const PAYMENT_REFERENCE_PATTERN = '^[A-Za-z0-9-]{1,100}$';
export const PaymentReferenceParams = Type.Object({ payment_reference: Type.String({ pattern: PAYMENT_REFERENCE_PATTERN }) });

export const SettlementTermsBody = Obj({
  fee_rate_bp: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_FEE_RATE_BP, description: 'Percentage fee per capture in basis points' })),
  fee_fixed: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_FEE_FIXED, description: 'Fixed fee per capture, minor units' })),
  payout_delay_days: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PAYOUT_DELAY_DAYS })),
});

export const SettlementTerms = component(
  'SettlementTerms',
  Obj({ fee_rate_bp: Type.Integer(), fee_fixed: Type.Integer(), payout_delay_days: Type.Integer() }),
);

export const MerchantSettlementPatch = Obj({ settlement: SettlementTermsBody });
