// Building blocks shared by request and response schemas, with Klarna's documented limits.
// Objects are closed (additionalProperties: false): unknown fields are dropped, as Klarna ignores them.
import { Type, type TSchema } from '@sinclair/typebox';
import { MAX_AMOUNT } from '../../domain/money.js';
import { component } from './components.js';

export const Text = (maxLength: number, extra: Record<string, unknown> = {}) => Type.String({ maxLength, ...extra });
const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
export const Obj = <P extends Record<string, TSchema>>(props: P, extra: Record<string, unknown> = {}) =>
  Type.Object(props, { additionalProperties: false, ...extra });

/** A non-negative amount in minor units, within Klarna's limit. */
export const Amount = (extra: Record<string, unknown> = {}) => Type.Integer({ minimum: 0, maximum: MAX_AMOUNT, ...extra });
/** A signed amount: discount lines carry negative prices and totals. */
const SignedAmount = (extra: Record<string, unknown> = {}) => Type.Integer({ minimum: -MAX_AMOUNT, maximum: MAX_AMOUNT, ...extra });

export const CountryCode = Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2' });
export const CurrencyCode = Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217' });
export const Locale = Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35, description: 'RFC 1766' });

export const Address = component(
  'Address',
  Obj({
    given_name: Opt(Text(100)),
    family_name: Opt(Text(100)),
    title: Opt(Text(20)),
    street_address: Opt(Text(100)),
    street_address2: Opt(Text(100)),
    street_name: Opt(Text(100)),
    street_number: Opt(Text(100)),
    house_extension: Opt(Text(100)),
    care_of: Opt(Text(100)),
    postal_code: Opt(Text(10)),
    city: Opt(Text(200)),
    region: Opt(Text(200)),
    country: Opt(CountryCode),
    email: Opt(Text(100)),
    phone: Opt(Text(100)),
    organization_name: Opt(Text(255)),
    attention: Opt(Text(255)),
  }),
);

const ProductIdentifiers = component(
  'ProductIdentifiers',
  Obj({
    brand: Opt(Text(70)),
    category_path: Opt(Text(750)),
    global_trade_item_number: Opt(Text(50)),
    manufacturer_part_number: Opt(Text(70)),
    color: Opt(Text(64)),
    size: Opt(Text(64)),
  }),
);

const OrderLineTypes = [
  'physical',
  'discount',
  'shipping_fee',
  'sales_tax',
  'store_credit',
  'gift_card',
  'digital',
  'surcharge',
  'return_fee',
  'package',
] as const;

export const OrderLine = component(
  'OrderLine',
  Obj({
    type: Opt(Type.Union(OrderLineTypes.map((t) => Type.Literal(t)))),
    reference: Opt(Text(255)),
    name: Text(255, { minLength: 1 }),
    quantity: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
    quantity_unit: Opt(Text(10)),
    unit_price: SignedAmount(),
    tax_rate: Opt(Type.Integer({ minimum: 0, maximum: 10_000, description: 'Percent with two implicit decimals' })),
    total_amount: SignedAmount({ description: 'quantity * unit_price - total_discount_amount' }),
    total_discount_amount: Opt(Amount()),
    total_tax_amount: Opt(SignedAmount()),
    merchant_data: Opt(Text(1024)),
    product_url: Opt(Text(1024)),
    image_url: Opt(Text(1024)),
    product_identifiers: Opt(ProductIdentifiers),
    subscription: Opt(
      Obj({
        name: Text(255),
        interval: Type.Union([Type.Literal('DAY'), Type.Literal('WEEK'), Type.Literal('MONTH'), Type.Literal('YEAR')]),
        interval_count: Type.Integer({ minimum: 1, maximum: 10_000 }),
      }),
    ),
  }),
);

const ShippingMethods = [
  'PickUpStore',
  'Home',
  'BoxReg',
  'BoxUnreg',
  'PickUpPoint',
  'Own',
  'Postal',
  'DHLPackstation',
  'Digital',
  'Undefined',
  'PickUpWarehouse',
  'ClickCollect',
  'PalletDelivery',
] as const;

export const ShippingInfo = component(
  'ShippingInfo',
  Obj({
    shipping_company: Opt(Text(100)),
    shipping_method: Opt(Type.Union(ShippingMethods.map((m) => Type.Literal(m)))),
    tracking_number: Opt(Text(100)),
    tracking_uri: Opt(Text(1024)),
    return_shipping_company: Opt(Text(100)),
    return_tracking_number: Opt(Text(100)),
    return_tracking_uri: Opt(Text(1024)),
  }),
);

export const Customer = component(
  'Customer',
  Obj({
    date_of_birth: Opt(Text(50)),
    national_identification_number: Opt(Text(100)),
    type: Opt(Text(20)),
    vat_id: Opt(Text(100)),
    organization_entity_type: Opt(Text(50)),
    organization_registration_id: Opt(Text(100)),
  }),
);

export const InitialPaymentMethod = component(
  'InitialPaymentMethod',
  Obj({
    type: Opt(Text(50)),
    description: Opt(Text(255)),
    number_of_installments: Opt(Type.Integer({ minimum: 0, maximum: 1000 })),
  }),
);

const ShippingLocationAddress = Obj({
  street_address: Opt(Text(100)),
  street_address2: Opt(Text(100)),
  postal_code: Opt(Text(10)),
  city: Opt(Text(200)),
  region: Opt(Text(200)),
  country: Opt(Type.String({ pattern: '^[A-Za-z]{2}$' })),
});

export const SelectedShippingOption = component(
  'SelectedShippingOption',
  Obj({
    id: Opt(Text(255)),
    name: Opt(Text(255)),
    method: Opt(Text(255)),
    type: Opt(Text(255)),
    class: Opt(Text(255)),
    carrier: Opt(Text(255)),
    tms_reference: Opt(Text(255)),
    price: Opt(SignedAmount()),
    tax_amount: Opt(SignedAmount()),
    tax_rate: Opt(Type.Integer({ minimum: 0, maximum: 10_000 })),
    carrier_product: Opt(Obj({ name: Opt(Text(255)), identifier: Opt(Text(255)) })),
    location: Opt(Obj({ id: Opt(Text(255)), name: Opt(Text(255)), price: Opt(SignedAmount()), address: Opt(ShippingLocationAddress) })),
    timeslot: Opt(Obj({ id: Opt(Text(255)), start: Opt(Text(64)), end: Opt(Text(64)), cutoff: Opt(Text(64)), price: Opt(SignedAmount()) })),
    selected_addons: Opt(
      Type.Array(Obj({ type: Text(255), price: SignedAmount(), external_id: Opt(Text(255)), user_input: Opt(Text(1024)) }), { maxItems: 100 }),
    ),
  }),
);

export const OrderLines = (minItems: number) => Type.Array(OrderLine, { minItems, maxItems: 1000 });
export const ShippingInfoList = (minItems: number) => Type.Array(ShippingInfo, { minItems, maxItems: 500 });

export const ErrorBody = component(
  'Error',
  Type.Object(
    {
      correlation_id: Type.String({ description: 'The same as the Klarna-Correlation-Id response header' }),
      error_code: Type.String({ description: 'BAD_VALUE, UNAUTHORIZED, NO_SUCH_ORDER, CAPTURE_NOT_ALLOWED, … (see the README)' }),
      error_messages: Type.Array(Type.String(), { description: 'What was wrong; a validation message names the field' }),
    },
    { description: "Klarna's error body, sent with every 4xx and 5xx" },
  ),
  [{ correlation_id: '6b1d7b4e-8c0f-4a8e-9a51-0d4f2d3c9e21', error_code: 'CAPTURE_NOT_ALLOWED', error_messages: ['Capture not allowed: the order is cancelled.'] }],
);

/**
 * An id OpenOM made, in a path: a UUID. Anything else names nothing and is answered 400 BAD_VALUE
 * naming the parameter, as Klarna answers it; a well-formed unknown id is a 404 (CONTRACT §4).
 */
export const Uuid = (description: string) => Type.String({ format: 'uuid', description });
const OrderId = Uuid('Order id');
export const OrderIdParams = Type.Object({ order_id: OrderId });
export const CaptureParams = Type.Object({ order_id: OrderId, capture_id: Uuid('Capture id') });
export const RefundParams = Type.Object({ order_id: OrderId, refund_id: Uuid('Refund id') });
export const MerchantIdParams = Type.Object({ merchant_id: Uuid('Merchant id') });

export const IdempotencyHeaders = Type.Object({
  'Klarna-Idempotency-Key': Type.Optional(
    Type.String({
      maxLength: 255,
      description: 'The first completed response for this key is stored with the change and replayed for every later request with it',
    }),
  ),
});
