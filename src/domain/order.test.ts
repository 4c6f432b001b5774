import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkInvariants, refundableAmount, remainingAuthorizedAmount, statusOf, type OrderState } from './order.js';
import { DAY_MS } from './time.js';
import { orderState } from '../../test/support/orderState.js';

const CREATED = new Date('2025-03-01T12:00:00Z');
const EXPIRES = new Date(CREATED.getTime() + 28 * DAY_MS);
const BEFORE_EXPIRY = new Date(EXPIRES.getTime() - 1);
const AT_EXPIRY = EXPIRES;

const order = (overrides: Partial<OrderState> = {}) => orderState(CREATED, overrides);

describe('statusOf', () => {
  it('is AUTHORIZED with nothing captured before expires_at', () => {
    assert.equal(statusOf(order(), CREATED), 'AUTHORIZED');
    assert.equal(statusOf(order(), BEFORE_EXPIRY), 'AUTHORIZED');
  });

  it('is PART_CAPTURED after a partial capture', () => {
    assert.equal(statusOf(order({ captured_amount: 1 }), CREATED), 'PART_CAPTURED');
    assert.equal(statusOf(order({ captured_amount: 9_999 }), CREATED), 'PART_CAPTURED');
  });

  it('is CAPTURED when everything is captured, even after expires_at', () => {
    assert.equal(statusOf(order({ captured_amount: 10_000 }), CREATED), 'CAPTURED');
    assert.equal(statusOf(order({ captured_amount: 10_000 }), AT_EXPIRY), 'CAPTURED');
  });

  it('is CAPTURED after a release on a part-captured order, even after expires_at', () => {
    assert.equal(statusOf(order({ captured_amount: 4_000, released: true }), CREATED), 'CAPTURED');
    assert.equal(statusOf(order({ captured_amount: 4_000, released: true }), new Date(EXPIRES.getTime() + DAY_MS)), 'CAPTURED');
  });

  it('stays CAPTURED after a full refund (as Klarna does)', () => {
    assert.equal(statusOf(order({ captured_amount: 10_000, refunded_amount: 10_000 }), CREATED), 'CAPTURED');
    assert.equal(statusOf(order({ captured_amount: 4_000, refunded_amount: 4_000 }), CREATED), 'PART_CAPTURED');
  });

  it('is CANCELLED after a cancel, whatever the time', () => {
    assert.equal(statusOf(order({ cancelled: true }), CREATED), 'CANCELLED');
    assert.equal(statusOf(order({ cancelled: true }), new Date(EXPIRES.getTime() + DAY_MS)), 'CANCELLED');
  });

  it('is EXPIRED from expires_at on, with nothing or part captured and nothing released', () => {
    assert.equal(statusOf(order(), AT_EXPIRY), 'EXPIRED');
    assert.equal(statusOf(order({ captured_amount: 4_000 }), AT_EXPIRY), 'EXPIRED');
  });
});

describe('remainingAuthorizedAmount', () => {
  it('is order_amount minus captured_amount while the authorization lives', () => {
    assert.equal(remainingAuthorizedAmount(order(), CREATED), 10_000);
    assert.equal(remainingAuthorizedAmount(order({ captured_amount: 3_000 }), BEFORE_EXPIRY), 7_000);
  });

  it('is 0 when fully captured, released, cancelled or expired', () => {
    assert.equal(remainingAuthorizedAmount(order({ captured_amount: 10_000 }), CREATED), 0);
    assert.equal(remainingAuthorizedAmount(order({ captured_amount: 3_000, released: true }), CREATED), 0);
    assert.equal(remainingAuthorizedAmount(order({ cancelled: true }), CREATED), 0);
    assert.equal(remainingAuthorizedAmount(order({ captured_amount: 3_000 }), AT_EXPIRY), 0);
  });

  it('does not count refunds: a refund gives money back, not authorization', () => {
    assert.equal(remainingAuthorizedAmount(order({ captured_amount: 3_000, refunded_amount: 3_000 }), CREATED), 7_000);
    assert.equal(refundableAmount(order({ captured_amount: 3_000, refunded_amount: 1_000 })), 2_000);
  });
});

describe('checkInvariants', () => {
  const captures = [
    { captured_amount: 3_000, refunded_amount: 1_000 },
    { captured_amount: 2_000, refunded_amount: 0 },
  ];
  const refunds = [{ refunded_amount: 1_000 }];

  it('finds nothing wrong with a consistent order', () => {
    assert.deepEqual(checkInvariants(order({ captured_amount: 5_000, refunded_amount: 1_000 }), captures, refunds, CREATED), []);
  });

  it('names each broken rule', () => {
    const rules = (s: OrderState, c = captures, r = refunds) => checkInvariants(s, c, r, CREATED).map((v) => v.rule);
    assert.ok(rules(order({ order_amount: 4_000, captured_amount: 5_000, refunded_amount: 1_000 })).includes('captured_le_order'));
    assert.ok(rules(order({ captured_amount: 5_000, refunded_amount: 6_000 })).includes('refunded_le_captured'));
    assert.ok(rules(order({ captured_amount: 4_000, refunded_amount: 1_000 })).includes('captures_sum'));
    assert.ok(rules(order({ captured_amount: 5_000, refunded_amount: 1_000 }), captures, []).includes('refunds_sum'));
    assert.ok(
      rules(order({ captured_amount: 5_000, refunded_amount: 1_000 }), [{ captured_amount: 5_000, refunded_amount: 0 }]).includes('refund_allocation_sum'),
    );
    assert.ok(rules(order({ captured_amount: 5_000, refunded_amount: 1_000, cancelled: true })).includes('cancelled_without_captures'));
    assert.ok(rules(order({ order_amount: 1.5 }), [], []).includes('amount_range'));
    assert.ok(
      rules(order({ captured_amount: 0, refunded_amount: 0 }), [{ captured_amount: 0, refunded_amount: 0 }], [{ refunded_amount: 0 }]).includes(
        'capture_positive',
      ),
    );
    assert.ok(
      rules(order({ captured_amount: 5_000, refunded_amount: 1_000 }), [
        { captured_amount: 1_000, refunded_amount: 2_000 },
        { captured_amount: 4_000, refunded_amount: -1_000 },
      ]).includes('capture_refund_le_captured'),
    );
  });
});
