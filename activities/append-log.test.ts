import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/activity';
import { FAILURE } from '../contracts/failure-types';
import { accountLogsKey, bulkUploadWorkflowId, taskLogsKey } from '../contracts/names';
import { BulkUploadAccount, LogLine } from '../database/entities';
import { createLogStore } from '../logs/log-store';
import { createRedis, waitForRedis, type RedisClient } from '../redis/connection';
import { openActivityTestDb, runActivity, runActivityWith, type ActivityTestDb } from '../test/fixtures/activity-env';
import { TEST_REDIS_URL } from '../test/fixtures/stack';
import { makeAppendLog } from './append-log';

describe('appendLog', () => {
  let db: ActivityTestDb;
  let redis: RedisClient;
  let appendLog: ReturnType<typeof makeAppendLog>;
  // Tasks of this run only: the Redis database is shared with other test files.
  const prefix = `al-${randomBytes(3).toString('hex')}`;
  const taskIds: string[] = [];

  before(async () => {
    db = await openActivityTestDb();
    redis = createRedis(TEST_REDIS_URL, 'clipfleet-test-append-log');
    assert.ok(await waitForRedis(redis), `Redis answers at ${TEST_REDIS_URL}`);
    appendLog = makeAppendLog({ orm: db.orm, logStore: createLogStore({ orm: db.orm, redis, maxLines: 1_000, ttlSeconds: 600, consoleWrite: null }) });
  });
  after(async () => {
    if (redis && taskIds.length) await redis.del(...taskIds.flatMap((t) => [taskLogsKey(t), accountLogsKey(t, 'acc')]));
    redis?.disconnect();
    await db?.close();
  });

  async function newTask(): Promise<string> {
    const taskId = `${prefix}-${taskIds.length + 1}`;
    taskIds.push(taskId);
    await db.addTask({ taskId, accountIds: ['acc'], videos: [{ id: 'v1', path: 'a.mp4', caption: '' }] });
    return taskId;
  }
  // A workflow run of its own per task, as in production (a line's key includes the run).
  const inRun = (taskId: string, runId = 'r', attempt = 1) => ({ attempt, workflowExecution: { workflowId: bulkUploadWorkflowId(taskId), runId } });
  const dbLines = async (taskId: string) => (await db.orm.em.fork().find(LogLine, { task: taskId }, { orderBy: { id: 'asc' } })).map((l) => `${l.level}: ${l.message}`);
  const streamLength = (key: string) => redis.xlen(key);

  it('writes a line to the database and to the task and account streams in Redis', async () => {
    const taskId = await newTask();
    await runActivityWith(inRun(taskId), appendLog, { taskId, accountId: 'acc', level: 'info', message: 'uniquifying v1', key: 'k1' });
    assert.deepEqual(await dbLines(taskId), ['info: uniquifying v1']);
    assert.equal(await streamLength(taskLogsKey(taskId)), 1);
    assert.equal(await streamLength(accountLogsKey(taskId, 'acc')), 1);
  });

  it('a retried call with the same key writes no line twice', async () => {
    const taskId = await newTask();
    const call = {
      taskId,
      accountId: 'acc',
      lines: [
        { level: 'info' as const, message: 'one' },
        { level: 'warn' as const, message: 'two' },
      ],
      key: 'mark-1',
    };
    await runActivityWith(inRun(taskId), appendLog, call);
    await runActivityWith(inRun(taskId, 'r', 2), appendLog, call);
    assert.deepEqual(await dbLines(taskId), ['info: one', 'warn: two']);
    assert.equal(await streamLength(taskLogsKey(taskId)), 2);
  });

  it('another key, or another workflow run, is another line', async () => {
    const taskId = await newTask();
    await runActivityWith(inRun(taskId), appendLog, { taskId, level: 'info', message: 'same text', key: 'log-1' });
    await runActivityWith(inRun(taskId), appendLog, { taskId, level: 'info', message: 'same text', key: 'log-2' });
    await runActivityWith(inRun(taskId, 'r2'), appendLog, { taskId, level: 'info', message: 'same text', key: 'log-1' });
    assert.equal((await dbLines(taskId)).length, 3);
  });

  it('a status mark lands with its lines; a failed mark without an error keeps the one recorded', async () => {
    const taskId = await newTask();
    await runActivityWith(inRun(taskId), appendLog, {
      taskId,
      accountId: 'acc',
      lines: [{ level: 'error', message: 'v1 failed' }],
      accountStatus: { status: 'failed', currentStep: 'video 1/1', error: 'bad file' },
      key: 'mark-1',
    });
    await runActivityWith(inRun(taskId), appendLog, { taskId, accountId: 'acc', accountStatus: { status: 'failed', currentStep: 'done' }, key: 'mark-2' });
    const account = await db.orm.em.fork().findOneOrFail(BulkUploadAccount, { task: taskId, accountId: 'acc' });
    assert.deepEqual([account.status, account.currentStep, account.error], ['failed', 'done', 'bad file']);
    assert.deepEqual(await dbLines(taskId), ['error: v1 failed']);

    await runActivityWith(inRun(taskId), appendLog, { taskId, accountId: 'acc', accountStatus: { status: 'running', currentStep: 'retrying' }, key: 'mark-3' });
    const again = await db.orm.em.fork().findOneOrFail(BulkUploadAccount, { task: taskId, accountId: 'acc' });
    assert.deepEqual([again.status, again.error], ['running', null]);
  });

  it('refuses input that mixes or lacks its parts, naming the field', async () => {
    const invalid = (field: RegExp) => (err: unknown) => err instanceof ApplicationFailure && err.type === FAILURE.InvalidInput && err.nonRetryable && field.test(err.message);
    await assert.rejects(runActivity(appendLog, { taskId: 't', level: 'info', message: 'x', lines: [{ level: 'info', message: 'y' }] }), invalid(/lines: give either/));
    await assert.rejects(runActivity(appendLog, { taskId: 't', accountStatus: { status: 'running' } }), invalid(/accountId: is required/));
    await assert.rejects(runActivity(appendLog, { taskId: 't', level: 'info' }), invalid(/message: level and message go together/));
  });
});
