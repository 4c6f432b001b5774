// Request and response schemas of the Order Management API and the admin order intake.
// One schema each: it validates, types the handler and documents the route in /openapi.json.
import { Type, type Static } from '@sinclair/typebox';
import {
  Address,
  Amount,
  CountryCode,
  CurrencyCode,
  Customer,
  InitialPaymentMethod,
  Locale,
  Obj,
  OrderLine,
  OrderLines,
  SelectedShippingOption,
  ShippingInfo,
  ShippingInfoList,
  Text,
} from './common.js';
import { component } from './components.js';
import {
  CAPTURE_EXAMPLE,
  CAPTURE_REQUEST_EXAMPLE,
  ORDER_EXAMPLE,
  ORDER_INTAKE_EXAMPLE,
  REFUND_EXAMPLE,
  REFUND_REQUEST_EXAMPLE,
} from './examples.js';

const Opt = Type.Optional;
const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 UTC' });

const captureRequestSchema = Obj({
  captured_amount: Amount({ minimum: 1, description: 'The captured amount in minor units' }),
  description: Opt(Text(255)),
  reference: Opt(Text(255)),
  order_lines: Opt(OrderLines(0)),
  shipping_info: Opt(ShippingInfoList(0)),
  shipping_delay: Opt(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
});
export type CaptureBody = Static<typeof captureRequestSchema>;
export const CaptureBody = component('CaptureRequest', captureRequestSchema, [CAPTURE_REQUEST_EXAMPLE]);

const refundRequestSchema = Obj({
  refunded_amount: Amount({ minimum: 1, description: 'The refunded amount in minor units' }),
  description: Opt(Text(255)),
  reference: Opt(Text(255)),
  order_lines: Opt(OrderLines(0)),
});
export type RefundBody = Static<typeof refundRequestSchema>;
export const RefundBody = component('RefundRequest', refundRequestSchema, [REFUND_REQUEST_EXAMPLE]);

export const ShippingInfoBody = component('ShippingInfoRequest', Obj({ shipping_info: ShippingInfoList(1) }));
export type ShippingInfoBody = Static<typeof ShippingInfoBody>;

export const MerchantReferencesBody = component(
  'MerchantReferencesUpdate',
  Obj({
    merchant_reference1: Opt(Text(255)),
    merchant_reference2: Opt(Text(255)),
  }),
);
export type MerchantReferencesBody = Static<typeof MerchantReferencesBody>;

export const CustomerDetailsBody = component(
  'CustomerDetailsUpdate',
  Obj({
    shipping_address: Opt(Address),
    billing_address: Opt(Address),
  }),
);
export type CustomerDetailsBody = Static<typeof CustomerDetailsBody>;

export const UpdateAuthorizationBody = component(
  'AuthorizationUpdate',
  Obj({
    order_amount: Amount({ description: 'The new total order amount in minor units' }),
    description: Opt(Text(255)),
    order_lines: OrderLines(0),
  }),
);
export type UpdateAuthorizationBody = Static<typeof UpdateAuthorizationBody>;

export const ExtendDueDateBody = component(
  'DueDateExtension',
  Obj({
    number_of_days: Type.Integer({ minimum: 1, maximum: 365 }),
  }),
);
export type ExtendDueDateBody = Static<typeof ExtendDueDateBody>;

const orderIntakeSchema = Obj({
  purchase_country: CountryCode,
  purchase_currency: CurrencyCode,
  locale: Opt(Locale),
  order_amount: Amount(),
  order_tax_amount: Opt(Amount()),
  order_lines: OrderLines(1),
  billing_address: Opt(Address),
  shipping_address: Opt(Address),
  customer: Opt(Customer),
  merchant_reference1: Opt(Text(255)),
  merchant_reference2: Opt(Text(255)),
  merchant_data: Opt(Text(6000)),
  initial_payment_method: Opt(InitialPaymentMethod),
  selected_shipping_option: Opt(SelectedShippingOption),
  fraud_status: Opt(Type.Union([Type.Literal('ACCEPTED'), Type.Literal('PENDING'), Type.Literal('REJECTED')])),
  expires_at: Opt(Timestamp),
});
export type OrderIntakeBody = Static<typeof orderIntakeSchema>;
export const OrderIntakeBody = component('OrderIntake', orderIntakeSchema, [ORDER_INTAKE_EXAMPLE]);

const captureSchema = Obj({
  capture_id: Type.String(),
  klarna_reference: Type.String(),
  captured_amount: Type.Integer(),
  captured_at: Timestamp,
  description: Opt(Type.String()),
  reference: Opt(Type.String()),
  order_lines: Type.Array(OrderLine),
  refunded_amount: Type.Integer(),
  billing_address: Opt(Address),
  shipping_address: Opt(Address),
  shipping_info: Type.Array(ShippingInfo),
});
export type CaptureResponse = Static<typeof captureSchema>;
export const CaptureResponse = component('Capture', captureSchema, [CAPTURE_EXAMPLE]);

const refundSchema = Obj({
  refund_id: Type.String(),
  refunded_amount: Type.Integer(),
  refunded_at: Timestamp,
  description: Opt(Type.String()),
  reference: Opt(Type.String()),
  order_lines: Type.Array(OrderLine),
  credit_invoice: Type.Boolean({
    description: "As Klarna reports it: whether a B2B order paid by invoice got the refund as a credit invoice. OpenOM has no B2B invoices: always false",
  }),
});
export type RefundResponse = Static<typeof refundSchema>;
export const RefundResponse = component('Refund', refundSchema, [REFUND_EXAMPLE]);

export const OrderStatus = component(
  'OrderStatus',
  Type.Union(['AUTHORIZED', 'PART_CAPTURED', 'CAPTURED', 'CANCELLED', 'EXPIRED', 'CLOSED'].map((s) => Type.Literal(s))),
);

const orderSchema = Obj({
  order_id: Type.String(),
  status: OrderStatus,
  fraud_status: Type.String(),
  order_amount: Type.Integer(),
  original_order_amount: Type.Integer(),
  captured_amount: Type.Integer(),
  refunded_amount: Type.Integer(),
  remaining_authorized_amount: Type.Integer(),
  purchase_country: Type.String(),
  purchase_currency: Type.String(),
  locale: Type.String(),
  klarna_reference: Type.String(),
  merchant_reference1: Opt(Type.String()),
  merchant_reference2: Opt(Type.String()),
  merchant_data: Opt(Type.String()),
  billing_address: Opt(Address),
  shipping_address: Opt(Address),
  customer: Opt(Customer),
  initial_payment_method: Opt(InitialPaymentMethod),
  selected_shipping_option: Opt(SelectedShippingOption),
  order_lines: Type.Array(OrderLine),
  captures: Type.Array(CaptureResponse),
  refunds: Type.Array(RefundResponse),
  shipping_info: Type.Array(ShippingInfo),
  created_at: Timestamp,
  expires_at: Timestamp,
});
// The store assembles these from validated, stored JSON; the schema is the wire contract.
export type OrderResponse = Static<typeof orderSchema>;
export const OrderResponse = component('Order', orderSchema, [ORDER_EXAMPLE]);

export const DueDateOptionsResponse = component(
  'DueDateOptions',
  Obj({
    currency: Type.String(),
    options: Type.Array(Obj({ number_of_days: Type.Integer(), amount: Type.Integer() })),
  }),
);
