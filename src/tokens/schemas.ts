// Request and response schemas of the Customer Token API v1 (CONTRACT §12), with Klarna's field
// names; order lines and addresses are the Order Management ones.
import { Type, type Static } from '@sinclair/typebox';
import { MAX_MERCHANT_URL_LENGTH } from '../domain/checkout.js';
import { TOKEN_STATUSES } from '../domain/customerTokens.js';
import { Address, Amount, CurrencyCode, Locale, Obj, OrderLines, Text, Uuid } from '../http/schemas/common.js';
import { component } from '../http/schemas/components.js';

const Opt = Type.Optional;

/**
 * Klarna names the path parameter customerToken. Tokens are UUIDs: anything else is 400 BAD_VALUE
 * naming it, as every id in OpenOM's paths (Klarna says NOT_FOUND; one rule for all ids serves clients better).
 */
export const TokenParams = Type.Object({ customerToken: Uuid('The customer token (recurring_token of the checkout order)') });

export const CustomerToken = component(
  'CustomerToken',
  Obj({
    status: Type.Union(TOKEN_STATUSES.map((s) => Type.Literal(s)), { description: 'ACTIVE: can pay; SUSPENDED: paused (sandbox helper); CANCELLED: final' }),
    payment_method_type: Type.String({ description: 'The payment method the token charges: INVOICE in the sandbox' }),
    card: Opt(Obj({ brand: Type.String(), expiry_date: Type.String(), masked_number: Type.String() }, { description: 'Card tokens only (never in the sandbox, whose tokens pay by invoice)' })),
    direct_debit: Opt(Obj({ masked_number: Type.String() }, { description: 'Direct debit tokens only (never in the sandbox)' })),
  }),
  [{ status: 'ACTIVE', payment_method_type: 'INVOICE' }],
);

const TokenMerchantUrl = Text(MAX_MERCHANT_URL_LENGTH, { pattern: '^https?://[^\\s]+$', description: 'http or https URL' });

export const TokenOrderBody = component(
  'CustomerTokenOrderRequest',
  Obj({
    purchase_currency: CurrencyCode,
    order_amount: Amount({ minimum: 1, description: 'Total including tax, in minor units: the sum of order_lines[].total_amount; at least 1' }),
    order_tax_amount: Amount({ description: 'Total tax in minor units: the sum of order_lines[].total_tax_amount' }),
    order_lines: OrderLines(1),
    auto_capture: Opt(Type.Boolean({ description: 'Capture the whole amount at once: an ordinary capture, with its event and webhook' })),
    merchant_reference1: Opt(Text(255)),
    merchant_reference2: Opt(Text(255)),
    merchant_data: Opt(Text(6000)),
    merchant_urls: Opt(Obj({ confirmation: Opt(TokenMerchantUrl), push: Opt(TokenMerchantUrl) })),
    shipping_address: Opt(Address),
    locale: Opt(Locale),
  }),
);
export type TokenOrderBody = Static<typeof TokenOrderBody>;

export const TokenOrderResponse = component(
  'CustomerTokenOrder',
  Obj({
    order_id: Type.String({ description: 'The Order Management order: AUTHORIZED, or CAPTURED with auto_capture' }),
    fraud_status: Type.String({ description: 'ACCEPTED: a token order needs no review' }),
  }),
);

export const TokenCancelBody = component(
  'CustomerTokenStatusUpdate',
  Obj({ status: Type.Literal('CANCELLED', { description: 'The only status a merchant can set; final' }) }),
);

export const SandboxTokenStatusBody = component(
  'SandboxCustomerTokenStatus',
  Obj({ status: Type.Union([Type.Literal('ACTIVE'), Type.Literal('SUSPENDED')], { description: 'SUSPENDED: orders with the token are refused TOKEN_SUSPENDED; ACTIVE: usable again' }) }),
);
