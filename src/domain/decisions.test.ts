import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decideAcknowledge,
  decideCancel,
  decideExpiry,
  decideCapture,
  decideCustomerDetailsUpdate,
  decideExtendAuthorization,
  decideFraudDecision,
  decideExtendDueDate,
  decideMerchantReferencesUpdate,
  decideRefund,
  decideRelease,
  decideShippingInfoUpdate,
  decideUpdateAuthorization,
  dueDateExtensionOptions,
} from './decisions.js';
import { remainingAuthorizedAmount, type OrderState } from './order.js';
import type { OrderLineAmounts } from './orderLines.js';
import { DAY_MS } from './time.js';
import { assertPrecedence } from '../../test/support/precedence.js';
import { orderState } from '../../test/support/orderState.js';

const CREATED = new Date('2025-01-01T00:00:00Z');
const EXPIRES = new Date(CREATED.getTime() + 28 * DAY_MS);
const day = (n: number) => new Date(CREATED.getTime() + n * DAY_MS);

const order = (overrides: Partial<OrderState> = {}) => orderState(CREATED, overrides);

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

describe('refusal precedence: one table per decision, each row the refusal that comes first while the breaches below it remain', () => {
  type Case<R> = { order: OrderState; req: R; now: Date };
  const set =
    <R>(o: Partial<OrderState>) =>
    (c: Case<R>): Case<R> => ({ ...c, order: { ...c.order, ...o } });
  const ask =
    <R>(r: Partial<R>) =>
    (c: Case<R>): Case<R> => ({ ...c, req: { ...c.req, ...r } });
  const at =
    <R>(now: Date) =>
    (c: Case<R>): Case<R> => ({ ...c, now });
  const start = <R>(o: Partial<OrderState>, req: R, now = CREATED): Case<R> => ({ order: order(o), req, now });
  const lines = (amount: number): OrderLineAmounts[] => [{ quantity: 1, unit_price: amount, total_amount: amount }];
  const BAD_LINES: OrderLineAmounts[] = [{ quantity: 1, unit_price: 100, total_amount: 99 }];
  const AFTER_EXPIRY = day(30);

  it('decideCapture: amount, cancelled, fraud review (pending, rejected), nothing remaining, expired, more than remains, lines', () => {
    type R = { captured_amount: number; order_lines?: OrderLineAmounts[] };
    const breaches = start<R>({ cancelled: true, fraud_status: 'PENDING', captured_amount: 4_000, released: true }, { captured_amount: 0, order_lines: BAD_LINES }, AFTER_EXPIRY);
    assertPrecedence((c: Case<R>) => decideCapture(c.order, c.req, c.now), breaches, [
      ['BAD_VALUE', 'captured_amount (must be between 1', ask<R>({ captured_amount: 7_000 })],
      ['CAPTURE_NOT_ALLOWED', 'the order is cancelled', set({ cancelled: false })],
      ['CAPTURE_NOT_ALLOWED', 'pending fraud review', set({ fraud_status: 'REJECTED' })],
      ['CAPTURE_NOT_ALLOWED', 'rejected by fraud review', set({ fraud_status: 'ACCEPTED' })],
      // A released order is CAPTURED (statusOf), which it stays once expired.
      ['CAPTURE_NOT_ALLOWED', 'no remaining authorized amount', set({ released: false })],
      ['CAPTURE_NOT_ALLOWED', 'the authorization has expired', at(CREATED)],
      ['CAPTURE_NOT_ALLOWED', 'higher than the remaining authorized amount 6000', ask<R>({ captured_amount: 6_000 })],
      ['BAD_VALUE', 'order_lines[0].total_amount', ask<R>({ order_lines: lines(6_000) })],
    ]);
  });

  it('decideRefund: amount, nothing captured, more than refundable, lines', () => {
    type R = { refunded_amount: number; order_lines?: OrderLineAmounts[] };
    const captures = [{ capture_id: 'c1', captured_amount: 4_000, refunded_amount: 0 }];
    assertPrecedence((c: Case<R>) => decideRefund(c.order, captures, c.req), start<R>({}, { refunded_amount: 0, order_lines: BAD_LINES }), [
      ['BAD_VALUE', 'refunded_amount (must be between 1', ask<R>({ refunded_amount: 5_000 })],
      ['REFUND_NOT_ALLOWED', 'Order has no captures', set({ captured_amount: 4_000 })],
      ['REFUND_NOT_ALLOWED', 'exceeds the refundable amount 4000', ask<R>({ refunded_amount: 3_000 })],
      ['BAD_VALUE', 'order_lines[0].total_amount', ask<R>({ order_lines: lines(3_000) })],
    ]);
  });

  it('decideCancel: already cancelled, then captured', () => {
    assertPrecedence((c: Case<null>) => decideCancel(c.order), start({ cancelled: true, captured_amount: 1 }, null), [
      ['CANCEL_NOT_ALLOWED', 'already cancelled', set({ cancelled: false })],
      ['CANCEL_NOT_ALLOWED', 'previous captures', set({ captured_amount: 0 })],
    ]);
  });

  it('decideRelease: cancelled, nothing captured, already released, expired; fully captured', () => {
    const decide = (c: Case<null>) => decideRelease(c.order, c.now);
    assertPrecedence(decide, start({ cancelled: true, released: true }, null, AFTER_EXPIRY), [
      ['NOT_ALLOWED', 'Order is cancelled', set({ cancelled: false })],
      ['NOT_ALLOWED', 'Order has no captures', set({ captured_amount: 4_000 })],
      ['NOT_ALLOWED', 'already released', set({ released: false })],
      ['NOT_ALLOWED', 'Order is expired', at(CREATED)],
    ]);
    assertPrecedence(decide, start({ captured_amount: 10_000 }, null), [['NOT_ALLOWED', 'Order is fully captured', set({ captured_amount: 4_000 })]]);
  });

  it('decideExtendAuthorization (kustom): cancelled, expired, the cap; nothing remaining before the cap', () => {
    const decide = (c: Case<null>) => decideExtendAuthorization(c.order, c.now, 'kustom');
    // The kustom cap: the first expires_at (day 28) + 90 days.
    assertPrecedence(decide, start({ cancelled: true, expires_at: day(118) }, null, day(119)), [
      ['NOT_ALLOWED', 'Order is cancelled', set({ cancelled: false })],
      ['NOT_ALLOWED', 'Order is expired', at(day(100))],
      ['NOT_ALLOWED', 'maximum authorization time is reached', set({ expires_at: day(110) })],
    ]);
    assertPrecedence(decide, start({ captured_amount: 10_000, expires_at: day(118) }, null, day(1)), [
      ['NOT_ALLOWED', 'no remaining authorized amount', set({ captured_amount: 4_000 })],
      ['NOT_ALLOWED', 'maximum authorization time is reached', set({ expires_at: EXPIRES })],
    ]);
  });

  it('decideUpdateAuthorization: amount, line arithmetic, lines sum, cancelled, released, fully captured, below captured; expired', () => {
    type R = { order_amount: number; order_lines: OrderLineAmounts[] };
    const decide = (c: Case<R>) => decideUpdateAuthorization(c.order, c.req, c.now);
    const breaches = start<R>({ cancelled: true, released: true, captured_amount: 10_000 }, { order_amount: -1, order_lines: BAD_LINES });
    assertPrecedence(decide, breaches, [
      ['BAD_VALUE', 'order_amount (must be between 0', ask<R>({ order_amount: 4_000 })],
      ['BAD_VALUE', 'order_lines[0].total_amount', ask<R>({ order_lines: lines(5_000) })],
      ['BAD_VALUE', 'order_amount (must equal the sum of order_lines[].total_amount = 5000)', ask<R>({ order_lines: lines(4_000) })],
      ['NOT_ALLOWED', 'Order is cancelled', set({ cancelled: false })],
      ['NOT_ALLOWED', 'Remaining authorization was released', set({ released: false })],
      ['NOT_ALLOWED', 'Order is fully captured', set({ captured_amount: 6_000 })],
      ['NOT_ALLOWED', 'cannot be less than the captured amount 6000', ask<R>({ order_amount: 8_000, order_lines: lines(8_000) })],
    ]);
    assertPrecedence(decide, start<R>({}, { order_amount: 4_000, order_lines: lines(4_000) }, AFTER_EXPIRY), [['NOT_ALLOWED', 'Order is expired', at(CREATED)]]);
  });

  it('decideCustomerDetailsUpdate: cancelled, a billing address, a bad shipping country', () => {
    type R = { shipping_address?: { country?: string }; billing_address?: unknown };
    const breaches = start<R>({ cancelled: true }, { billing_address: {}, shipping_address: { country: 'Sweden' } });
    assertPrecedence((c: Case<R>) => decideCustomerDetailsUpdate(c.order, c.req), breaches, [
      ['NOT_ALLOWED', 'Order is cancelled. Customer details cannot be updated', set({ cancelled: false })],
      ['NOT_ALLOWED', 'Billing address cannot be updated', ask<R>({ billing_address: undefined })],
      ['BAD_VALUE', 'shipping_address.country', ask<R>({ shipping_address: { country: 'SE' } })],
    ]);
  });

  it('decideMerchantReferencesUpdate and decideShippingInfoUpdate: cancelled', () => {
    assertPrecedence((c: Case<{ merchant_reference1: string }>) => decideMerchantReferencesUpdate(c.order, c.req), start({ cancelled: true }, { merchant_reference1: 'R1' }), [
      ['NOT_ALLOWED', 'Order is cancelled. Merchant references cannot be updated', set({ cancelled: false })],
    ]);
    assertPrecedence((c: Case<null>) => decideShippingInfoUpdate(c.order), start({ cancelled: true }, null), [
      ['NOT_ALLOWED', 'Order is cancelled. Shipping info cannot be updated', set({ cancelled: false })],
    ]);
  });

  it('decideAcknowledge refuses nothing, whatever the order', () => {
    assertPrecedence((c: Case<null>) => decideAcknowledge(c.order), start({ cancelled: true, acknowledged: true, expiry_recorded: true }, null, AFTER_EXPIRY), []);
  });

  it('decideFraudDecision: not pending', () => {
    assertPrecedence((c: Case<'REJECTED'>) => decideFraudDecision(c.order, c.req), start({ fraud_status: 'ACCEPTED' }, 'REJECTED'), [
      ['NOT_ALLOWED', 'not PENDING', set({ fraud_status: 'PENDING' })],
    ]);
  });

  it('decideExtendDueDate: no extension left on the capture, then a day count not offered', () => {
    type C = { capture: { captured_amount: number; refunded_amount: number; due_date_extension_days: number }; days: number };
    const capture = (o: Partial<C['capture']>) => (c: C): C => ({ ...c, capture: { ...c.capture, ...o } });
    const decide = (c: C) => decideExtendDueDate(c.capture, c.days);
    assertPrecedence(decide, { capture: { captured_amount: 1_000, refunded_amount: 1_000, due_date_extension_days: 0 }, days: 8 }, [
      ['NOT_ALLOWED', 'not possible for this capture', capture({ refunded_amount: 0 })],
      ['NOT_ALLOWED', 'not possible by 8 days; available: 7, 14, 30', (c) => ({ ...c, days: 7 })],
    ]);
    assertPrecedence(decide, { capture: { captured_amount: 1_000, refunded_amount: 0, due_date_extension_days: 7 }, days: 14 }, [
      ['NOT_ALLOWED', 'not possible for this capture', capture({ due_date_extension_days: 0 })],
    ]);
  });

  it('decideExpiry: nothing to do (recorded, cancelled, released, fully captured) comes before waiting, waiting before recording', () => {
    const before = new Date(EXPIRES.getTime() - 1);
    for (const done of [{ expiry_recorded: true }, { cancelled: true }, { captured_amount: 1, released: true }, { captured_amount: 10_000 }]) {
      assert.deepEqual(decideExpiry(order(done), before), { action: 'none' }, JSON.stringify(done));
    }
    assert.equal(decideExpiry(order(), before).action, 'wait');
    assert.equal(decideExpiry(order(), EXPIRES).action, 'record');
  });
});
