import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bulkOutcome, isFinishedTaskStatus } from './statuses';

describe('bulk outcome', () => {
  it('reads a finished bulk from how its accounts ended', () => {
    const cases = [
      [{ completed: 3, failed: 0, cancelled: 0 }, 'completed'],
      [{ completed: 0, failed: 3, cancelled: 0 }, 'failed'],
      [{ completed: 0, failed: 0, cancelled: 3 }, 'cancelled'],
      [{ completed: 2, failed: 1, cancelled: 0 }, 'partially_failed'],
      [{ completed: 2, failed: 0, cancelled: 1 }, 'partially_failed'],
      [{ completed: 0, failed: 1, cancelled: 1 }, 'partially_failed'],
    ] as const;
    for (const [counts, expected] of cases) assert.equal(bulkOutcome(counts), expected, JSON.stringify(counts));
  });

  it('knows which statuses are final', () => {
    assert.deepEqual(['pending', 'running', 'completed', 'partially_failed', 'failed', 'cancelled'].filter(isFinishedTaskStatus), [
      'completed',
      'partially_failed',
      'failed',
      'cancelled',
    ]);
  });
});
