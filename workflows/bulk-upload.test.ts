/**
 * BulkUpload with mocked activities, on the dev server: the outcome of a bulk from its
 * accounts' ends (this run's and earlier runs'), accounts unknown at registration, and
 * continue-as-new forced early by the input's threshold.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { parseBulkUploadInput, type BulkUploadRequest } from '../contracts/bulk-input';
import { FAILURE } from '../contracts/failure-types';
import { accountUploadWorkflowId, bulkUploadWorkflowId } from '../contracts/names';
import { bulkFingerprint } from '../bulks/fingerprint';
import { recordingActivities, startMockedWorker, type MockedWorker } from '../test/fixtures/activity-env';
import { BulkUpload, type BulkUploadStart } from './bulk-upload';

describe('BulkUpload (mocked activities)', { timeout: 300_000 }, () => {
  let worker: MockedWorker;
  const mocks = recordingActivities();
  const run = randomBytes(3).toString('hex');
  const video = { path: 'clip.mp4', caption: 'hello' };

  before(async () => {
    worker = await startMockedWorker(mocks.activities);
  });
  after(async () => worker?.close());

  const bulk = (name: string, accountIds: string[], options: BulkUploadRequest['options'] = {}): BulkUploadRequest => ({
    taskId: `${name}-${run}`,
    videos: [video],
    accountIds,
    options,
  });
  const start = (taskId: string, arg: BulkUploadStart) =>
    worker.env.client.workflow.start(BulkUpload, { taskQueue: worker.taskQueue, workflowId: bulkUploadWorkflowId(taskId), args: [arg] });
  const childrenOf = (taskId: string) => mocks.calls.uniquify.filter((c) => c.taskId === taskId).map((c) => c.accountId);
  const recorded = (taskId: string) => mocks.calls.recordTaskStatus.filter((c) => c.taskId === taskId);

  it('one failed account never fails the others: the bulk ends partially_failed', async () => {
    const request = bulk('partial', ['p1', 'p2', 'p3']);
    mocks.upload.set(`${request.taskId}/p2/video-1`, { fail: ApplicationFailure.nonRetryable('demo: sign-in rejected for p2-user', FAILURE.BadCredentials) });
    const result = await (await start(request.taskId, request)).result();
    assert.deepEqual(
      { status: result.status, completed: result.completed, failed: result.failed, failedAccountIds: result.failedAccountIds },
      { status: 'partially_failed', completed: 2, failed: 1, failedAccountIds: ['p2'] },
    );
    assert.deepEqual(childrenOf(request.taskId).sort(), ['p1', 'p2', 'p3']);
    assert.deepEqual(recorded(request.taskId), [{ taskId: request.taskId, status: 'partially_failed', completedAccounts: 2, failedAccounts: 1 }]);
  });

  it('registers the validated input with its fingerprint before any account starts', async () => {
    const request = bulk('register', ['r1']);
    await (await start(request.taskId, request)).result();
    const [registered] = mocks.calls.registerTask.filter((c) => c.taskId === request.taskId);
    assert.ok(registered, 'registerTask was called');
    assert.equal(registered.fingerprint, bulkFingerprint(parseBulkUploadInput(request)));
    assert.deepEqual(registered.videos, [{ id: 'video-1', path: 'clip.mp4', caption: 'hello' }]);
  });

  it('accounts unknown at registration are recorded failed and get no child', async () => {
    const request = bulk('unknown', ['u1', 'ghost']);
    mocks.registered.set(request.taskId, { unknownAccountIds: ['ghost'], earlier: { completed: 0, failed: 0, cancelled: 0 } });
    const result = await (await start(request.taskId, request)).result();
    assert.deepEqual([result.status, result.completed, result.failed, result.failedAccountIds], ['partially_failed', 1, 1, ['ghost']]);
    assert.deepEqual(childrenOf(request.taskId), ['u1']);
    await assert.rejects(worker.env.client.workflow.getHandle(accountUploadWorkflowId(request.taskId, 'ghost')).describe(), WorkflowNotFoundError);
    const marks = mocks.calls.appendLog.filter((c) => c.taskId === request.taskId && c.accountId === 'ghost');
    assert.deepEqual(
      marks.map((c) => c.accountStatus?.status),
      ['failed'],
    );
    assert.match(marks[0]!.message ?? '', /unknown account ghost on demo: create it first \(PUT \/accounts\)/);
  });

  for (const [earlier, expected] of [
    [
      { completed: 2, failed: 0, cancelled: 0 },
      { status: 'completed', completedAccounts: 3, failedAccounts: 0 },
    ],
    [
      { completed: 1, failed: 1, cancelled: 0 },
      { status: 'partially_failed', completedAccounts: 2, failedAccounts: 1 },
    ],
    [
      { completed: 0, failed: 0, cancelled: 1 },
      { status: 'partially_failed', completedAccounts: 1, failedAccounts: 0 },
    ],
  ] as const) {
    it(`a retry of the failed accounts judges the bulk over earlier runs' accounts too (${JSON.stringify(earlier)} → ${expected.status})`, async () => {
      const input = parseBulkUploadInput(bulk(`retry-${Object.values(earlier).join('')}`, ['again']));
      mocks.registered.set(input.taskId, { unknownAccountIds: [], earlier });
      const result = await (await start(input.taskId, { kind: 'retry-failed', input, fingerprint: 'fp-of-the-first-run' })).result();
      assert.equal(result.status, expected.status);
      assert.deepEqual(recorded(input.taskId), [{ taskId: input.taskId, ...expected }]);
      assert.equal(mocks.calls.registerTask.find((c) => c.taskId === input.taskId)?.fingerprint, 'fp-of-the-first-run', 'the retry keeps the bulk its fingerprint');
    });
  }

  it('continues as new when its history passes the threshold, and every account gets exactly one child', async () => {
    const accountIds = Array.from({ length: 12 }, (_, i) => `can${i + 1}`);
    const request = bulk('continue', accountIds, { concurrency: 2, historyEventsBeforeContinue: 50 });
    const handle = await start(request.taskId, request);
    const result = await handle.result();
    assert.deepEqual([result.status, result.completed, result.failed], ['completed', 12, 0]);

    // Follow the chain of runs from the first one.
    const runs: string[] = [];
    let runId: string | undefined = handle.firstExecutionRunId;
    while (runId) {
      runs.push(runId);
      const history = await worker.env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    assert.ok(runs.length > 1, `expected more than one run, got ${runs.length}`);

    const children = childrenOf(request.taskId);
    assert.deepEqual([...children].sort(), [...accountIds].sort(), 'every account had one child, none twice');
    assert.deepEqual(
      recorded(request.taskId),
      [{ taskId: request.taskId, status: 'completed', completedAccounts: 12, failedAccounts: 0 }],
      'the outcome is recorded once, by the last run',
    );
    assert.equal(mocks.calls.registerTask.filter((c) => c.taskId === request.taskId).length, 1, 'registered once, not again by a continued run');
  });

  it('refuses an invalid bulk for good, naming the field', async () => {
    const taskId = `invalid-${run}`;
    const handle = await start(taskId, { taskId, videos: [], accountIds: ['x'] });
    await assert.rejects(
      handle.result(),
      (err: unknown) =>
        err instanceof Error &&
        err.cause instanceof ApplicationFailure &&
        err.cause.type === FAILURE.InvalidInput &&
        /videos: must list at least one video/.test(err.cause.message),
    );
    assert.equal(mocks.calls.registerTask.filter((c) => c.taskId === taskId).length, 0);
  });
});
