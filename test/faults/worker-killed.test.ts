/**
 * Fault: the worker is killed with SIGKILL in the middle of a bulk (5 accounts × 2 videos,
 * uniquifying and uploading). A new worker takes over; the bulk completes and the demo
 * platform holds exactly one post per (account, video).
 */
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { bulkUploadWorkflowId, taskLogsKey } from '../../contracts/names';
import { demoPosts, startTestStack, type TestStack } from '../fixtures/stack';
import { waitFor } from '../fixtures/wait';
import { startWorkerProcess } from '../fixtures/worker-process';

describe('fault: worker killed mid-bulk', { timeout: 400_000 }, () => {
  let stack: TestStack;
  const workers: ChildProcess[] = [];
  before(async () => {
    stack = await startTestStack({ worker: false });
  });
  after(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await stack?.close();
  });

  it('completes after SIGKILL and a new worker, with one post per (account, video)', async () => {
    const accountIds = ['k1', 'k2', 'k3', 'k4', 'k5'];
    for (const id of accountIds) await stack.addAccount({ id });
    const videos = [await stack.addVideo('kill-a.mp4', { durationSec: 4 }), await stack.addVideo('kill-b.mp4', { durationSec: 4 })];
    const taskId = `killed-${Date.now()}`;

    const first = startWorkerProcess(stack);
    workers.push(first);
    const res = await stack.api('POST', '/bulk-uploads', { taskId, videos: videos.map((p) => ({ path: p, caption: p })), accountIds, options: { concurrency: 5 } });
    assert.equal(res.status, 202);

    // Kill once some work is published and some is still in flight.
    await waitFor(
      'a first published line',
      async () => {
        const lines = await stack.deps.redis.xrange(taskLogsKey(taskId), '-', '+');
        return lines.some(([, f]) => (f[1] ?? '').includes('): published: '));
      },
      120_000,
    );
    // Its Chromium is a child of the worker process: remember it to check it goes away.
    const { stdout: children } = await promisify(execFile)('pgrep', ['-P', String(first.pid)]).catch(() => ({ stdout: '' }));
    const orphans = children.trim().split('\n').filter(Boolean).map(Number);
    assert.ok(orphans.length > 0, 'the worker had a browser or ffmpeg running when killed');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const postsAtKill = (await demoPosts(stack.demo)).length;
    assert.ok(postsAtKill < 10, 'the kill happened mid-bulk');

    workers.push(startWorkerProcess(stack));
    const result = await stack.env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).result();
    assert.equal(result.status, 'completed');

    const posts = await demoPosts(stack.demo);
    assert.equal(posts.length, 10, 'exactly one post per (account, video)');
    const perAccount = new Map<string, number>();
    for (const p of posts) perAccount.set(p.account, (perAccount.get(p.account) ?? 0) + 1);
    assert.deepEqual([...perAccount.values()], [2, 2, 2, 2, 2]);
    assert.equal(new Set(posts.map((p) => p.sha256)).size, 10);

    await waitFor(
      "the killed worker's Chromium and ffmpeg to exit",
      async () =>
        orphans.every((pid) => {
          try {
            process.kill(pid, 0);
            return false;
          } catch {
            return true;
          }
        }),
      30_000,
    );
    // The killed worker's ffmpeg children do not outlive the bulk.
    await waitFor(
      "no ffmpeg left on this test's files",
      async () => {
        const { stdout } = await promisify(execFile)('pgrep', ['-f', `ffmpeg.*${stack.dir}`]).catch(() => ({ stdout: '' }));
        return stdout.trim() === '';
      },
      30_000,
    );
  });
});
