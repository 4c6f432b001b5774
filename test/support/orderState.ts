// The domain tests' order: authorized for 10 000 minor units at `created`, expiring 28 days later
// (Klarna's authorization period), nothing captured, fraud review accepted; overrides on top.
import { AUTHORIZATION_PERIOD_DAYS } from '../../src/domain/decisions.js';
import type { OrderState } from '../../src/domain/order.js';
import { DAY_MS } from '../../src/domain/time.js';

export function orderState(created: Date, overrides: Partial<OrderState> = {}): OrderState {
  const expires = new Date(created.getTime() + AUTHORIZATION_PERIOD_DAYS * DAY_MS);
  return {
    order_amount: 10_000,
    original_order_amount: 10_000,
    captured_amount: 0,
    refunded_amount: 0,
    cancelled: false,
    released: false,
    created_at: created,
    expires_at: expires,
    initial_expires_at: expires,
    fraud_status: 'ACCEPTED',
    acknowledged: false,
    expiry_recorded: false,
    ...overrides,
  };
}
