// Request and response schemas of the Checkout API v3 (CONTRACT §6) and the sandbox completion.
// Field names and limits are Klarna's; order lines and addresses are the Order Management ones.
import { Type, type Static } from '@sinclair/typebox';
import { MAX_MERCHANT_URL_LENGTH, PURCHASE_OUTCOMES } from '../../domain/checkout.js';
import { Address, Amount, CountryCode, CurrencyCode, Customer, Locale, Obj, OrderLines, Text } from './common.js';
import { component } from './components.js';

const Opt = Type.Optional;
const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 UTC' });
const MerchantUrl = (description: string) =>
  Type.String({ minLength: 1, maxLength: MAX_MERCHANT_URL_LENGTH, description: `${description} http or https; {checkout.order.id} is replaced by the order id.` });
const HexColor = Type.String({ pattern: '^#[A-Fa-f0-9]{6}$', description: 'CSS hex color, e.g. #FF9900' });

export const MerchantUrls = component('MerchantUrls', Obj({
  terms: MerchantUrl('Terms and conditions page.'),
  checkout: MerchantUrl('Checkout page.'),
  confirmation: MerchantUrl("Confirmation page the shopper's browser goes to after the purchase."),
  push: MerchantUrl('Called (empty POST) once the purchase is made, until the order is acknowledged.'),
  validation: Opt(MerchantUrl('Called with the checkout order before the purchase is completed; may deny it.')),
  notification: Opt(MerchantUrl('Called when a pending purchase is decided.')),
}));

const Checkbox = Obj({ text: Text(1000), checked: Type.Boolean(), required: Type.Boolean() });

/** Klarna's checkout options: kept and returned; only require_validate_callback_success changes what OpenOM does. */
const CheckoutOptions = component('CheckoutOptions', Obj({
  require_validate_callback_success: Opt(Type.Boolean({ description: 'Only a 200 from the validation callback lets the purchase through' })),
  acquiring_channel: Opt(Type.Union(['ECOMMERCE', 'MOTO', 'IN_STORE', 'TELESALES'].map((c) => Type.Literal(c)))),
  allow_separate_shipping_address: Opt(Type.Boolean()),
  allowed_customer_types: Opt(Type.Array(Type.Union([Type.Literal('person'), Type.Literal('organization')]), { minItems: 1, maxItems: 2 })),
  color_button: Opt(HexColor),
  color_button_text: Opt(HexColor),
  color_checkbox: Opt(HexColor),
  color_checkbox_checkmark: Opt(HexColor),
  color_header: Opt(HexColor),
  color_link: Opt(HexColor),
  radius_border: Opt(Text(10)),
  date_of_birth_mandatory: Opt(Type.Boolean()),
  national_identification_number_mandatory: Opt(Type.Boolean()),
  phone_mandatory: Opt(Type.Boolean()),
  title_mandatory: Opt(Type.Boolean()),
  show_subtotal_detail: Opt(Type.Boolean()),
  vat_removed: Opt(Type.Boolean()),
  auto_capture: Opt(Type.Boolean()),
  shipping_details: Opt(Text(255)),
  additional_merchant_terms: Opt(Text(1000)),
  additional_checkbox: Opt(Checkbox),
  additional_checkboxes: Opt(Type.Array(Obj({ id: Text(255), text: Text(1000), checked: Type.Boolean(), required: Type.Boolean() }), { maxItems: 10 })),
}));

const checkoutFields = {
  purchase_country: CountryCode,
  purchase_currency: CurrencyCode,
  locale: Locale,
  order_amount: Amount({ description: 'Total including tax, in minor units: the sum of order_lines[].total_amount' }),
  order_tax_amount: Amount({ description: 'Total tax in minor units: the sum of order_lines[].total_tax_amount' }),
  order_lines: OrderLines(1),
  merchant_urls: MerchantUrls,
  merchant_reference1: Opt(Text(255)),
  merchant_reference2: Opt(Text(255)),
  merchant_data: Opt(Text(6000)),
  billing_address: Opt(Address),
  shipping_address: Opt(Address),
  customer: Opt(Customer),
  options: Opt(CheckoutOptions),
  recurring: Opt(Type.Boolean({ description: 'Make a customer token of the purchase (CONTRACT §12): the completed checkout order carries it as recurring_token' })),
  recurring_description: Opt(Text(255, { description: 'What the customer agrees to be charged for, kept with the token' })),
};

const checkoutOrderSchema = Obj(checkoutFields);
export const CheckoutOrderBody = component('CheckoutOrderRequest', checkoutOrderSchema);
export type CheckoutOrderBody = Static<typeof CheckoutOrderBody>;

/** An update sends only what changes; each field sent replaces the stored one as a whole. */
export const CheckoutOrderUpdateBody = component('CheckoutOrderUpdate', Type.Partial(checkoutOrderSchema, { additionalProperties: false }));
export type CheckoutOrderUpdateBody = Static<typeof CheckoutOrderUpdateBody>;

export const CheckoutStatus = Type.Union([Type.Literal('checkout_incomplete'), Type.Literal('checkout_complete')]);

export const CheckoutOrderResponse = component('CheckoutOrder', Obj({
  order_id: Type.String({ description: 'UUID; the Order Management order of the purchase has the same id' }),
  status: CheckoutStatus,
  ...checkoutFields,
  started_at: Timestamp,
  last_modified_at: Timestamp,
  completed_at: Opt(Timestamp),
  recurring_token: Opt(Type.String({ description: 'The customer token of a completed recurring checkout; only the merchant that created the checkout can use it' })),
  html_snippet: Type.String({ description: 'HTML to embed in the checkout page: an iframe with the hosted test checkout' }),
}));

const ShopperEmail = Type.String({ maxLength: 100, pattern: '^[^\\s@]+@[^\\s@]+$' });

export const CompletionBody = component('PurchaseRequest', Obj({
  outcome: Type.Union(PURCHASE_OUTCOMES.map((o) => Type.Literal(o)), { description: 'What the shopper and the fraud review decide' }),
  email: Opt(ShopperEmail),
}));
export type CompletionBody = Static<typeof CompletionBody>;
