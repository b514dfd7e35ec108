/**
 * The log store against a real SQLite file and real Redis: one cursor across both copies,
 * Redis answering only what it can prove complete, the database everything else.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { accountLogsKey, taskLogsKey } from '../contracts/names';
import { BulkUploadAccount, BulkUploadTask } from '../database/entities';
import { openDatabase, type Orm } from '../database/orm';
import { createRedis, waitForRedis, type RedisClient } from '../redis/connection';
import { TEST_REDIS_URL } from '../test/fixtures/stack';
import { createLogStore, type LogStore } from './log-store';

describe('log store', () => {
  let dir: string;
  let orm: Orm;
  let redis: RedisClient;
  let deadRedis: RedisClient;
  let store: LogStore;
  /** The same database while Redis is down: nothing listens on port 1. */
  let storeWithoutRedis: LogStore;
  const run = randomBytes(4).toString('hex');
  const tasks: { taskId: string; accountIds: string[] }[] = [];

  async function makeTask(name: string, accountIds: string[]): Promise<string> {
    const taskId = `${name}-${run}`;
    const em = orm.em.fork();
    const task = em.create(BulkUploadTask, {
      id: taskId,
      platform: 'demo',
      workflowId: `w-${taskId}`,
      options: { uniquifyPreset: 'fast', concurrency: 1, dryRun: false },
      status: 'running',
      accountCount: accountIds.length,
    });
    for (const accountId of accountIds) em.create(BulkUploadAccount, { task, accountId, workflowId: `w-${taskId}-${accountId}` });
    await em.flush();
    tasks.push({ taskId, accountIds });
    return taskId;
  }
  const messages = (r: { entries: { message: string }[] }) => r.entries.map((e) => e.message);

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-log-store-'));
    orm = await openDatabase({ driver: 'sqlite', dbName: path.join(dir, 'logs.sqlite'), secretsKeyFile: path.join(dir, 'secrets.key') });
    redis = createRedis(TEST_REDIS_URL, 'clipfleet-log-store-test');
    assert.ok(await waitForRedis(redis), `Redis must answer on ${TEST_REDIS_URL}`);
    deadRedis = createRedis('redis://127.0.0.1:1/0', 'clipfleet-log-store-test-dead');
    store = createLogStore({ orm, redis, maxLines: 1_000, ttlSeconds: 600, consoleWrite: null });
    storeWithoutRedis = createLogStore({ orm, redis: deadRedis, maxLines: 1_000, ttlSeconds: 600, consoleWrite: null });
  });
  after(async () => {
    const keys = tasks.flatMap(({ taskId, accountIds }) => [taskLogsKey(taskId), ...accountIds.map((a) => accountLogsKey(taskId, a))]);
    if (keys.length) await redis.unlink(...keys);
    redis.disconnect();
    deadRedis.disconnect();
    await orm.close(true);
    await fs.rm(dir, { recursive: true, force: true });
  });

  test("lines come back from Redis with their row ids as cursors; an account's read holds only its lines", async () => {
    const taskId = await makeTask('basic', ['ann', 'ben']);
    assert.deepEqual(await store.append({ taskId, level: 'info', message: 'start' }), { duplicate: false, redis: true });
    await store.appendMany([
      { taskId, accountId: 'ann', level: 'info', message: 'ann 1' },
      { taskId, accountId: 'ben', level: 'warn', message: 'ben 1' },
      { taskId, accountId: 'ann', level: 'error', message: 'ann 2' },
    ]);
    const all = await store.read(taskId);
    assert.equal(all.source, 'redis');
    assert.deepEqual(messages(all), ['start', 'ann 1', 'ben 1', 'ann 2']);
    assert.deepEqual(
      all.entries.map((e) => e.accountId),
      [undefined, 'ann', 'ben', 'ann'],
    );
    // As an API client sees them (JSON): the database copy spells out `accountId: undefined`.
    const asJson = (r: { entries: unknown[] }) => JSON.parse(JSON.stringify(r.entries)) as unknown;
    assert.deepEqual(asJson(await storeWithoutRedis.read(taskId)), asJson(all), 'both copies give the same entries');

    const ann = await store.read(taskId, { accountId: 'ann' });
    assert.equal(ann.source, 'redis');
    assert.deepEqual(messages(ann), ['ann 1', 'ann 2']);

    const rest = await store.read(taskId, { after: all.entries[1]!.id, limit: 2 });
    assert.deepEqual(messages(rest), ['ben 1', 'ann 2']);
    const atEnd = await store.read(taskId, { after: `db-${all.entries[3]!.id}` });
    assert.deepEqual(atEnd, { entries: [], source: 'redis' }, 'caught up: Redis proves there is nothing more');
  });

  test('a retried batch adds nothing; an account outside the task is refused', async () => {
    const taskId = await makeTask('retry', ['cid']);
    const batch = [1, 2].map((n) => ({ taskId, accountId: 'cid', level: 'info' as const, message: `line ${n}`, sourceKey: `${taskId}/${n}` }));
    assert.deepEqual(await store.appendMany(batch), { duplicate: false, redis: true });
    assert.deepEqual(await store.appendMany(batch), { duplicate: true, redis: false });
    assert.deepEqual(messages(await store.read(taskId)), ['line 1', 'line 2']);
    await assert.rejects(store.append({ taskId, accountId: 'stranger', level: 'info', message: 'x' }), /cannot log for account stranger: it is not part of task/);
    await assert.rejects(store.appendMany([batch[0]!, { ...batch[1]!, taskId: 'other' }]), /same task/);
  });

  test('lines that missed Redis are read from the database across the gap, and from Redis past it', async () => {
    const taskId = await makeTask('gap', ['dora']);
    const say = (s: LogStore, n: number) => s.append({ taskId, accountId: 'dora', level: 'info', message: `line ${n}` });
    for (const n of [1, 2]) await say(store, n);
    for (const n of [3, 4]) assert.equal((await say(storeWithoutRedis, n)).redis, false);
    for (const n of [5, 6]) await say(store, n);

    const fromStart = await store.read(taskId, { accountId: 'dora' });
    assert.equal(fromStart.source, 'database');
    assert.deepEqual(messages(fromStart), ['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    const pastGap = await store.read(taskId, { accountId: 'dora', after: fromStart.entries[4]!.id });
    assert.equal(pastGap.source, 'redis');
    assert.deepEqual(messages(pastGap), ['line 6']);
    const whileDown = await storeWithoutRedis.read(taskId, { after: fromStart.entries[1]!.id });
    assert.equal(whileDown.source, 'database');
    assert.deepEqual(messages(whileDown), ['line 3', 'line 4', 'line 5', 'line 6']);
  });

  test('an expired stream is answered from the database', async () => {
    const taskId = await makeTask('expired', []);
    await store.append({ taskId, level: 'info', message: 'only line' });
    await redis.unlink(taskLogsKey(taskId));
    const read = await store.read(taskId);
    assert.deepEqual(read.source, 'database');
    assert.deepEqual(messages(read), ['only line']);
    assert.equal((await store.read(taskId, { after: read.entries[0]!.id })).source, 'database', 'an empty answer is not trusted without the stream');
  });
});
