// Property tests: random sequences of Order Management operations, decided by src/domain and applied
// to an in-memory order exactly as src/store/orderCommands.ts writes them, never break an invariant.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_AMOUNT } from './money.js';
import {
  decideCancel,
  decideCapture,
  decideExtendAuthorization,
  decideRefund,
  decideRelease,
  decideUpdateAuthorization,
  extensionCap,
  type ApiProfile,
} from './decisions.js';
import { checkInvariants, remainingAuthorizedAmount, statusOf, type InvariantViolation, type OrderState, type OrderStatus } from './order.js';
import { DAY_MS } from './time.js';

interface ModelCapture {
  capture_id: string;
  captured_amount: number;
  refunded_amount: number;
}

/** The rows the store keeps for one order: the order's state, its captures (oldest first) and refunds. */
interface Model {
  state: OrderState;
  captures: ModelCapture[];
  refunds: { refunded_amount: number }[];
  now: Date;
}

type Op =
  | { kind: 'capture'; amount: number }
  | { kind: 'refund'; amount: number }
  | { kind: 'cancel' }
  | { kind: 'release' }
  | { kind: 'extend'; profile: ApiProfile }
  | { kind: 'update'; amount: number; linesMatch: boolean }
  | { kind: 'advance'; ms: number };

const CREATED = new Date('2025-01-01T00:00:00Z');

/** Amounts that hit the interesting edges: tiny, typical, the order size, the limits, and invalid ones. */
const amount = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 20_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, -20_000, MAX_AMOUNT, MAX_AMOUNT + 1, 0.5, 1.5, Number.MAX_SAFE_INTEGER, 2 ** 53, Number.NaN, Infinity) },
);

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: amount.map((a) => ({ kind: 'capture' as const, amount: a })) },
  { weight: 4, arbitrary: amount.map((a) => ({ kind: 'refund' as const, amount: a })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'release' as const }) },
  { weight: 2, arbitrary: fc.constantFrom<ApiProfile>('kustom', 'klarna').map((profile) => ({ kind: 'extend' as const, profile })) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('update' as const), amount, linesMatch: fc.boolean() }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 60 * DAY_MS }).map((ms) => ({ kind: 'advance' as const, ms })) },
);

const initialOrder = fc.record({
  order_amount: fc.oneof(fc.integer({ min: 0, max: 30_000 }), fc.constant(MAX_AMOUNT)),
  expiresInMs: fc.integer({ min: 1, max: 40 * DAY_MS }),
});

function newModel(init: { order_amount: number; expiresInMs: number }): Model {
  return {
    state: {
      order_amount: init.order_amount,
      original_order_amount: init.order_amount,
      captured_amount: 0,
      refunded_amount: 0,
      cancelled: false,
      released: false,
      created_at: CREATED,
      expires_at: new Date(CREATED.getTime() + init.expiresInMs),
      initial_expires_at: new Date(CREATED.getTime() + init.expiresInMs),
      fraud_status: 'ACCEPTED',
      acknowledged: false,
      expiry_recorded: false,
    },
    captures: [],
    refunds: [],
    now: CREATED,
  };
}

const line = (total: number) => ({ quantity: 1, unit_price: total, total_amount: total });

/** Applies one operation the way src/store/orderCommands.ts does (it writes the decided next state); returns whether it was accepted. */
function apply(m: Model, o: Op): boolean {
  const s = m.state;
  switch (o.kind) {
    case 'capture': {
      const d = decideCapture(s, { captured_amount: o.amount }, m.now);
      if (!d.ok) return false;
      m.captures.push({ capture_id: `c${m.captures.length + 1}`, captured_amount: d.value.captured_amount, refunded_amount: 0 });
      m.state = d.value.next;
      return true;
    }
    case 'refund': {
      const d = decideRefund(s, m.captures, { refunded_amount: o.amount });
      if (!d.ok) return false;
      m.refunds.push({ refunded_amount: d.value.refunded_amount });
      for (const a of d.value.allocations) {
        const c = m.captures.find((x) => x.capture_id === a.capture_id);
        assert.ok(c, `allocation to unknown capture ${a.capture_id}`);
        c.refunded_amount += a.amount;
      }
      m.state = d.value.next;
      return true;
    }
    case 'cancel': {
      const d = decideCancel(s);
      if (!d.ok) return false;
      m.state = d.value.next;
      return true;
    }
    case 'release': {
      const d = decideRelease(s, m.now);
      if (!d.ok) return false;
      m.state = d.value.next;
      return true;
    }
    case 'extend': {
      const d = decideExtendAuthorization(s, m.now, o.profile);
      if (!d.ok) return false;
      m.state = d.value.next;
      return true;
    }
    case 'update': {
      const lines = o.linesMatch ? [line(o.amount)] : [line(1), line(o.amount)];
      const d = decideUpdateAuthorization(s, { order_amount: o.amount, order_lines: lines }, m.now);
      if (!d.ok) return false;
      m.state = d.value.next;
      return true;
    }
    case 'advance':
      m.now = new Date(m.now.getTime() + o.ms);
      return false;
  }
}

const violations = (m: Model): InvariantViolation[] => checkInvariants(m.state, m.captures, m.refunds, m.now);

/** Runs the sequence and calls check after every step (with the state before and after). */
function runSequence(init: { order_amount: number; expiresInMs: number }, ops: Op[], check: (before: Model, after: Model, o: Op, accepted: boolean) => void) {
  const m = newModel(init);
  assert.deepEqual(violations(m), []);
  for (const o of ops) {
    const before: Model = { ...m, captures: m.captures.map((c) => ({ ...c })), refunds: [...m.refunds] };
    const accepted = apply(m, o);
    check(before, m, o, accepted);
  }
}

const RUNS = { numRuns: 400 };
const sequences = fc.tuple(initialOrder, fc.array(op, { maxLength: 40 }));

describe('order invariants under random operation sequences', () => {
  it('checkInvariants finds no violation after any step (captured ≤ order, refunded ≤ captured, remaining consistent, sums match)', () => {
    fc.assert(
      fc.property(sequences, ([init, ops]) => {
        runSequence(init, ops, (_b, after, o) => {
          assert.deepEqual(violations(after), [], `after ${JSON.stringify(o)}`);
        });
      }),
      RUNS,
    );
  });

  it('captured_amount never exceeds order_amount and refunded_amount never exceeds captured_amount', () => {
    fc.assert(
      fc.property(sequences, ([init, ops]) => {
        runSequence(init, ops, (_b, a) => {
          assert.ok(a.state.captured_amount <= a.state.order_amount);
          assert.ok(a.state.refunded_amount <= a.state.captured_amount);
          for (const c of a.captures) assert.ok(c.refunded_amount <= c.captured_amount);
        });
      }),
      RUNS,
    );
  });

  it('remaining_authorized_amount is order_amount − captured_amount while the authorization lives, else 0', () => {
    fc.assert(
      fc.property(sequences, ([init, ops]) => {
        runSequence(init, ops, (_b, a) => {
          const remaining = remainingAuthorizedAmount(a.state, a.now);
          const status = statusOf(a.state, a.now);
          if (status === 'AUTHORIZED' || status === 'PART_CAPTURED') {
            assert.equal(remaining, a.state.order_amount - a.state.captured_amount);
          } else {
            assert.equal(remaining, 0, `status ${status}`);
          }
        });
      }),
      RUNS,
    );
  });

  it('a refused operation changes nothing', () => {
    fc.assert(
      fc.property(sequences, ([init, ops]) => {
        runSequence(init, ops, (b, a, o, accepted) => {
          if (accepted || o.kind === 'advance') return;
          assert.deepEqual(a.state, b.state);
          assert.deepEqual(a.captures, b.captures);
          assert.deepEqual(a.refunds, b.refunds);
        });
      }),
      RUNS,
    );
  });

  it('only amounts that are positive safe integers within Klarna limits are ever captured or refunded', () => {
    fc.assert(
      fc.property(sequences, ([init, ops]) => {
        runSequence(init, ops, (_b, a, o, accepted) => {
          if (accepted && (o.kind === 'capture' || o.kind === 'refund')) {
            assert.ok(Number.isSafeInteger(o.amount) && o.amount >= 1 && o.amount <= MAX_AMOUNT, `accepted ${o.kind} of ${o.amount}`);
          }
          if (accepted && o.kind === 'update') {
            assert.ok(Number.isSafeInteger(o.amount) && o.amount >= 0 && o.amount <= MAX_AMOUNT, `accepted update to ${o.amount}`);
          }
          assert.equal(a.state.original_order_amount, init.order_amount);
        });
      }),
      RUNS,
    );
  });

  it('status moves only along Klarna transitions: CANCELLED and CAPTURED are final, EXPIRED only cancels, refunds never change the status', () => {
    fc.assert(
      fc.property(sequences, ([init, ops]) => {
        runSequence(init, ops, (b, a, o) => {
          const from: OrderStatus = statusOf(b.state, b.now);
          const to: OrderStatus = statusOf(a.state, a.now);
          if (from === 'CANCELLED') assert.equal(to, 'CANCELLED');
          if (from === 'CAPTURED') assert.equal(to, 'CAPTURED', `CAPTURED left by ${JSON.stringify(o)}`);
          if (from === 'EXPIRED') assert.ok(to === 'EXPIRED' || to === 'CANCELLED', `EXPIRED became ${to} by ${JSON.stringify(o)}`);
          if (o.kind === 'refund') assert.equal(to, from);
          assert.notEqual(to, 'CLOSED');
          if (o.kind === 'cancel' && to === 'CANCELLED') assert.equal(a.state.captured_amount, 0);
        });
      }),
      RUNS,
    );
  });

  it("expires_at never moves earlier and never beyond the profile's cap (Kustom: first expiry + 90 days, Klarna: purchase + 180 days) by an extension", () => {
    fc.assert(
      fc.property(sequences, ([init, ops]) => {
        runSequence(init, ops, (b, a, o, accepted) => {
          assert.ok(a.state.expires_at.getTime() >= b.state.expires_at.getTime());
          if (o.kind === 'extend' && accepted) {
            assert.ok(a.state.expires_at.getTime() <= extensionCap(b.state, o.profile).getTime());
            if (o.profile === 'klarna') assert.ok(a.state.expires_at.getTime() <= CREATED.getTime() + 180 * DAY_MS);
            assert.ok(a.state.expires_at.getTime() > b.now.getTime());
          }
        });
      }),
      RUNS,
    );
  });
});

describe('the generated sequences exercise the model', () => {
  it('reach every status merchants can cause and accept every kind of operation', () => {
    const statuses = new Set<OrderStatus>();
    const accepted = new Map<string, number>();
    const refused = new Map<string, number>();
    for (const [init, ops] of fc.sample(sequences, { numRuns: 400, seed: 42 })) {
      runSequence(init, ops, (_b, a, o, ok) => {
        statuses.add(statusOf(a.state, a.now));
        const tally = ok ? accepted : refused;
        tally.set(o.kind, (tally.get(o.kind) ?? 0) + 1);
      });
    }
    assert.deepEqual([...statuses].sort(), ['AUTHORIZED', 'CANCELLED', 'CAPTURED', 'EXPIRED', 'PART_CAPTURED']);
    for (const kind of ['capture', 'refund', 'cancel', 'release', 'extend', 'update']) {
      assert.ok((accepted.get(kind) ?? 0) >= 5, `${kind} accepted ${accepted.get(kind) ?? 0} times`);
      assert.ok((refused.get(kind) ?? 0) >= 5, `${kind} refused ${refused.get(kind) ?? 0} times`);
    }
  });
});
