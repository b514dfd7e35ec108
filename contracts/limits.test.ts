import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_LOG_MESSAGE_CHARS, clipText } from './limits';
import { AppendLogInputSchema } from './activities';

describe('clipText', () => {
  it('keeps text within the limit as it is', () => {
    assert.equal(clipText('short'), 'short');
    assert.equal(clipText('x'.repeat(MAX_LOG_MESSAGE_CHARS)).length, MAX_LOG_MESSAGE_CHARS);
  });

  it('cuts longer text to the limit and says how much was cut, so appendLog accepts it', () => {
    const long = 'call log: '.repeat(5_000);
    const clipped = clipText(long);
    assert.equal(clipped.length, MAX_LOG_MESSAGE_CHARS);
    assert.ok(clipped.startsWith('call log: call log:'));
    assert.match(clipped, /… \[\d+ more characters cut\]$/);
    const cut = Number(/\[(\d+) more/.exec(clipped)![1]);
    assert.equal(clipped.indexOf(' …'), long.length - cut, 'the kept text and the cut add up to the original');
    assert.ok(
      AppendLogInputSchema.safeParse({ taskId: 't', accountId: 'a', lines: [{ level: 'error', message: clipped }], accountStatus: { status: 'failed', error: clipped } }).success,
    );
    assert.ok(!AppendLogInputSchema.safeParse({ taskId: 't', accountId: 'a', lines: [{ level: 'error', message: long }] }).success, 'the unclipped text is refused');
  });

  it('appendLog input errors name the field', () => {
    const noAccount = AppendLogInputSchema.safeParse({ taskId: 't', accountStatus: { status: 'running' } });
    assert.deepEqual(
      noAccount.error?.issues.map((i) => i.path.join('.')),
      ['accountId'],
    );
    const half = AppendLogInputSchema.safeParse({ taskId: 't', level: 'info' });
    assert.deepEqual(
      half.error?.issues.map((i) => i.path.join('.')),
      ['message'],
    );
  });
});
