// The examples /openapi.json shows, from a real run: examples/order-se.json put in through the
// admin intake, then the capture and the refund below, then GET order. test/http/openapi.test.ts
// makes the same requests and checks that the server still answers exactly this (ids and times aside).
import intake from '../../../examples/order-se.json' with { type: 'json' };
import type { CaptureBody, CaptureResponse, OrderIntakeBody, OrderResponse, RefundBody, RefundResponse } from './orders.js';

// A JSON import's strings are plain strings to the compiler; the intake validates it as it is.
export const ORDER_INTAKE_EXAMPLE = intake as OrderIntakeBody;

export const CAPTURE_REQUEST_EXAMPLE: CaptureBody = {
  captured_amount: 6000,
  description: 'Tomatoes shipped',
  reference: 'ship-1',
  shipping_info: [{ shipping_company: 'PostNord', shipping_method: 'Home', tracking_number: '1234567890' }],
};

export const REFUND_REQUEST_EXAMPLE: RefundBody = { refunded_amount: 1200, description: '2 kg returned', reference: 'return-1' };

export const CAPTURE_EXAMPLE: CaptureResponse = {
  capture_id: '81ccf55f-e59b-4333-a5c3-60b262733823',
  klarna_reference: 'S4LZCBR-1',
  captured_amount: 6000,
  captured_at: '2026-11-25T14:01:12Z',
  description: 'Tomatoes shipped',
  reference: 'ship-1',
  order_lines: [],
  refunded_amount: 1200,
  billing_address: ORDER_INTAKE_EXAMPLE.billing_address,
  shipping_address: ORDER_INTAKE_EXAMPLE.shipping_address,
  shipping_info: [{ shipping_company: 'PostNord', shipping_method: 'Home', tracking_number: '1234567890' }],
};

export const REFUND_EXAMPLE: RefundResponse = {
  refund_id: '432be155-26e4-49d8-8b11-3ef796070d47',
  refunded_amount: 1200,
  refunded_at: '2026-11-25T14:01:12Z',
  description: '2 kg returned',
  reference: 'return-1',
  order_lines: [],
  credit_invoice: false,
};

export const ORDER_EXAMPLE: OrderResponse = {
  order_id: '7af28512-e03a-4916-a698-e233296cef87',
  status: 'PART_CAPTURED',
  fraud_status: 'ACCEPTED',
  order_amount: 15400,
  original_order_amount: 15400,
  captured_amount: 6000,
  refunded_amount: 1200,
  remaining_authorized_amount: 9400,
  purchase_country: 'SE',
  purchase_currency: 'SEK',
  locale: 'sv-SE',
  klarna_reference: 'S4LZCBR',
  merchant_reference1: 'SE-1001',
  billing_address: ORDER_INTAKE_EXAMPLE.billing_address,
  shipping_address: ORDER_INTAKE_EXAMPLE.shipping_address,
  initial_payment_method: ORDER_INTAKE_EXAMPLE.initial_payment_method,
  selected_shipping_option: ORDER_INTAKE_EXAMPLE.selected_shipping_option,
  order_lines: ORDER_INTAKE_EXAMPLE.order_lines,
  captures: [CAPTURE_EXAMPLE],
  refunds: [REFUND_EXAMPLE],
  shipping_info: [],
  created_at: '2026-11-25T14:01:12Z',
  expires_at: '2026-12-23T14:01:12Z',
};
