// Settlement money rules (CONTRACT §11): fees and their rounding, payout days, totals, CSV cells.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  captureTransactions,
  csvText,
  lastDueDay,
  nextPayoutRun,
  parseDateParameter,
  payoutDateOf,
  payoutDueAt,
  payoutTotals,
  percentageFee,
  refundTransaction,
  summedTotals,
} from './settlements.js';

describe('settlement fees', () => {
  it('rounds the percentage fee half up to the minor unit', () => {
    assert.equal(percentageFee(10_000, 250), 250); // 2.5 % of 100.00
    assert.equal(percentageFee(1, 5_000), 1); // 0.5 → 1
    assert.equal(percentageFee(1, 4_999), 0); // 0.4999 → 0
    assert.equal(percentageFee(333, 150), 5); // 4.995 → 5
    assert.equal(percentageFee(200_000_000, 10_000), 200_000_000);
    assert.equal(percentageFee(12_345, 0), 0);
  });

  it('is exact for every amount and rate (integer arithmetic equals the rational rule)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200_000_000 }), fc.integer({ min: 0, max: 10_000 }), (amount, bp) => {
        const fee = percentageFee(amount, bp);
        const exact = BigInt(amount) * BigInt(bp);
        // fee is the integer nearest exact/10000, halves up: |fee·10000 − exact| ≤ 5000, and = 5000 only rounding up.
        const diff = BigInt(fee) * 10_000n - exact;
        assert.ok(diff > -5_000n && diff <= 5_000n);
      }),
    );
  });

  it('a capture makes a SALE and one FEE per fee the merchant has, fees negative', () => {
    assert.deepEqual(captureTransactions(10_000, { fee_rate_bp: 0, fee_fixed: 0 }), [{ type: 'SALE', detailed_type: 'PURCHASE', amount: 10_000 }]);
    assert.deepEqual(captureTransactions(10_000, { fee_rate_bp: 290, fee_fixed: 30 }), [
      { type: 'SALE', detailed_type: 'PURCHASE', amount: 10_000 },
      { type: 'FEE', detailed_type: 'PURCHASE_FEE_PERCENTAGE', amount: -290 },
      { type: 'FEE', detailed_type: 'PURCHASE_FEE_FIXED', amount: -30 },
    ]);
    assert.deepEqual(refundTransaction(2_500), { type: 'RETURN', detailed_type: 'PURCHASE_RETURN', amount: -2_500 });
  });
});

describe('payout days', () => {
  it('pays a day out payout_delay_days later, due at 00:00 UTC of that date on the merchant clock', () => {
    assert.equal(payoutDateOf('2026-12-06', 7), '2026-12-13');
    assert.equal(payoutDateOf('2026-12-28', 7), '2027-01-04');
    assert.equal(payoutDueAt('2026-12-06', 7).toISOString(), '2026-12-13T00:00:00.000Z');
    // With no delay the day is paid out when it has ended.
    assert.equal(payoutDateOf('2026-12-06', 0), '2026-12-06');
    assert.equal(payoutDueAt('2026-12-06', 0).toISOString(), '2026-12-07T00:00:00.000Z');
  });

  it('at a time, every day up to lastDueDay is due, and the next run is the next midnight', () => {
    assert.equal(lastDueDay(new Date('2026-12-13T00:00:00Z'), 7), '2026-12-06');
    assert.equal(lastDueDay(new Date('2026-12-12T23:59:59Z'), 7), '2026-12-05');
    assert.equal(lastDueDay(new Date('2026-12-07T00:00:01Z'), 0), '2026-12-06');
    assert.equal(nextPayoutRun(new Date('2026-12-06T13:00:00Z')).toISOString(), '2026-12-07T00:00:00.000Z');
    assert.equal(nextPayoutRun(new Date('2026-12-07T00:00:00Z')).toISOString(), '2026-12-08T00:00:00.000Z');
  });

  it('a day is due exactly when its due time has come', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: -2 * 86_400, max: 2 * 86_400 }), (s, delay, d) => {
        const day = new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString().slice(0, 10);
        const due = payoutDueAt(day, delay);
        const now = new Date(due.getTime() + d * 1000);
        assert.equal(lastDueDay(now, delay) >= day, now >= due);
      }),
    );
  });
});

describe('payout totals', () => {
  it('are magnitudes per type, and settlement_amount is the signed sum', () => {
    const t = payoutTotals([
      { type: 'SALE', amount: 10_000 },
      { type: 'FEE', amount: -320 },
      { type: 'RETURN', amount: -2_500 },
      { type: 'SALE', amount: 500 },
    ]);
    assert.equal(t.sale_amount, 10_500);
    assert.equal(t.return_amount, 2_500);
    assert.equal(t.fee_amount, 320);
    assert.equal(t.settlement_amount, 7_680);
    assert.equal(t.commission_amount, 0);
    const negative = payoutTotals([{ type: 'RETURN', amount: -900 }]);
    assert.equal(negative.settlement_amount, -900);
    assert.equal(summedTotals([t, negative]).settlement_amount, 6_780);
  });
});

describe('CSV cells and date parameters', () => {
  it('guards against formula injection and quotes separators', () => {
    assert.equal(csvText('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvText('+1'), `'+1`);
    assert.equal(csvText('@SUM(A1)'), `'@SUM(A1)`);
    assert.equal(csvText('a,b'), '"a,b"');
    assert.equal(csvText('plain'), 'plain');
  });

  it('reads dates and date-times, refuses anything else', () => {
    assert.equal(parseDateParameter('2026-12-06')?.toISOString(), '2026-12-06T00:00:00.000Z');
    assert.equal(parseDateParameter('2026-12-06T10:00:00Z')?.toISOString(), '2026-12-06T10:00:00.000Z');
    for (const bad of ['2026-02-31', 'yesterday', '2026-13-01', '', '2026-12-06T25:00:00Z']) assert.equal(parseDateParameter(bad), undefined, bad);
  });
});
