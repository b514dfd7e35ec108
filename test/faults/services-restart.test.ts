/**
 * Faults in the services clipfleet stands on, each on its own instance so the shared test
 * services stay up: Redis stopped mid-bulk and started again; the Temporal dev server
 * restarted mid-bulk with its state file kept.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { bulkUploadWorkflowId } from '../../contracts/names';
import { BulkUploadTask, LogLine } from '../../database/entities';
import { demoPosts, startTestStack, type TestStack } from '../fixtures/stack';
import { freePort, waitFor } from '../fixtures/wait';

const run = promisify(execFile);
const SCRIPT = path.join(__dirname, '..', '..', 'temporal-dev.sh');

function startRedis(port: number, dir: string): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
}

async function logLines(stack: TestStack, taskId: string): Promise<number> {
  return stack.deps.orm.em.fork().count(LogLine, { task: taskId });
}

describe('faults: services restarted', { timeout: 600_000 }, () => {
  it('Redis stopped mid-bulk, then started: the bulk completes, SQLite has every line, logs are served throughout', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-redis-'));
    const port = await freePort();
    let redis = startRedis(port, dir);
    const stack = await startTestStack({ redisUrl: `redis://127.0.0.1:${port}` });
    try {
      await waitFor('redis', async () => stack.deps.redis.status === 'ready');
      for (const id of ['r1', 'r2']) await stack.addAccount({ id });
      const videos = [await stack.addVideo('redis-a.mp4', { durationSec: 3 }), await stack.addVideo('redis-b.mp4', { durationSec: 3 })];
      const res = await stack.api('POST', '/bulk-uploads', { taskId: 'redis-down', videos: videos.map((p) => ({ path: p })), accountIds: ['r1', 'r2'] });
      assert.equal(res.status, 202);

      await waitFor('some lines', async () => (await logLines(stack, 'redis-down')) >= 3);
      redis.kill('SIGKILL');
      await waitFor('the client to notice', async () => stack.deps.redis.status !== 'ready');
      await waitFor('lines written while Redis is down', async () => (await logLines(stack, 'redis-down')) >= 8);
      const during = await stack.api('GET', '/bulk-upload/redis-down/logs/');
      assert.equal(during.status, 200);
      assert.equal(((await during.json()) as { source: string }).source, 'database', 'readers fall back to SQLite');

      redis = startRedis(port, dir);
      const result = await stack.env.client.workflow.getHandle(bulkUploadWorkflowId('redis-down')).result();
      assert.equal(result.status, 'completed');
      assert.equal((await demoPosts(stack.demo)).length, 4);

      const em = stack.deps.orm.em.fork();
      const task = await em.findOneOrFail(BulkUploadTask, 'redis-down', { populate: ['log'] });
      const messages = task.log.getItems().map((l) => l.message);
      assert.match(messages[0]!, /^bulk redis-down: 2 video\(s\)/);
      assert.match(messages.at(-1)!, /^bulk redis-down: completed/);
      for (const account of ['r1', 'r2']) {
        for (const video of ['video-1', 'video-2']) {
          assert.ok(
            messages.some((m) => m.includes(`(${video}): published`)),
            `${account}/${video} published line is in SQLite`,
          );
        }
      }
      await waitFor('redis back', async () => stack.deps.redis.status === 'ready');
      const afterRes = await stack.api('GET', '/bulk-upload/redis-down/logs/?account=r1');
      assert.equal(afterRes.status, 200);
    } finally {
      redis.kill('SIGKILL');
      await stack.close().catch(() => undefined);
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('the Temporal server restarted mid-bulk (state kept): the bulk resumes and completes', async () => {
    const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-temporal-restart-'));
    const grpc = await freePort();
    const env = { ...process.env, TEMPORAL_PORT: String(grpc), TEMPORAL_UI_PORT: String(await freePort()), TEMPORAL_STATE_DIR: stateDir };
    await run('bash', [SCRIPT, 'start'], { env });
    let stack: TestStack | undefined;
    try {
      stack = await startTestStack({ temporalAddress: `127.0.0.1:${grpc}` });
      for (const id of ['t1', 't2', 't3']) await stack.addAccount({ id });
      const video = await stack.addVideo('restart.mp4', { durationSec: 4 });
      const res = await stack.api('POST', '/bulk-uploads', { taskId: 'restart', videos: [{ path: video }], accountIds: ['t1', 't2', 't3'], options: { concurrency: 1 } });
      assert.equal(res.status, 202);
      const s = stack;
      await waitFor('the first account to start', async () => (await logLines(s, 'restart')) >= 3);

      await run('bash', [SCRIPT, 'stop'], { env });
      await new Promise((r) => setTimeout(r, 2_000));
      await run('bash', [SCRIPT, 'start'], { env });

      const result = await stack.env.client.workflow.getHandle(bulkUploadWorkflowId('restart')).result();
      assert.equal(result.status, 'completed');
      const posts = await demoPosts(stack.demo);
      assert.deepEqual(posts.map((p) => p.account).sort(), ['t1-user', 't2-user', 't3-user']);
    } finally {
      await stack?.close().catch(() => undefined);
      await run('bash', [SCRIPT, 'stop'], { env }).catch(() => undefined);
      await fs.rm(stateDir, { recursive: true, force: true });
    }
  });
});
