/**
 * AccountUpload with mocked activities, on the dev server: what one account's part of a
 * bulk does when a video fails, when a failure concerns the whole account, and when it is
 * cancelled while an activity runs.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/activity';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { FAILURE } from '../contracts/failure-types';
import { accountUploadWorkflowId } from '../contracts/names';
import { recordingActivities, startMockedWorker, type MockedWorker } from '../test/fixtures/activity-env';
import { waitFor } from '../test/fixtures/wait';
import { AccountUpload, type AccountUploadInput } from './account-upload';

describe('AccountUpload (mocked activities)', { timeout: 120_000 }, () => {
  let worker: MockedWorker;
  const mocks = recordingActivities();
  const taskId = `au-${randomBytes(3).toString('hex')}`;
  const videos = [1, 2, 3].map((n) => ({ id: `v${n}`, path: `clip${n}.mp4`, caption: `caption ${n}` }));

  before(async () => {
    worker = await startMockedWorker(mocks.activities);
  });
  after(async () => worker?.close());

  const start = (accountId: string, input: Partial<AccountUploadInput> = {}) =>
    worker.env.client.workflow.start(AccountUpload, {
      taskQueue: worker.taskQueue,
      workflowId: accountUploadWorkflowId(taskId, accountId),
      args: [{ taskId, accountId, platform: 'demo', videos, preset: 'fast', ...input }],
    });
  const marks = (accountId: string) => mocks.calls.appendLog.filter((c) => c.accountId === accountId && c.accountStatus).map((c) => c.accountStatus!.status);

  it('uploads exactly the variant each uniquify returned, and ends completed', async () => {
    const result = await (await start('ok')).result();
    assert.equal(result.status, 'completed');
    assert.deepEqual(
      mocks.calls.upload.filter((c) => c.accountId === 'ok').map((c) => c.filePath),
      videos.map((v) => `/variants/${taskId}/ok/${v.id}.mp4`),
    );
    assert.equal(marks('ok').at(-1), 'completed');
  });

  it('a video that fails is recorded and the next one is still tried', async () => {
    mocks.upload.set(`${taskId}/one-bad/v1`, { fail: ApplicationFailure.nonRetryable('demo: the video was refused', FAILURE.UploadRejected) });
    const result = await (await start('one-bad')).result();
    assert.equal(result.status, 'failed');
    assert.deepEqual(
      result.videos.map((v) => v.status),
      ['failed', 'published', 'published'],
    );
    assert.equal(result.error, 'demo: the video was refused');
    assert.equal(marks('one-bad').at(-1), 'failed');
  });

  it('a failure of the whole account (bad credentials) skips the remaining videos', async () => {
    mocks.upload.set(`${taskId}/badcreds/v1`, { fail: ApplicationFailure.nonRetryable('demo: sign-in rejected for badcreds-user', FAILURE.BadCredentials) });
    const result = await (await start('badcreds')).result();
    assert.equal(result.status, 'failed');
    assert.deepEqual(result.videos, [
      { videoId: 'v1', status: 'failed', error: 'demo: sign-in rejected for badcreds-user' },
      { videoId: 'v2', status: 'failed', error: 'skipped: demo: sign-in rejected for badcreds-user' },
      { videoId: 'v3', status: 'failed', error: 'skipped: demo: sign-in rejected for badcreds-user' },
    ]);
    assert.equal(mocks.calls.uniquify.filter((c) => c.accountId === 'badcreds').length, 1, 'no other video was uniquified');
    assert.equal(mocks.calls.upload.filter((c) => c.accountId === 'badcreds').length, 1, 'no other video was uploaded');
  });

  for (const [step, behaviours] of [
    ['uniquify', mocks.uniquify],
    ['upload', mocks.upload],
  ] as const) {
    it(`a cancel while ${step} runs ends the account cancelled, even when the activity ends in an error of its own`, async () => {
      // One video: after a cancel mistaken for a failure nothing would be left to notice the
      // cancel, and the account would end "failed" in a Completed child.
      const accountId = `cancel-${step}`;
      behaviours.set(`${taskId}/${accountId}/v1`, 'wait-for-cancel');
      const handle = await start(accountId, { videos: videos.slice(0, 1) });
      await waitFor(`${step} of ${accountId} to start`, () => Promise.resolve(mocks.started.has(`${step}:${taskId}/${accountId}/v1`)), 30_000);
      await handle.cancel();
      await assert.rejects(handle.result(), (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
      assert.equal((await handle.describe()).status.name, 'CANCELLED');
      assert.deepEqual(marks(accountId), ['running', ...(step === 'upload' ? ['running'] : []), 'cancelled']);
      const lines = mocks.calls.appendLog.filter((c) => c.accountId === accountId).flatMap((c) => c.lines ?? []);
      assert.deepEqual(
        lines.filter((l) => l.level === 'error'),
        [],
        'nothing was recorded as failed',
      );
    });
  }

  it('an API platform uploads through uploadViaApi, never the browser', async () => {
    const result = await (await start('yt-api', { platform: 'youtube', youtube: { privacyStatus: 'unlisted', madeForKids: false } })).result();
    assert.equal(result.status, 'completed');
    assert.equal(mocks.calls.upload.filter((c) => c.accountId === 'yt-api').length, 0);
    const calls = mocks.calls.uploadViaApi.filter((c) => c.accountId === 'yt-api');
    assert.deepEqual(
      calls.map((c) => c.filePath),
      videos.map((v) => `/variants/${taskId}/yt-api/${v.id}.mp4`),
      'exactly the files uniquify returned',
    );
    assert.deepEqual(calls[0]?.youtube, { privacyStatus: 'unlisted', madeForKids: false }, 'the bulk options reach the upload');
  });

  it('a spent quota is a durable wait until it resets, then the upload is tried again, and nothing fails', async () => {
    const resetsAt = new Date(Date.now() + 1_000).toISOString();
    const quotaSpent = ApplicationFailure.create({ message: 'youtube: quota spent', type: FAILURE.QuotaExhausted, nonRetryable: true, details: [{ resetsAt }] });
    mocks.upload.set(`${taskId}/yt-quota/v1`, { fail: quotaSpent, times: 1 });
    const handle = await start('yt-quota', { platform: 'youtube', videos: videos.slice(0, 1) });
    const result = await handle.result();
    assert.equal(result.status, 'completed');
    assert.equal(mocks.calls.uploadViaApi.filter((c) => c.accountId === 'yt-quota').length, 2, 'tried again after the wait');
    const steps = mocks.calls.appendLog.filter((c) => c.accountId === 'yt-quota' && c.accountStatus).map((c) => c.accountStatus!.currentStep);
    assert.ok(steps.includes(`video 1/1 (v1): waiting for quota until ${resetsAt}`), `the wait shows in the account's status: ${steps.join(' | ')}`);
    const history = await handle.fetchHistory();
    const timer = history.events!.find((e) => e.timerStartedEventAttributes);
    assert.ok(timer, 'the wait is a durable timer in the history');
    const lines = mocks.calls.appendLog.filter((c) => c.accountId === 'yt-quota').flatMap((c) => c.lines ?? []);
    assert.deepEqual(
      lines.filter((l) => l.level === 'error'),
      [],
      'nothing was recorded as failed',
    );
  });

  it('on a plan, a spent limit goes to the pacer: the posts left are planned past the reset, and the upload is tried again then', async () => {
    const resetsAt = new Date(Date.now() + 1_000).toISOString();
    const limit = ApplicationFailure.create({
      message: 'instagram: limit',
      type: FAILURE.QuotaExhausted,
      nonRetryable: true,
      details: [{ resetsAt, limit: 'posts per 24 hours' }],
    });
    mocks.upload.set(`${taskId}/ig-plan/v1`, { fail: limit, times: 1 });
    const schedule = { timeZone: 'Europe/Berlin', minSpacingMinutes: 0, jitterMinutes: 0 };
    const result = await (await start('ig-plan', { platform: 'instagram', videos: videos.slice(0, 2), schedule })).result();
    assert.equal(result.status, 'completed');
    // The mock plans every post for "now", so rendering alone makes them overdue and replanned once; one ask carries the limit.
    const blocks = mocks.calls.reserveSlots.filter((c) => c.accountId === 'ig-plan' && c.blockedUntil);
    assert.equal(blocks.length, 1, 'the limit went to the pacer once');
    assert.equal(blocks[0]!.blockedUntil!.limit, 'posts per 24 hours');
    assert.ok(Date.parse(blocks[0]!.blockedUntil!.resetsAt) >= Date.parse(resetsAt));
    assert.deepEqual(
      blocks[0]!.videos.map((v) => v.videoId),
      ['v1', 'v2'],
      'every post left moves past the reset',
    );
    const uploads = mocks.calls.uploadViaApi.filter((c) => c.accountId === 'ig-plan');
    assert.deepEqual(
      uploads.map((c) => c.videoId),
      ['v1', 'v1', 'v2'],
    );
  });
});
