import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decideCancel,
  decideExpiry,
  decideCapture,
  decideExtendAuthorization,
  decideFraudDecision,
  decideExtendDueDate,
  decideRefund,
  decideRelease,
  decideUpdateAuthorization,
  dueDateExtensionOptions,
} from './decisions.js';
import { remainingAuthorizedAmount, type OrderState } from './order.js';
import { DAY_MS } from './time.js';

const CREATED = new Date('2025-01-01T00:00:00Z');
const EXPIRES = new Date(CREATED.getTime() + 28 * DAY_MS);
const day = (n: number) => new Date(CREATED.getTime() + n * DAY_MS);

function order(overrides: Partial<OrderState> = {}): OrderState {
  return {
    order_amount: 10_000,
    original_order_amount: 10_000,
    captured_amount: 0,
    refunded_amount: 0,
    cancelled: false,
    released: false,
    created_at: CREATED,
    expires_at: EXPIRES,
    initial_expires_at: EXPIRES,
    fraud_status: 'ACCEPTED',
    acknowledged: false,
    expiry_recorded: false,
    ...overrides,
  };
}

const codeOf = (d: { ok: boolean; code?: string }) => (d.ok ? 'OK' : d.code);

describe('decideCapture', () => {
  it('accepts up to the remaining authorized amount and refuses one unit more', () => {
    assert.equal(codeOf(decideCapture(order({ captured_amount: 4_000 }), { captured_amount: 6_000 }, CREATED)), 'OK');
    assert.equal(codeOf(decideCapture(order({ captured_amount: 4_000 }), { captured_amount: 6_001 }, CREATED)), 'CAPTURE_NOT_ALLOWED');
  });

  it('refuses cancelled, expired, released and fully captured orders', () => {
    assert.equal(codeOf(decideCapture(order({ cancelled: true }), { captured_amount: 1 }, CREATED)), 'CAPTURE_NOT_ALLOWED');
    assert.equal(codeOf(decideCapture(order(), { captured_amount: 1 }, EXPIRES)), 'CAPTURE_NOT_ALLOWED');
    assert.equal(codeOf(decideCapture(order({ captured_amount: 1, released: true }), { captured_amount: 1 }, CREATED)), 'CAPTURE_NOT_ALLOWED');
    assert.equal(codeOf(decideCapture(order({ captured_amount: 10_000 }), { captured_amount: 1 }, CREATED)), 'CAPTURE_NOT_ALLOWED');
  });

  it('refuses amounts that are not positive integers as BAD_VALUE', () => {
    for (const captured_amount of [0, -1, 1.5, Number.NaN, 2 ** 53, 200_000_001]) {
      assert.equal(codeOf(decideCapture(order(), { captured_amount }, CREATED)), 'BAD_VALUE', String(captured_amount));
    }
  });
});

describe('decideRefund allocation', () => {
  const captures = [
    { capture_id: 'first', captured_amount: 3_000, refunded_amount: 0 },
    { capture_id: 'second', captured_amount: 5_000, refunded_amount: 0 },
  ];
  const captured = order({ captured_amount: 8_000 });

  it('draws on the oldest capture first', () => {
    const d = decideRefund(captured, captures, { refunded_amount: 2_000 });
    assert.ok(d.ok);
    assert.deepEqual(d.value.allocations, [{ capture_id: 'first', amount: 2_000 }]);
  });

  it('spills over to the next capture when the oldest is used up', () => {
    const d = decideRefund(captured, captures, { refunded_amount: 4_500 });
    assert.ok(d.ok);
    assert.deepEqual(d.value.allocations, [
      { capture_id: 'first', amount: 3_000 },
      { capture_id: 'second', amount: 1_500 },
    ]);
  });

  it('skips captures that are already fully refunded', () => {
    const partly = [
      { capture_id: 'first', captured_amount: 3_000, refunded_amount: 3_000 },
      { capture_id: 'second', captured_amount: 5_000, refunded_amount: 1_000 },
    ];
    const d = decideRefund(order({ captured_amount: 8_000, refunded_amount: 4_000 }), partly, { refunded_amount: 4_000 });
    assert.ok(d.ok);
    assert.deepEqual(d.value.allocations, [{ capture_id: 'second', amount: 4_000 }]);
  });

  it('refuses more than captured minus refunded, and any refund without captures', () => {
    assert.equal(codeOf(decideRefund(captured, captures, { refunded_amount: 8_001 })), 'REFUND_NOT_ALLOWED');
    assert.equal(codeOf(decideRefund(captured, captures, { refunded_amount: 8_000 })), 'OK');
    assert.equal(codeOf(decideRefund(order(), [], { refunded_amount: 1 })), 'REFUND_NOT_ALLOWED');
    assert.equal(codeOf(decideRefund(captured, captures, { refunded_amount: 0 })), 'BAD_VALUE');
  });
});

describe('decideCancel and decideRelease', () => {
  it('cancel: only with nothing captured, and only once', () => {
    assert.equal(codeOf(decideCancel(order())), 'OK');
    assert.equal(codeOf(decideCancel(order({ captured_amount: 1 }))), 'CANCEL_NOT_ALLOWED');
    assert.equal(codeOf(decideCancel(order({ cancelled: true }))), 'CANCEL_NOT_ALLOWED');
  });

  it('release: after a partial capture; not when cancelled, uncaptured, fully captured, already released or expired', () => {
    const d = decideRelease(order({ captured_amount: 4_000 }), CREATED);
    assert.ok(d.ok);
    assert.equal(d.value.released_amount, 6_000);
    assert.equal(codeOf(decideRelease(order({ cancelled: true }), CREATED)), 'NOT_ALLOWED');
    assert.equal(codeOf(decideRelease(order(), CREATED)), 'NOT_ALLOWED');
    assert.equal(codeOf(decideRelease(order({ captured_amount: 10_000 }), CREATED)), 'NOT_ALLOWED');
    assert.equal(codeOf(decideRelease(order({ captured_amount: 4_000, released: true }), CREATED)), 'NOT_ALLOWED');
    assert.equal(codeOf(decideRelease(order({ captured_amount: 4_000 }), EXPIRES)), 'NOT_ALLOWED');
  });
});

describe('decideExtendAuthorization', () => {
  for (const profile of ['kustom', 'klarna'] as const) {
    it(`${profile}: moves expires_at to now + 28 days, exact to the second, and returns it as the next state`, () => {
      const d = decideExtendAuthorization(order(), new Date(day(14).getTime() + 1_500), profile);
      assert.ok(d.ok);
      assert.equal(d.value.expires_at.toISOString(), new Date(day(42).getTime() + 1_000).toISOString());
      assert.equal(d.value.next.expires_at.toISOString(), d.value.expires_at.toISOString());
    });

    it(`${profile}: never moves expires_at earlier`, () => {
      const d = decideExtendAuthorization(order({ expires_at: day(60) }), day(1), profile);
      assert.ok(d.ok);
      assert.equal(d.value.expires_at.toISOString(), day(60).toISOString());
    });

    it(`${profile}: refuses cancelled, expired, fully captured and released orders`, () => {
      assert.equal(codeOf(decideExtendAuthorization(order({ cancelled: true }), day(1), profile)), 'NOT_ALLOWED');
      assert.equal(codeOf(decideExtendAuthorization(order(), EXPIRES, profile)), 'NOT_ALLOWED');
      assert.equal(codeOf(decideExtendAuthorization(order({ captured_amount: 10_000 }), day(1), profile)), 'NOT_ALLOWED');
      assert.equal(codeOf(decideExtendAuthorization(order({ captured_amount: 1, released: true }), day(1), profile)), 'NOT_ALLOWED');
    });
  }

  it('klarna: caps the new expiry at 180 days after the purchase, then refuses', () => {
    const d = decideExtendAuthorization(order({ expires_at: day(170) }), day(160), 'klarna');
    assert.ok(d.ok);
    assert.equal(d.value.expires_at.toISOString(), day(180).toISOString());
    assert.equal(codeOf(decideExtendAuthorization(order({ expires_at: day(180) }), day(170), 'klarna')), 'NOT_ALLOWED');
  });

  it('kustom: caps the new expiry at the first expires_at + 90 days, then refuses', () => {
    // First expiry at day 28: the cap is day 118, whatever the purchase date.
    const d = decideExtendAuthorization(order({ expires_at: day(100) }), day(99), 'kustom');
    assert.ok(d.ok);
    assert.equal(d.value.expires_at.toISOString(), day(118).toISOString());
    assert.equal(codeOf(decideExtendAuthorization(order({ expires_at: day(118) }), day(110), 'kustom')), 'NOT_ALLOWED');
  });
});

describe('decideCapture under fraud review', () => {
  it('refuses PENDING and REJECTED orders with CAPTURE_NOT_ALLOWED and accepts ACCEPTED ones', () => {
    assert.equal(codeOf(decideCapture(order({ fraud_status: 'PENDING' }), { captured_amount: 1 }, CREATED)), 'CAPTURE_NOT_ALLOWED');
    assert.equal(codeOf(decideCapture(order({ fraud_status: 'REJECTED' }), { captured_amount: 1 }, CREATED)), 'CAPTURE_NOT_ALLOWED');
    assert.equal(codeOf(decideCapture(order({ fraud_status: 'ACCEPTED' }), { captured_amount: 1 }, CREATED)), 'OK');
  });
});

describe('decideFraudDecision', () => {
  it('ACCEPTED sets fraud_status ACCEPTED and leaves the order authorized', () => {
    const d = decideFraudDecision(order({ fraud_status: 'PENDING' }), 'ACCEPTED');
    assert.ok(d.ok);
    assert.equal(d.value.next.fraud_status, 'ACCEPTED');
    assert.equal(d.value.next.cancelled, false);
  });

  it('REJECTED and STOPPED set fraud_status REJECTED and cancel the order', () => {
    for (const decision of ['REJECTED', 'STOPPED'] as const) {
      const d = decideFraudDecision(order({ fraud_status: 'PENDING' }), decision);
      assert.ok(d.ok);
      assert.equal(d.value.next.fraud_status, 'REJECTED');
      assert.equal(d.value.next.cancelled, true);
      assert.equal(remainingAuthorizedAmount(d.value.next, CREATED), 0);
    }
  });

  it('refuses an order that is not PENDING with NOT_ALLOWED', () => {
    assert.equal(codeOf(decideFraudDecision(order({ fraud_status: 'ACCEPTED' }), 'ACCEPTED')), 'NOT_ALLOWED');
    assert.equal(codeOf(decideFraudDecision(order({ fraud_status: 'REJECTED' }), 'REJECTED')), 'NOT_ALLOWED');
  });
});

describe('decideExpiry', () => {
  it('records an expiry from expires_at on, once, while authorization is unused', () => {
    assert.deepEqual(decideExpiry(order(), new Date(EXPIRES.getTime() - 1000)), { action: 'wait', until: EXPIRES });
    assert.deepEqual(decideExpiry(order(), EXPIRES), { action: 'record', next: order({ expiry_recorded: true }) });
    assert.deepEqual(decideExpiry(order({ captured_amount: 4_000 }), EXPIRES), { action: 'record', next: order({ captured_amount: 4_000, expiry_recorded: true }) });
    assert.deepEqual(decideExpiry(order({ expiry_recorded: true }), EXPIRES), { action: 'none' });
  });

  it('records nothing for cancelled, released or fully captured orders', () => {
    assert.deepEqual(decideExpiry(order({ cancelled: true }), EXPIRES), { action: 'none' });
    assert.deepEqual(decideExpiry(order({ captured_amount: 1, released: true }), EXPIRES), { action: 'none' });
    assert.deepEqual(decideExpiry(order({ captured_amount: 10_000 }), EXPIRES), { action: 'none' });
  });
});

describe('decideUpdateAuthorization', () => {
  const lines = (amount: number) => [{ quantity: 1, unit_price: amount, total_amount: amount }];

  it('accepts a new amount down to the captured amount, and refuses below it', () => {
    assert.equal(codeOf(decideUpdateAuthorization(order({ captured_amount: 4_000 }), { order_amount: 4_000, order_lines: lines(4_000) }, CREATED)), 'OK');
    assert.equal(
      codeOf(decideUpdateAuthorization(order({ captured_amount: 4_000 }), { order_amount: 3_999, order_lines: lines(3_999) }, CREATED)),
      'NOT_ALLOWED',
    );
  });

  it('refuses lines that do not add up, and amounts out of range, as BAD_VALUE', () => {
    assert.equal(codeOf(decideUpdateAuthorization(order(), { order_amount: 5_000, order_lines: lines(4_000) }, CREATED)), 'BAD_VALUE');
    assert.equal(codeOf(decideUpdateAuthorization(order(), { order_amount: 200_000_000, order_lines: lines(200_000_000) }, CREATED)), 'OK');
    assert.equal(codeOf(decideUpdateAuthorization(order(), { order_amount: 200_000_001, order_lines: lines(200_000_001) }, CREATED)), 'BAD_VALUE');
    assert.equal(codeOf(decideUpdateAuthorization(order(), { order_amount: -1, order_lines: lines(-1) }, CREATED)), 'BAD_VALUE');
  });

  it('refuses a fully captured order, even to raise the amount (Klarna: fully captured orders cannot be updated)', () => {
    assert.equal(
      codeOf(decideUpdateAuthorization(order({ captured_amount: 10_000 }), { order_amount: 12_000, order_lines: lines(12_000) }, CREATED)),
      'NOT_ALLOWED',
    );
  });

  it('refuses cancelled, expired and released orders', () => {
    assert.equal(codeOf(decideUpdateAuthorization(order({ cancelled: true }), { order_amount: 1, order_lines: lines(1) }, CREATED)), 'NOT_ALLOWED');
    assert.equal(codeOf(decideUpdateAuthorization(order(), { order_amount: 1, order_lines: lines(1) }, EXPIRES)), 'NOT_ALLOWED');
    assert.equal(
      codeOf(decideUpdateAuthorization(order({ captured_amount: 1, released: true }), { order_amount: 1, order_lines: lines(1) }, CREATED)),
      'NOT_ALLOWED',
    );
  });
});

describe('due-date extension of a capture', () => {
  const capture = { captured_amount: 1_000, refunded_amount: 0, due_date_extension_days: 0 };

  it('offers 7, 14 and 30 days and accepts exactly those', () => {
    assert.deepEqual(
      dueDateExtensionOptions(capture).map((o) => o.number_of_days),
      [7, 14, 30],
    );
    assert.equal(codeOf(decideExtendDueDate(capture, 14)), 'OK');
    assert.equal(codeOf(decideExtendDueDate(capture, 10)), 'NOT_ALLOWED');
  });

  it('offers nothing once extended or fully refunded', () => {
    assert.deepEqual(dueDateExtensionOptions({ ...capture, due_date_extension_days: 7 }), []);
    assert.deepEqual(dueDateExtensionOptions({ ...capture, refunded_amount: 1_000 }), []);
    assert.equal(codeOf(decideExtendDueDate({ ...capture, due_date_extension_days: 7 }, 7)), 'NOT_ALLOWED');
  });
});
