/**
 * Faults on the platform side and at the operator's hand, on one real stack: a flaky
 * platform, an expired session, a cancel mid-bulk; and a full bulk whose known password
 * must appear nowhere outside the encrypted column.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CancelledFailure, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { accountUploadWorkflowId, bulkUploadWorkflowId } from '../../contracts/names';
import { Account, BulkUploadAccount, BulkUploadTask, LogLine } from '../../database/entities';
import { demoPosts, setDemoFaults, startTestStack, type TestStack } from '../fixtures/stack';
import { PAGE_LOADS } from '../../platforms/form-adapter';
import { collectLeakSearch } from '../fixtures/leak-search';
import { waitFor } from '../fixtures/wait';

async function startBulk(stack: TestStack, body: Record<string, unknown>): Promise<void> {
  const res = await stack.api('POST', '/bulk-uploads', body);
  assert.equal(res.status, 202, await res.clone().text());
}

const result = (stack: TestStack, taskId: string) => stack.env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).result();

describe('faults: platform and operator', { timeout: 600_000 }, () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack();
  });
  after(async () => stack?.close());

  it('a flaky, slow platform: retries succeed and still one post per (account, video)', async () => {
    for (const id of ['f1', 'f2', 'f3']) await stack.addAccount({ id });
    const video = await stack.addVideo('flaky.mp4');
    // A 503 on one request in seven, slow uploads, and the first page load failing every try,
    // so that (one account at a time) the first upload attempt fails for certain and is retried.
    await setDemoFaults(stack.demo, { failRate: 0.15, failNext: PAGE_LOADS, slowUploadMs: 800 });
    try {
      await startBulk(stack, { taskId: 'flaky', videos: [{ path: video }], accountIds: ['f1', 'f2', 'f3'], options: { concurrency: 1 } });
      assert.equal((await result(stack, 'flaky')).status, 'completed');
    } finally {
      await setDemoFaults(stack.demo, null);
    }
    const posts = (await demoPosts(stack.demo)).filter((p) => ['f1-user', 'f2-user', 'f3-user'].includes(p.account));
    assert.deepEqual(posts.map((p) => p.account).sort(), ['f1-user', 'f2-user', 'f3-user']);
    const lines = await stack.deps.orm.em.fork().find(LogLine, { task: 'flaky' });
    assert.ok(
      lines.some((l) => /upload attempt \d+ of video-1 failed/.test(l.message)),
      'at least one attempt failed and was retried',
    );
  });

  it('an expired session: signs in again, saves the new session, publishes', async () => {
    const em = stack.deps.orm.em.fork();
    const before = (await em.findOneOrFail(Account, 'f1')).sessionEnc;
    assert.ok(before, 'the first bulk stored a session');
    const expired = await fetch(`${stack.demo.url}/api/accounts/f1-user/expire-sessions`, { method: 'POST' });
    assert.ok(expired.ok);

    const video = await stack.addVideo('after-expiry.mp4');
    await startBulk(stack, { taskId: 'expired', videos: [{ path: video }], accountIds: ['f1'] });
    assert.equal((await result(stack, 'expired')).status, 'completed');
    const after = (await stack.deps.orm.em.fork().findOneOrFail(Account, 'f1')).sessionEnc;
    assert.ok(after && after !== before, 'a new session was saved');
    assert.equal((await demoPosts(stack.demo, 'f1-user')).length, 2);
  });

  it('cancel mid-bulk: children and activities stop, every status says cancelled, nothing is left running', async () => {
    for (const id of ['c1', 'c2', 'c3', 'c4']) await stack.addAccount({ id });
    const video = await stack.addVideo('cancel.mp4', { durationSec: 10 });
    const variantsDir = path.join(stack.config.media.variantsDir, 'cancelled');
    const partials = async () => (await fs.readdir(variantsDir, { recursive: true })).filter((f) => String(f).endsWith('.partial'));
    await setDemoFaults(stack.demo, { slowUploadMs: 20_000 });
    try {
      await startBulk(stack, { taskId: 'cancelled', videos: [{ path: video }], accountIds: ['c1', 'c2', 'c3', 'c4'], options: { concurrency: 2 } });
      const handle = stack.env.client.workflow.getHandle(bulkUploadWorkflowId('cancelled'));
      // The cancel must land while ffmpeg is writing a variant, or this test proves nothing
      // about stopping it: wait for its partial file, and fail if it never appears.
      await waitFor('ffmpeg to be writing a variant of the bulk', async () => (await partials()).length > 0, 60_000);
      await handle.cancel();
      await assert.rejects(handle.result(), (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
    } finally {
      await setDemoFaults(stack.demo, null);
    }
    const em = stack.deps.orm.em.fork();
    assert.equal((await em.findOneOrFail(BulkUploadTask, 'cancelled')).status, 'cancelled');
    const accounts = await em.find(BulkUploadAccount, { task: 'cancelled' });
    assert.deepEqual(
      accounts.map((a) => a.status),
      ['cancelled', 'cancelled', 'cancelled', 'cancelled'],
    );

    // With two at a time and 20 s uploads, c1 and c2 had started and c3, c4 had not.
    const childStatus = async (accountId: string) => {
      try {
        return (await stack.env.client.workflow.getHandle(accountUploadWorkflowId('cancelled', accountId)).describe()).status.name;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return 'never started';
        throw err;
      }
    };
    const children: Record<string, string> = {};
    for (const accountId of ['c1', 'c2', 'c3', 'c4']) children[accountId] = await childStatus(accountId);
    assert.deepEqual(children, { c1: 'CANCELLED', c2: 'CANCELLED', c3: 'never started', c4: 'never started' });
    assert.equal((await demoPosts(stack.demo)).filter((p) => p.account.startsWith('c')).length, 0);

    const run = promisify(execFile);
    // pgrep exits 1 when nothing matches; any other failure (no pgrep at all) is the test's.
    const ffmpegOfThisStack = async () =>
      (
        await run('pgrep', ['-f', `ffmpeg.*${stack.dir}`]).catch((err: unknown) => {
          if ((err as { code?: unknown }).code === 1) return { stdout: '' };
          throw err;
        })
      ).stdout.trim();
    await waitFor('no ffmpeg of this stack to be left', async () => (await ffmpegOfThisStack()) === '', 10_000);
    assert.deepEqual(await partials(), [], 'no partial file left');
    assert.equal(stack.deps.browserPool.stats().active, 0, 'no browser context left open');
  });

  it('a known password appears in no history, Redis key, log or API response', async () => {
    const password = 'Kn0wn-Pa55word-for-leak-search';
    await stack.addAccount({ id: 'leak', password });
    const video = await stack.addVideo('leak.mp4');
    const started = await stack.api('POST', '/bulk-uploads', { taskId: 'leak', videos: [{ path: video }], accountIds: ['leak'] });
    assert.equal((await result(stack, 'leak')).status, 'completed');

    const search = await collectLeakSearch(stack, {
      workflowIds: [bulkUploadWorkflowId('leak'), accountUploadWorkflowId('leak', 'leak')],
      apiUrls: ['/bulk-uploads/leak', '/bulk-upload/leak/logs/', '/bulk-upload/leak/logs/?account=leak', '/accounts'],
      responses: [await started.text()],
    });
    for (const { where, text } of search.places) assert.ok(!text.includes(password), `the password leaked into ${where}`);
    assert.ok(search.places.find((p) => p.where === 'workflow histories')!.text.includes('leak'), 'the history search is looking at real content');
    assert.equal(search.databaseBytes.indexOf(password), -1, 'the database file holds it only encrypted');
  });
});
