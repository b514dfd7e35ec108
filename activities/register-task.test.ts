import assert from 'node:assert/strict';
import { bulkUploadWorkflowId } from '../contracts/names';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/activity';
import type { RegisterTaskInput } from '../contracts/activities';
import { FAILURE } from '../contracts/failure-types';
import { BulkUploadAccount, BulkUploadTask, VideoData } from '../database/entities';
import { openActivityTestDb, runActivity, type ActivityTestDb } from '../test/fixtures/activity-env';
import { getPlatformAdapter, platformOptions } from '../platforms/registry';
import { makeRegisterTask } from './register-task';

const failureOf = (type: string, field?: RegExp) => (err: unknown) =>
  err instanceof ApplicationFailure && err.type === type && err.nonRetryable && (!field || field.test(err.message));

describe('registerTask', () => {
  let db: ActivityTestDb;
  let registerTask: ReturnType<typeof makeRegisterTask>;

  before(async () => {
    db = await openActivityTestDb();
    const platforms = platformOptions(db.config);
    registerTask = makeRegisterTask({ orm: db.orm, media: db.media, platform: (name) => getPlatformAdapter(name, platforms) });
    for (const id of ['a', 'b', 'c']) await db.addAccount({ id });
    await db.addAccount({ id: 'other-site', platform: 'elsewhere' });
    await db.addMediaFile('one.mp4');
    await db.addMediaFile('two.mp4');
  });
  after(async () => db?.close());

  const bulk = (taskId: string, over: Partial<RegisterTaskInput> = {}): RegisterTaskInput => ({
    taskId,
    platform: 'demo',
    videos: [
      { id: 'v1', path: 'one.mp4', caption: 'first' },
      { id: 'v2', path: 'two.mp4', caption: 'second' },
    ],
    accountIds: ['a', 'b'],
    options: {},
    workflowId: bulkUploadWorkflowId(taskId),
    fingerprint: `fp-${taskId}`,
    ...over,
  });

  const rows = async (taskId: string) => {
    const em = db.orm.em.fork();
    return {
      accounts: (await em.find(BulkUploadAccount, { task: taskId }, { orderBy: { accountId: 'asc' } })).map((r) => `${r.accountId}:${r.status}`),
      videos: (await em.find(VideoData, { task: taskId }, { orderBy: { accountId: 'asc', videoId: 'asc' } })).map((r) => `${r.accountId}/${r.videoId}`),
    };
  };

  it('records the task, one row per account and one per (account, video)', async () => {
    const result = await runActivity(registerTask, bulk('reg'));
    assert.deepEqual(result, { unknownAccountIds: [], earlier: { completed: 0, failed: 0, cancelled: 0 } });
    const task = await db.orm.em.fork().findOneOrFail(BulkUploadTask, 'reg');
    assert.equal(task.status, 'running');
    assert.equal(task.inputFingerprint, 'fp-reg');
    assert.deepEqual(await rows('reg'), { accounts: ['a:pending', 'b:pending'], videos: ['a/v1', 'a/v2', 'b/v1', 'b/v2'] });
  });

  it('registering twice keeps one row each (a retried activity)', async () => {
    await runActivity(registerTask, bulk('twice'));
    const first = await rows('twice');
    await runActivity(registerTask, bulk('twice'));
    assert.deepEqual(await rows('twice'), first);
  });

  it('names the accounts that do not exist on the platform, and still registers them', async () => {
    const result = await runActivity(registerTask, bulk('unknowns', { accountIds: ['a', 'ghost', 'other-site'] }));
    assert.deepEqual(result.unknownAccountIds, ['ghost', 'other-site']);
    assert.deepEqual((await rows('unknowns')).accounts, ['a:pending', 'ghost:pending', 'other-site:pending']);
  });

  it('refuses a task id already registered with another input, writing nothing', async () => {
    await runActivity(registerTask, bulk('taken'));
    const before = await rows('taken');
    await assert.rejects(
      runActivity(registerTask, bulk('taken', { accountIds: ['a', 'b', 'c'], fingerprint: 'fp-other' })),
      failureOf(FAILURE.InvalidInput, /^taskId: task id "taken" is already used/),
    );
    assert.deepEqual(await rows('taken'), before);
  });

  it('a retry of the failed accounts counts how the others ended earlier, and runs the task again', async () => {
    await runActivity(registerTask, bulk('retry', { accountIds: ['a', 'b', 'c'] }));
    const em = db.orm.em.fork();
    await em.nativeUpdate(BulkUploadAccount, { task: 'retry', accountId: 'a' }, { status: 'completed' });
    await em.nativeUpdate(BulkUploadAccount, { task: 'retry', accountId: 'b' }, { status: 'failed' });
    await em.nativeUpdate(BulkUploadAccount, { task: 'retry', accountId: 'c' }, { status: 'cancelled' });
    await em.nativeUpdate(BulkUploadTask, { id: 'retry' }, { status: 'partially_failed', finishedAt: new Date() });

    const result = await runActivity(registerTask, bulk('retry', { accountIds: ['b'] }));
    assert.deepEqual(result, { unknownAccountIds: [], earlier: { completed: 1, failed: 0, cancelled: 1 } });
    const task = await db.orm.em.fork().findOneOrFail(BulkUploadTask, 'retry');
    assert.equal(task.status, 'running');
    assert.equal(task.finishedAt, null);
  });

  it('refuses a video outside the media root before writing anything', async () => {
    const input = bulk('escape', { videos: [{ id: 'v1', path: '../../etc/passwd', caption: '' }] });
    await assert.rejects(runActivity(registerTask, input), failureOf(FAILURE.PathOutsideMediaRoot, /\.\.\/\.\.\/etc\/passwd/));
    assert.equal(await db.orm.em.fork().count(BulkUploadTask, { id: 'escape' }), 0);
  });

  it('refuses a missing video, naming it as typed', async () => {
    await assert.rejects(runActivity(registerTask, bulk('missing', { videos: [{ id: 'v1', path: 'nope.mp4', caption: '' }] })), failureOf(FAILURE.VideoNotFound, /nope\.mp4/));
  });

  it('refuses an unknown platform', async () => {
    await assert.rejects(runActivity(registerTask, bulk('platform', { platform: 'myspace' })), failureOf(FAILURE.UnknownPlatform, /myspace/));
  });

  it('refuses invalid input naming the field', async () => {
    await assert.rejects(runActivity(registerTask, bulk('nofp', { fingerprint: '' })), failureOf(FAILURE.InvalidInput, /fingerprint/));
    await assert.rejects(runActivity(registerTask, bulk('noacc', { accountIds: [] })), failureOf(FAILURE.InvalidInput, /accountIds/));
  });
});
