/**
 * Retry only a bulk's failed accounts: after fixing the cause (here a wrong password), one
 * call re-runs just those accounts; nothing already published is posted again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bulkUploadWorkflowId } from '../contracts/names';
import { BulkUploadTask } from '../database/entities';
import { demoPosts } from './fixtures/stack';
import { useTestStack } from './fixtures/suite-stack';

describe('retry failed accounts', { timeout: 300_000 }, () => {
  const stack = useTestStack();

  it('re-runs only the failed accounts and ends completed, with no duplicate posts', async () => {
    await stack().addAccount({ id: 'good' });
    await stack().addAccount({ id: 'typo', platformPassword: 'right-password', password: 'wrong-password' });
    const videos = [await stack().addVideo('retry-a.mp4'), await stack().addVideo('retry-b.mp4')];
    const start = await stack().api('POST', '/bulk-uploads', { taskId: 'retry', videos: videos.map((p) => ({ path: p })), accountIds: ['good', 'typo'] });
    assert.equal(start.status, 202);
    const handle = () => stack().env.client.workflow.getHandle(bulkUploadWorkflowId('retry'));
    assert.equal((await handle().result()).status, 'partially_failed');

    const nothing = await stack().api('POST', '/bulk-uploads/nope/retry-failed');
    assert.equal(nothing.status, 404);

    const fixed = await stack().api('PUT', '/accounts', { id: 'typo', platform: 'demo', username: 'typo-user', password: 'right-password' });
    assert.equal(fixed.status, 200);
    const retry = await stack().api('POST', '/bulk-uploads/retry/retry-failed');
    assert.equal(retry.status, 202, await retry.clone().text());
    assert.deepEqual(((await retry.json()) as { accountIds: string[] }).accountIds, ['typo']);
    const rerun = await handle().result();
    assert.equal(rerun.total, 1, 'only the failed account ran again');

    const task = await stack().deps.orm.em.fork().findOneOrFail(BulkUploadTask, 'retry');
    assert.equal(task.status, 'completed', 'the task is judged over all its accounts');
    assert.equal(task.completedAccounts, 2);
    assert.equal((await demoPosts(stack().demo, 'good-user')).length, 2, 'nothing posted twice');
    assert.equal((await demoPosts(stack().demo, 'typo-user')).length, 2);

    const again = await stack().api('POST', '/bulk-uploads/retry/retry-failed');
    assert.equal(again.status, 409, 'nothing left to retry');
  });
});
