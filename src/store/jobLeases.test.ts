import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { roundRobinShares } from './jobLeases.js';

describe('round-robin shares of worker slots', () => {
  it('gives each merchant one slot in turn, never more than its room', () => {
    assert.deepEqual(roundRobinShares([4, 4, 4], 16), [4, 4, 4]);
    assert.deepEqual(roundRobinShares([4, 1, 4], 6), [3, 1, 2]);
    assert.deepEqual(roundRobinShares([0, 2], 5), [0, 2]);
    assert.deepEqual(roundRobinShares([3, 3, 3, 3, 3], 2), [1, 1, 0, 0, 0]);
    assert.deepEqual(roundRobinShares([], 8), []);
  });
});
