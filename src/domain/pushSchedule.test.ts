// The push schedule of a checkout order (CONTRACT §7), as pure time arithmetic.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LAST_PUSH_SECONDS, firstPushAt, nextPushAt, pushOffsets, pushesStopped } from './pushSchedule.js';

const MIN = 60;
const H = 3_600;
const purchase = new Date('2025-03-01T10:00:00Z');
const at = (seconds: number) => new Date(purchase.getTime() + seconds * 1000);
const every4h = Array.from({ length: 12 }, (_, i) => (i + 1) * 4 * H);

describe('push schedule', () => {
  it('with the default 2 minutes: 2, 5, 15, 30, 60 minutes, then every 4 hours up to 48 hours after the purchase', () => {
    assert.deepEqual(pushOffsets(120), [120, 5 * MIN, 15 * MIN, 30 * MIN, 60 * MIN, ...every4h]);
    assert.equal(pushOffsets(120).at(-1), LAST_PUSH_SECONDS);
    assert.equal(pushOffsets(120).length, 17);
  });

  it('times before the first push are skipped, and one that coincides with it is made once', () => {
    assert.deepEqual(pushOffsets(5 * MIN), [5 * MIN, 15 * MIN, 30 * MIN, 60 * MIN, ...every4h]);
    assert.deepEqual(pushOffsets(20 * MIN), [20 * MIN, 30 * MIN, 60 * MIN, ...every4h]);
    assert.deepEqual(pushOffsets(10 * H), [10 * H, ...every4h.filter((s) => s > 10 * H)]);
    assert.deepEqual(pushOffsets(LAST_PUSH_SECONDS), [LAST_PUSH_SECONDS]);
    assert.deepEqual(pushOffsets(0), [0, 5 * MIN, 15 * MIN, 30 * MIN, 60 * MIN, ...every4h]);
  });

  it('the first push is due the configured delay after the purchase', () => {
    assert.equal(firstPushAt(purchase, 120).toISOString(), '2025-03-01T10:02:00.000Z');
  });

  it('each push is followed by the next scheduled time after it', () => {
    assert.deepEqual(nextPushAt(purchase, 120, at(120)), at(5 * MIN));
    // A push made a little late (the worker's delay) is still followed by the next time, not a repeat.
    assert.deepEqual(nextPushAt(purchase, 120, at(5 * MIN + 1)), at(15 * MIN));
    assert.deepEqual(nextPushAt(purchase, 120, at(60 * MIN)), at(4 * H));
    assert.deepEqual(nextPushAt(purchase, 120, at(44 * H)), at(48 * H));
  });

  it('pushes made due together by a clock jump are one: the next is the first time after the jump', () => {
    assert.deepEqual(nextPushAt(purchase, 120, at(3 * H)), at(4 * H));
    assert.deepEqual(nextPushAt(purchase, 120, at(13 * H)), at(16 * H));
  });

  it('nothing follows the push at 48 hours, nor one made later', () => {
    assert.equal(nextPushAt(purchase, 120, at(48 * H)), undefined);
    assert.equal(nextPushAt(purchase, 120, at(30 * 24 * H)), undefined);
  });

  it('pushes stop once the order is acknowledged, captured or cancelled', () => {
    const open = { acknowledged: false, captured: false, cancelled: false };
    assert.equal(pushesStopped(open), false);
    assert.equal(pushesStopped({ ...open, acknowledged: true }), true);
    assert.equal(pushesStopped({ ...open, captured: true }), true);
    assert.equal(pushesStopped({ ...open, cancelled: true }), true);
  });
});
