// Request and response schemas of Klarna Payments API v1 (CONTRACT §14). Field names and limits are
// Klarna's; order lines and addresses are the Order Management ones. Read-only fields a client
// sends along (status, expires_at, session_id, client_token, authorization_token…: Klarna's .NET
// SDK always sends them, with 0001-01-01 dates) are not declared, so they are dropped unread.
import { Type, type Static } from '@sinclair/typebox';
import { MAX_MERCHANT_URL_LENGTH } from '../domain/checkout.js';
import { AUTHORIZATION_OUTCOMES } from '../domain/payments.js';
import { Address, Amount, CountryCode, CurrencyCode, Customer, Locale, Obj, OrderLines, Text, Uuid } from '../http/schemas/common.js';
import { component } from '../http/schemas/components.js';

const Opt = Type.Optional;
const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 UTC' });
const MerchantUrl = (description: string) => Opt(Type.String({ minLength: 1, maxLength: MAX_MERCHANT_URL_LENGTH, description: `${description} http or https.` }));

export const PaymentMerchantUrls = component('PaymentMerchantUrls', Obj({
  confirmation: MerchantUrl("Where the shopper's browser goes after the order is placed (the order's redirect_url)."),
  notification: MerchantUrl('Called when a pending order is decided (CONTRACT §7).'),
  push: MerchantUrl('Called (empty POST) after the order is placed, until it is acknowledged (CONTRACT §7).'),
  authorization: MerchantUrl('Called with {"authorization_token", "session_id"} when the session is authorized.'),
}));

const cartFields = {
  purchase_country: CountryCode,
  purchase_currency: CurrencyCode,
  locale: Locale,
  order_amount: Amount({ description: 'Total including tax, in minor units: the sum of order_lines[].total_amount' }),
  order_tax_amount: Opt(Amount({ description: 'Total tax in minor units: the sum of order_lines[].total_tax_amount' })),
  order_lines: OrderLines(1),
  merchant_urls: Opt(PaymentMerchantUrls),
  merchant_reference1: Opt(Text(255)),
  merchant_reference2: Opt(Text(255)),
  merchant_data: Opt(Text(6000)),
  billing_address: Opt(Address),
  shipping_address: Opt(Address),
  customer: Opt(Customer),
};

const Intent = Type.Union([Type.Literal('buy'), Type.Literal('tokenize'), Type.Literal('buy_and_tokenize')]);
const sessionSchema = Obj({ ...cartFields, intent: Opt(Intent) });

export const PaymentSessionBody = component('PaymentSessionRequest', sessionSchema);
export type PaymentSessionBody = Static<typeof PaymentSessionBody>;

/** An update sends only what changes; each field sent replaces the stored one as a whole. */
export const PaymentSessionUpdateBody = component('PaymentSessionUpdate', Type.Partial(sessionSchema, { additionalProperties: false }));
export type PaymentSessionUpdateBody = Static<typeof PaymentSessionUpdateBody>;

const PaymentMethodCategory = Obj({
  identifier: Type.String({ description: 'pay_later, pay_over_time, …' }),
  name: Type.String(),
  asset_urls: Obj({ descriptive: Type.String(), standard: Type.String() }),
});

export const PaymentSessionCreated = component('PaymentSessionCreated', Obj({
  session_id: Type.String({ description: 'UUID' }),
  client_token: Type.String({ description: "What Klarna's JavaScript (or OpenOM's drop-in api.js) is initialised with" }),
  payment_method_categories: Type.Array(PaymentMethodCategory),
}));

export const PaymentSession = component('PaymentSession', Obj({
  session_id: Type.String(),
  status: Type.Union([Type.Literal('incomplete'), Type.Literal('complete')]),
  expires_at: Timestamp,
  client_token: Type.String(),
  authorization_token: Opt(Type.String({ description: 'Once authorized: the latest authorization token' })),
  acquiring_channel: Type.String(),
  intent: Intent,
  payment_method_categories: Type.Array(PaymentMethodCategory),
  ...cartFields,
}));

export const SessionIdParams = Type.Object({ session_id: Uuid('Payment session id') });
export const AuthorizationTokenParams = Type.Object({ authorization_token: Uuid('Authorization token') });

export const PaymentOrderBody = component('PaymentOrderRequest', Obj({
  ...cartFields,
  auto_capture: Opt(Type.Boolean({ description: 'Capture the whole order at once (not for an order pending fraud review)' })),
}));
export type PaymentOrderBody = Static<typeof PaymentOrderBody>;

export const PaymentOrder = component('PaymentOrder', Obj({
  order_id: Type.String({ description: 'The Order Management order' }),
  redirect_url: Type.String({ description: "Where to send the shopper's browser: merchant_urls.confirmation, or the session's test page" }),
  fraud_status: Type.Union([Type.Literal('ACCEPTED'), Type.Literal('PENDING')]),
  authorized_payment_method: Obj({ type: Type.String({ description: 'invoice' }) }),
}));

export const AuthorizeBody = component('PaymentAuthorizeRequest', Obj({
  outcome: Type.Union(AUTHORIZATION_OUTCOMES.map((o) => Type.Literal(o)), { description: "The shopper's answer: accepted, pending (fraud review) or declined" }),
}));
export type AuthorizeBody = Static<typeof AuthorizeBody>;

export const AuthorizeResult = component('PaymentAuthorizeResult', Obj({
  approved: Type.Boolean(),
  authorization_token: Opt(Type.String({ description: 'When approved: valid 60 minutes (merchant clock)' })),
}));

export const PaymentCustomerTokenBody = component('PaymentCustomerTokenRequest', Obj({
  description: Text(255, { minLength: 1, description: 'What the customer is subscribing to; shown on the token' }),
  intended_use: Type.Literal('SUBSCRIPTION', { description: 'What the token is for: SUBSCRIPTION (recurring orders)' }),
  locale: Locale,
  purchase_country: CountryCode,
  purchase_currency: CurrencyCode,
}));
export type PaymentCustomerTokenBody = Static<typeof PaymentCustomerTokenBody>;

export const PaymentCustomerToken = component('PaymentCustomerToken', Obj({
  token_id: Type.String({ description: 'The customer token (CONTRACT §12): use it with /customer-token/v1/tokens/{token_id}' }),
  redirect_url: Type.String({ description: "Where to send the shopper's browser: the session's test page" }),
}));
