import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE } from '../contracts/failure-types';
import { runActivity } from '../test/fixtures/activity-env';
import { makeValidateBulkInput } from './validate-bulk-input';

describe('validateBulkInput', () => {
  const validateBulkInput = makeValidateBulkInput();

  it('fills in the defaults and the video ids', async () => {
    const { input } = await runActivity(validateBulkInput, { taskId: 'b1', videos: [{ path: 'a.mp4' }, { id: 'own', path: 'b.mp4', caption: 'hi' }], accountIds: ['x'] });
    assert.deepEqual(input.videos, [
      { id: 'video-1', path: 'a.mp4', caption: '' },
      { id: 'own', path: 'b.mp4', caption: 'hi' },
    ]);
    assert.equal(input.platform, 'demo');
    assert.deepEqual(input.options, { uniquifyPreset: 'fast', concurrency: 3, dryRun: false });
  });

  it('gives the same fingerprint to the same bulk however it is written, another to another bulk', async () => {
    const short = await runActivity(validateBulkInput, { taskId: 'b1', videos: [{ path: 'a.mp4' }], accountIds: ['x'] });
    const spelledOut = await runActivity(validateBulkInput, {
      options: { dryRun: false, concurrency: 3, uniquifyPreset: 'fast' },
      accountIds: ['x'],
      platform: 'demo',
      videos: [{ caption: '', id: 'video-1', path: 'a.mp4' }],
      taskId: 'b1',
    });
    const other = await runActivity(validateBulkInput, { taskId: 'b1', videos: [{ path: 'a.mp4' }], accountIds: ['x', 'y'] });
    assert.equal(spelledOut.fingerprint, short.fingerprint);
    assert.notEqual(other.fingerprint, short.fingerprint);
  });

  it('refuses invalid input for good, naming each field', async () => {
    await assert.rejects(
      runActivity(validateBulkInput, { taskId: 'b1', videos: [{ path: '' }], accountIds: ['x', 'x'] }),
      (err: unknown) =>
        err instanceof ApplicationFailure &&
        err.type === FAILURE.InvalidInput &&
        err.nonRetryable &&
        /videos\.0\.path: must not be empty/.test(err.message) &&
        /accountIds\.1: duplicate account id "x"/.test(err.message),
    );
  });

  it('refuses a continue-as-new threshold too small to make progress', async () => {
    await assert.rejects(
      runActivity(validateBulkInput, { taskId: 'b1', videos: [{ path: 'a.mp4' }], accountIds: ['x'], options: { historyEventsBeforeContinue: 10 } }),
      (err: unknown) => err instanceof ApplicationFailure && err.type === FAILURE.InvalidInput && /options\.historyEventsBeforeContinue/.test(err.message),
    );
  });
});
