import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE } from '../contracts/failure-types';
import { BulkUploadAccount, BulkUploadTask } from '../database/entities';
import { openActivityTestDb, runActivity, type ActivityTestDb } from '../test/fixtures/activity-env';
import { makeRecordStatus } from './record-status';

describe('recordTaskStatus', () => {
  let db: ActivityTestDb;
  let recordTaskStatus: ReturnType<typeof makeRecordStatus>['recordTaskStatus'];
  const video = [{ id: 'v1', path: 'a.mp4', caption: '' }];

  before(async () => {
    db = await openActivityTestDb();
    ({ recordTaskStatus } = makeRecordStatus({ orm: db.orm }));
  });
  after(async () => db?.close());

  const task = (id: string) => db.orm.em.fork().findOneOrFail(BulkUploadTask, id);
  const accountStatuses = async (id: string) =>
    (await db.orm.em.fork().find(BulkUploadAccount, { task: id }, { orderBy: { accountId: 'asc' } })).map((a) => `${a.accountId}:${a.status}`);

  it('writes exactly the status and counts the workflow decided, whatever the rows say', async () => {
    await db.addTask({ taskId: 'exact', accountIds: ['a', 'b', 'c'], videos: video, accountStatus: 'completed' });
    // The workflow counts earlier runs' accounts too: the rows of this task alone would say 3 completed.
    await runActivity(recordTaskStatus, { taskId: 'exact', status: 'partially_failed', completedAccounts: 5, failedAccounts: 2 });
    const row = await task('exact');
    assert.equal(row.status, 'partially_failed');
    assert.equal(row.completedAccounts, 5);
    assert.equal(row.failedAccounts, 2);
    assert.ok(row.finishedAt, 'a finished bulk has an end time');
    assert.deepEqual(await accountStatuses('exact'), ['a:completed', 'b:completed', 'c:completed']);
  });

  it('a bulk running again has no end time', async () => {
    await db.addTask({ taskId: 'again', accountIds: ['a'], videos: video });
    await runActivity(recordTaskStatus, { taskId: 'again', status: 'failed', completedAccounts: 0, failedAccounts: 1 });
    await runActivity(recordTaskStatus, { taskId: 'again', status: 'running', completedAccounts: 0, failedAccounts: 1 });
    const row = await task('again');
    assert.equal(row.status, 'running');
    assert.equal(row.finishedAt, null);
  });

  it('a cancelled bulk ends its unfinished accounts cancelled and keeps the finished ones', async () => {
    await db.addTask({ taskId: 'cancel', accountIds: ['done', 'broken', 'busy', 'waiting'], videos: video });
    const em = db.orm.em.fork();
    await em.nativeUpdate(BulkUploadAccount, { task: 'cancel', accountId: 'done' }, { status: 'completed' });
    await em.nativeUpdate(BulkUploadAccount, { task: 'cancel', accountId: 'broken' }, { status: 'failed' });
    await em.nativeUpdate(BulkUploadAccount, { task: 'cancel', accountId: 'busy' }, { status: 'running' });
    await runActivity(recordTaskStatus, { taskId: 'cancel', status: 'cancelled', completedAccounts: 1, failedAccounts: 1 });
    assert.equal((await task('cancel')).status, 'cancelled');
    assert.deepEqual(await accountStatuses('cancel'), ['broken:failed', 'busy:cancelled', 'done:completed', 'waiting:cancelled']);
  });

  it('a task that was never registered is left alone, without an error', async () => {
    await runActivity(recordTaskStatus, { taskId: 'never', status: 'cancelled', completedAccounts: 0, failedAccounts: 0 });
    assert.equal(await db.orm.em.fork().count(BulkUploadTask, { id: 'never' }), 0);
  });

  it('refuses a status that does not exist, naming the field', async () => {
    await assert.rejects(
      runActivity(recordTaskStatus, JSON.parse('{"taskId":"exact","status":"done","completedAccounts":0,"failedAccounts":0}') as Parameters<typeof recordTaskStatus>[0]),
      (err: unknown) => err instanceof ApplicationFailure && err.type === FAILURE.InvalidInput && /status/.test(err.message),
    );
  });
});
