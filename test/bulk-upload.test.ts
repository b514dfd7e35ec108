/**
 * The bulk upload end to end on real components: Temporal dev server, worker, Redis,
 * SQLite, ffmpeg, Chromium and the demo platform.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { accountLogsKey, accountUploadWorkflowId, bulkUploadWorkflowId, taskLogsKey } from '../contracts/names';
import { BulkUploadAccount, BulkUploadTask, LogLine, VideoData } from '../database/entities';
import { AccountUpload } from '../workflows/account-upload';
import { BulkUpload, type BulkUploadResult } from '../workflows/bulk-upload';
import { demoPosts, startTestStack, type TestStack } from './fixtures/stack';

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}

async function runBulk(stack: TestStack, body: unknown): Promise<BulkUploadResult> {
  const res = await stack.api('POST', '/bulk-uploads', body);
  assert.equal(res.status, 202, await res.clone().text());
  const started = (await res.json()) as { taskId: string; workflowId: string; links: { webUi: string } };
  assert.ok(started.links.webUi.endsWith(`/namespaces/default/workflows/${encodeURIComponent(started.workflowId)}`), started.links.webUi);
  return stack.env.client.workflow.getHandle(started.workflowId).result();
}

function streamMessages(rows: [string, string[]][]): string[] {
  return rows.map(([, fields]) => (JSON.parse(fields[1] ?? '{}') as { message: string }).message);
}

describe('bulk upload', { timeout: 600_000 }, () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack();
  });
  after(async () => {
    await stack?.close();
  });

  it('publishes 2 videos to 3 accounts: 6 posts, each a distinct uniquified file, never the original', async () => {
    const accounts = await Promise.all(['alice', 'bob', 'carol'].map((id) => stack.addAccount({ id })));
    const videos = [await stack.addVideo('clip-a.mp4'), await stack.addVideo('clip-b.mp4')];
    const originals = await Promise.all(videos.map((v) => sha256(path.join(stack.config.media.root, v))));

    const result = await runBulk(stack, {
      taskId: 'six-posts',
      videos: videos.map((p, i) => ({ path: p, caption: `clip ${i + 1} <b>bold</b>` })),
      accountIds: accounts.map((a) => a.id),
      options: { concurrency: 3 },
    });
    assert.equal(result.status, 'completed');
    assert.equal(result.completed, 3);

    const posts = await demoPosts(stack.demo);
    assert.equal(posts.length, 6);
    const hashes = posts.map((p) => p.sha256);
    assert.equal(new Set(hashes).size, 6, 'every account got its own variant');
    for (const original of originals) assert.ok(!hashes.includes(original), 'the original never reached the platform');

    const em = stack.deps.orm.em.fork();
    const rows = await em.find(VideoData, { task: 'six-posts' });
    assert.equal(rows.length, 6);
    for (const row of rows) {
      const account = accounts.find((a) => a.id === row.accountId)!;
      const post = posts.find((p) => p.id === row.postId);
      assert.ok(post, `post of ${row.accountId}/${row.videoId} is on the platform`);
      assert.equal(post.account, account.username);
      assert.ok(row.filePath?.startsWith(stack.config.media.variantsDir));
      assert.equal(post.sha256, await sha256(row.filePath!), 'the platform received exactly VideoData.file_path');
      assert.equal(row.sha256, post.sha256);
      assert.equal(row.status, 'published');
    }
    const task = await em.findOneOrFail(BulkUploadTask, 'six-posts');
    assert.equal(task.status, 'completed');
  });

  it('keeps every line in order in Redis, SQLite and the logs endpoint', async () => {
    const redis = stack.deps.redis;
    const taskLines = streamMessages(await redis.xrange(taskLogsKey('six-posts'), '-', '+'));
    assert.match(taskLines[0]!, /^bulk six-posts: 2 video\(s\) × 3 account\(s\)/);
    assert.match(taskLines.at(-1)!, /^bulk six-posts: completed: 3 completed, 0 failed/);

    const em = stack.deps.orm.em.fork();
    const task = await em.findOneOrFail(BulkUploadTask, 'six-posts', { populate: ['log'] });
    assert.deepEqual(
      task.log.getItems().map((l) => l.message),
      taskLines,
      'SQLite holds the same lines in the same order',
    );

    for (const accountId of ['alice', 'bob', 'carol']) {
      const lines = streamMessages(await redis.xrange(accountLogsKey('six-posts', accountId), '-', '+'));
      assert.match(lines[0]!, new RegExp(`^account ${accountId}: 2 video\\(s\\)`));
      const uniquified = lines.findIndex((l) => l.startsWith('video 1/2 (video-1): variant ready'));
      const published = lines.findIndex((l) => l.startsWith('video 1/2 (video-1): published: http'));
      assert.ok(uniquified >= 0 && published > uniquified, 'uniquify is logged before the upload');
      assert.match(lines.at(-1)!, new RegExp(`^account ${accountId}: 2/2 published`));
      const row = await em.findOneOrFail(BulkUploadAccount, { task: 'six-posts', accountId }, { populate: ['log'] });
      assert.deepEqual(
        row.log.getItems().map((l) => l.message),
        lines,
      );
      assert.ok(
        lines.every((l) => taskLines.includes(l)),
        'account lines are in the task stream too',
      );

      const res = await stack.api('GET', `/bulk-upload/six-posts/logs/?account=${accountId}`);
      const body = (await res.json()) as { source: string; entries: { message: string; accountId: string }[] };
      assert.equal(body.source, 'redis');
      assert.deepEqual(
        body.entries.map((e) => e.message),
        lines,
      );
    }

    const res = await stack.api('GET', '/bulk-upload/six-posts/logs/');
    assert.deepEqual(
      ((await res.json()) as { entries: { message: string }[] }).entries.map((e) => e.message),
      taskLines,
    );

    const status = (await (await stack.api('GET', '/bulk-uploads/six-posts')).json()) as { status: string; completed: number; accounts: { videos: { postUrl: string }[] }[] };
    assert.equal(status.status, 'completed');
    assert.equal(status.completed, 3);
    assert.ok(status.accounts.every((a) => a.videos.every((v) => v.postUrl.startsWith(stack.demo.url))));
  });

  it('fails only the account with a wrong password, with a clear non-retryable error', async () => {
    await stack.addAccount({ id: 'dave' });
    await stack.addAccount({ id: 'erin', platformPassword: 'the-real-password', password: 'a-wrong-password' });
    await stack.addAccount({ id: 'frank' });
    const video = await stack.addVideo('clip-c.mp4');

    const result = await runBulk(stack, { taskId: 'bad-password', videos: [{ path: video }], accountIds: ['dave', 'erin', 'frank'] });
    assert.equal(result.status, 'partially_failed');
    assert.deepEqual(result.failedAccountIds, ['erin']);
    assert.equal((await demoPosts(stack.demo, 'dave-user')).length, 1);
    assert.equal((await demoPosts(stack.demo, 'frank-user')).length, 1);
    assert.equal((await demoPosts(stack.demo, 'erin-user')).length, 0);

    const em = stack.deps.orm.em.fork();
    const erin = await em.findOneOrFail(BulkUploadAccount, { task: 'bad-password', accountId: 'erin' }, { populate: ['log'] });
    assert.equal(erin.status, 'failed');
    assert.match(erin.error ?? '', /sign-in rejected/i);
    assert.ok(erin.log.getItems().some((l) => l.level === 'error' && /Invalid username or password/.test(l.message)));
    assert.ok(!erin.log.getItems().some((l) => l.message.includes('a-wrong-password')), 'the password is never logged');
    assert.equal((await em.findOneOrFail(BulkUploadTask, 'bad-password')).status, 'partially_failed');

    // Non-retryable: the upload was attempted once, not retried.
    const history = await stack.env.client.workflow.getHandle(accountUploadWorkflowId('bad-password', 'erin')).fetchHistory();
    const uploads = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'uploadViaBrowser');
    const started = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes);
    assert.equal(uploads.length, 1);
    const uploadStart = started.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(uploads[0]?.eventId));
    assert.equal(uploadStart?.activityTaskStartedEventAttributes?.attempt, 1);
  });

  it('rejects a non-video with a clear error and never tries to upload it', async () => {
    await stack.addAccount({ id: 'gina' });
    const good = await stack.addVideo('clip-d.mp4');
    await fs.writeFile(path.join(stack.config.media.root, 'notes.mp4'), 'these are my notes, not a video\n'.repeat(100));
    const body = { taskId: 'not-a-video', videos: [{ path: 'notes.mp4' }, { path: good }], accountIds: ['gina'] };

    // The API refuses it before anything starts …
    const refused = await stack.api('POST', '/bulk-uploads', body);
    assert.equal(refused.status, 400);
    assert.deepEqual(
      ((await refused.json()) as { issues: { field: string }[] }).issues.map((i) => i.field),
      ['videos.0.path'],
    );
    // … and a bulk started around the API (as `temporal workflow start` does) fails that video alone, non-retryably.
    const handle = await stack.env.client.workflow.start(BulkUpload, { taskQueue: stack.config.temporal.taskQueue, workflowId: bulkUploadWorkflowId(body.taskId), args: [body] });
    const result = await handle.result();
    assert.equal(result.status, 'failed');
    assert.equal((await demoPosts(stack.demo, 'gina-user')).length, 1, 'the real video is still published');

    const em = stack.deps.orm.em.fork();
    const lines = (await em.find(LogLine, { task: 'not-a-video', account: { accountId: 'gina' } }, { orderBy: { id: 'asc' } })).map((l) => l.message);
    assert.ok(
      lines.some((l) => /video 1\/2 \(video-1\): failed: not a video: (media\/)?notes\.mp4/.test(l)),
      lines.join('\n'),
    );
    const notes = await em.findOneOrFail(VideoData, { task: 'not-a-video', videoId: 'video-1' });
    assert.equal(notes.status, 'pending');
    assert.equal(notes.postId, null);

    const history = await stack.env.client.workflow.getHandle(accountUploadWorkflowId('not-a-video', 'gina')).fetchHistory();
    const scheduled = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    assert.equal(scheduled.filter((n) => n === 'uploadViaBrowser').length, 1, 'only the real video reached uploadViaBrowser');
    assert.equal(scheduled.filter((n) => n === 'uniquifyVideo').length, 2);
  });
  it('an account whose child cannot start is recorded failed with the reason; the others complete', async () => {
    for (const id of ['hank', 'ivy']) await stack.addAccount({ id });
    const video = await stack.addVideo('clip-e.mp4');
    // Something else already runs under ivy's child workflow id (on a queue no worker polls).
    const blocker = await stack.env.client.workflow.start(AccountUpload, {
      taskQueue: 'nobody-polls-this',
      workflowId: accountUploadWorkflowId('child-clash', 'ivy'),
      args: [{ taskId: 'child-clash', accountId: 'ivy', platform: 'demo', videos: [], preset: 'fast' }],
    });
    try {
      const result = await runBulk(stack, { taskId: 'child-clash', videos: [{ path: video }], accountIds: ['hank', 'ivy'], options: { concurrency: 2 } });
      assert.equal(result.status, 'partially_failed');
      assert.deepEqual([result.completed, result.failed, result.failedAccountIds], [1, 1, ['ivy']]);

      const em = stack.deps.orm.em.fork();
      const ivy = await em.findOneOrFail(BulkUploadAccount, { task: 'child-clash', accountId: 'ivy' });
      assert.equal(ivy.status, 'failed');
      assert.match(ivy.error ?? '', /account ivy: .*already (started|running)/i);
      const lines = (await em.find(LogLine, { task: 'child-clash', account: { accountId: 'ivy' } })).map((l) => l.message);
      assert.ok(
        lines.some((l) => /already (started|running)/i.test(l)),
        lines.join('\n'),
      );
      assert.equal((await em.findOneOrFail(BulkUploadAccount, { task: 'child-clash', accountId: 'hank' })).status, 'completed');
    } finally {
      await blocker.terminate('test over');
    }
  });
});
