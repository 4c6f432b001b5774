// Rules for an order entering OpenOM (the admin intake stands in for Klarna's checkout).
import { refuse, type Refusal } from './decision.js';
import { isCountryCode, isCurrencyCode } from './iso.js';
import { checkLineArithmetic, checkLinesSum, type OrderLineAmounts } from './orderLines.js';
import { isReadableTimestamp } from './time.js';

export interface IntakeFacts {
  purchase_country: string;
  purchase_currency: string;
  order_amount: number;
  order_lines: readonly OrderLineAmounts[];
  billing_address?: { country?: string };
  shipping_address?: { country?: string };
  expires_at?: string;
}

/** Returns why the order cannot be taken in, or undefined when it can. */
export function checkOrderIntake(order: IntakeFacts): Refusal | undefined {
  if (!isCountryCode(order.purchase_country)) {
    return refuse('BAD_VALUE', 'Bad value: purchase_country (must be an ISO 3166-1 alpha-2 country code)');
  }
  if (!isCurrencyCode(order.purchase_currency)) {
    return refuse('BAD_VALUE', 'Bad value: purchase_currency (must be an ISO 4217 currency code)');
  }
  if (order.expires_at !== undefined && !isReadableTimestamp(order.expires_at)) {
    return refuse('BAD_VALUE', 'Bad value: expires_at (must be a date-time such as 2030-12-31T23:59:59Z; leap seconds and hour-only offsets cannot be read)');
  }
  return (
    checkAddressCountry(order.billing_address, 'billing_address') ??
    checkAddressCountry(order.shipping_address, 'shipping_address') ??
    checkLineArithmetic(order.order_lines) ??
    checkLinesSum(order.order_lines, order.order_amount, 'order_amount')
  );
}

/** An address's country must be an assigned ISO 3166-1 code, not just two letters. */
export function checkAddressCountry(address: { country?: string } | undefined, field: string): Refusal | undefined {
  const country = address?.country;
  if (country !== undefined && !isCountryCode(country)) {
    return refuse('BAD_VALUE', `Bad value: ${field}.country (must be an ISO 3166-1 alpha-2 country code)`);
  }
  return undefined;
}