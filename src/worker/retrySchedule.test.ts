// The webhook retry schedule (CONTRACT §7) as a pure rule: delays after each failed attempt, and
// the 3-day window after the event beyond which no retry is made.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { retryAfterFailure } from './retrySchedule.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const event = new Date('2030-01-01T00:00:00Z');

it('each retry follows the failed attempt by 1 min, 5 min, 30 min, 2 h, 6 h, 12 h, then 24 h, until 3 days after the event', () => {
  const delays: number[] = [];
  let at = event;
  for (let attempt = 1; ; attempt++) {
    const next = retryAfterFailure(attempt, at, event);
    if (next.state !== 'pending') {
      assert.equal(next.state, 'dead');
      assert.equal(attempt, 9, 'the ninth attempt is the last');
      break;
    }
    delays.push(next.dueAt.getTime() - at.getTime());
    at = next.dueAt;
  }
  assert.deepEqual(delays, [MIN, 5 * MIN, 30 * MIN, 2 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR, 24 * HOUR]);
});

it('a retry due exactly 3 days after the event is still made; one a millisecond later is not', () => {
  const lastDay = new Date(event.getTime() + 48 * HOUR);
  assert.deepEqual(retryAfterFailure(8, lastDay, event), { state: 'pending', dueAt: new Date(event.getTime() + 72 * HOUR) });
  assert.deepEqual(retryAfterFailure(8, new Date(lastDay.getTime() + 1), event), { state: 'dead' });
});

it('a late attempt (a resend long after the event) that fails is not retried', () => {
  assert.deepEqual(retryAfterFailure(1, new Date(event.getTime() + 10 * 24 * HOUR), event), { state: 'dead' });
});
