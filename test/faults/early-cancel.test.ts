/**
 * A cancelled bulk ends `cancelled` in every account, however early the cancel comes: at
 * once (before the task is registered), a tenth and half a second after the start (while
 * the variants render), and mid-upload. Each child that ran ends Cancelled
 * in Temporal, never Completed or Failed, and nothing is posted.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { type BulkService } from '../../bulks';
import { accountUploadWorkflowId, bulkUploadWorkflowId } from '../../contracts/names';
import { BulkUploadAccount, BulkUploadTask } from '../../database/entities';
import { bulkService } from '../../runtime';
import { demoPosts, setDemoFaults, startTestStack, type TestStack } from '../fixtures/stack';
import { waitFor } from '../fixtures/wait';

describe('faults: a cancel at any moment', { timeout: 600_000 }, () => {
  let stack: TestStack;
  let bulks: BulkService;
  const accountIds = ['ec-a', 'ec-b', 'ec-c'];
  let videos: string[];
  before(async () => {
    stack = await startTestStack();
    bulks = bulkService(stack.deps.services, stack.env.client);
    for (const id of accountIds) await stack.addAccount({ id });
    // One video: a cancelled uniquify that was taken for a failure had no next video to
    // notice the cancel, so the account ended `failed` and its child Completed.
    videos = [await stack.addVideo('ec-1.mp4', { durationSec: 6 })];
  });
  after(async () => stack?.close());

  /** Starts a bulk, lets `cancelWhen` decide the moment, cancels, and checks the outcome. */
  async function cancelAndCheck(taskId: string, cancelWhen: () => Promise<void>): Promise<void> {
    await bulks.submit({ taskId, videos: videos.map((path) => ({ path })), accountIds, options: { concurrency: 3 } });
    const handle = stack.env.client.workflow.getHandle(bulkUploadWorkflowId(taskId));
    await cancelWhen();
    await handle.cancel();
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, `the bulk ends cancelled, not ${String(err)}`);
      return true;
    });

    const em = stack.deps.orm.em.fork();
    const task = await em.findOneOrFail(BulkUploadTask, taskId);
    assert.equal(task.status, 'cancelled');
    const rows = await em.find(BulkUploadAccount, { task: taskId }, { orderBy: { accountId: 'asc' } });
    assert.deepEqual(
      rows.map((r) => [r.accountId, r.status]),
      accountIds.map((id) => [id, 'cancelled']),
      'every account of the bulk is cancelled',
    );
    for (const id of accountIds) {
      const child = stack.env.client.workflow.getHandle(accountUploadWorkflowId(taskId, id));
      const status = await child.describe().then(
        (d) => d.status.name,
        () => 'NOT_STARTED',
      );
      assert.ok(['CANCELLED', 'NOT_STARTED'].includes(status), `child of ${id} is ${status}, not Completed or Failed`);
    }
  }

  it('at once, before the bulk has registered its task', async () => {
    await cancelAndCheck('ec-at-once', async () => undefined);
  });

  it('0.1 s after the start', async () => {
    await cancelAndCheck('ec-early', () => sleep(100));
  });

  it('0.5 s after the start', async () => {
    await cancelAndCheck('ec-half', () => sleep(500));
  });

  it('mid-upload', async () => {
    await setDemoFaults(stack.demo, { slowUploadMs: 5_000 });
    try {
      await cancelAndCheck('ec-upload', () =>
        waitFor(
          'an account to be uploading',
          async () => (await stack.deps.orm.em.fork().count(BulkUploadAccount, { task: 'ec-upload', currentStep: { $like: '%uploading%' } })) > 0,
          120_000,
        ),
      );
    } finally {
      await setDemoFaults(stack.demo, null);
    }
    const posts = (await demoPosts(stack.demo)).filter((p) => p.account.startsWith('ec-'));
    assert.deepEqual(posts, [], 'a cancelled upload posts nothing');
  });
});
