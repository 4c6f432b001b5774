import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderAvailability, type OrderAvailability } from './availability.js';
import { decideCancel, decideCapture, decideExtendAuthorization, decideRefund, decideRelease, type CaptureBalance } from './decisions.js';
import type { OrderState } from './order.js';
import { DAY_MS } from './time.js';
import { orderState } from '../../test/support/orderState.js';

const CREATED = new Date('2025-01-01T00:00:00Z');
const day = (n: number) => new Date(CREATED.getTime() + n * DAY_MS);

/** Orders in every state a person may find one in, with the captures that make up their captured amount. */
const CASES: [name: string, state: OrderState, now: Date][] = [
  ['authorized', orderState(CREATED), CREATED],
  ['part captured', orderState(CREATED, { captured_amount: 4_000 }), CREATED],
  ['part captured and part refunded', orderState(CREATED, { captured_amount: 4_000, refunded_amount: 1_500 }), CREATED],
  ['fully captured', orderState(CREATED, { captured_amount: 10_000 }), CREATED],
  ['fully refunded', orderState(CREATED, { captured_amount: 10_000, refunded_amount: 10_000 }), CREATED],
  ['released', orderState(CREATED, { captured_amount: 4_000, released: true }), CREATED],
  ['cancelled', orderState(CREATED, { cancelled: true }), CREATED],
  ['expired', orderState(CREATED), day(29)],
  ['expired after a part capture', orderState(CREATED, { captured_amount: 4_000 }), day(29)],
  ['pending fraud review', orderState(CREATED, { fraud_status: 'PENDING' }), CREATED],
  ['rejected by fraud review', orderState(CREATED, { fraud_status: 'REJECTED', cancelled: true }), CREATED],
  ['extended to the cap', orderState(CREATED, { expires_at: day(118) }), day(100)],
];

const capturesOf = (state: OrderState): CaptureBalance[] =>
  state.captured_amount === 0 ? [] : [{ capture_id: 'c1', captured_amount: state.captured_amount, refunded_amount: state.refunded_amount }];

const summary = (a: OrderAvailability) =>
  Object.fromEntries(Object.entries(a).map(([op, v]) => [op, v.allowed ? ('maximum' in v ? v.maximum : 'yes') : 'no']));

describe('orderAvailability', () => {
  it('offers what each state allows, with the most a capture or refund may move', () => {
    const expected: Record<string, Record<string, number | string>> = {
      authorized: { capture: 10_000, refund: 'no', cancel: 'yes', release: 'no', extend: 'yes' },
      'part captured': { capture: 6_000, refund: 4_000, cancel: 'no', release: 'yes', extend: 'yes' },
      'part captured and part refunded': { capture: 6_000, refund: 2_500, cancel: 'no', release: 'yes', extend: 'yes' },
      'fully captured': { capture: 'no', refund: 10_000, cancel: 'no', release: 'no', extend: 'no' },
      'fully refunded': { capture: 'no', refund: 'no', cancel: 'no', release: 'no', extend: 'no' },
      released: { capture: 'no', refund: 4_000, cancel: 'no', release: 'no', extend: 'no' },
      cancelled: { capture: 'no', refund: 'no', cancel: 'no', release: 'no', extend: 'no' },
      expired: { capture: 'no', refund: 'no', cancel: 'yes', release: 'no', extend: 'no' },
      'expired after a part capture': { capture: 'no', refund: 4_000, cancel: 'no', release: 'no', extend: 'no' },
      'pending fraud review': { capture: 'no', refund: 'no', cancel: 'yes', release: 'no', extend: 'yes' },
      'rejected by fraud review': { capture: 'no', refund: 'no', cancel: 'no', release: 'no', extend: 'no' },
      'extended to the cap': { capture: 10_000, refund: 'no', cancel: 'yes', release: 'no', extend: 'no' },
    };
    for (const [name, state, now] of CASES) assert.deepEqual(summary(orderAvailability(state, capturesOf(state), now, 'kustom')), expected[name], name);
  });

  it("is each operation's own decision: a refusal's reason is its message, and the maximum is accepted where one unit more is refused", () => {
    for (const [name, state, now] of CASES) {
      const captures = capturesOf(state);
      const a = orderAvailability(state, captures, now, 'kustom');
      const capture = (amount: number) => decideCapture(state, { captured_amount: amount }, now);
      const refund = (amount: number) => decideRefund(state, captures, { refunded_amount: amount });
      for (const [op, got, decide] of [
        ['capture', a.capture, capture],
        ['refund', a.refund, refund],
      ] as const) {
        if (got.allowed) {
          assert.ok(decide(got.maximum).ok, `${name}: ${op} of the maximum ${got.maximum}`);
          assert.ok(!decide(got.maximum + 1).ok, `${name}: ${op} of one unit more than the maximum`);
        } else {
          const d = decide(1);
          assert.ok(!d.ok && d.message === got.reason, `${name}: ${op}`);
        }
      }
      for (const [op, got, d] of [
        ['cancel', a.cancel, decideCancel(state)],
        ['release', a.release, decideRelease(state, now)],
        ['extend', a.extend, decideExtendAuthorization(state, now, 'kustom')],
      ] as const) {
        assert.equal(got.allowed, d.ok, `${name}: ${op}`);
        if (!got.allowed && !d.ok) assert.equal(got.reason, d.message, `${name}: ${op}`);
      }
    }
  });
});
