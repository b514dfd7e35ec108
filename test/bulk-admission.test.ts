/**
 * Admission: a bulk with bad input is refused when it is submitted, naming each field,
 * instead of being accepted and failing minutes later; a task id re-used with the same
 * input is idempotent, with other input it is refused naming `taskId`. Through the bulk
 * service (what the API and the CLI call), on a real stack.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BulkConflictError, BulkInputError, type BulkService } from '../bulks';
import { bulkUploadWorkflowId } from '../contracts/names';
import { BulkUploadTask } from '../database/entities';
import { bulkService } from '../runtime';
import { startTestStack, type TestStack } from './fixtures/stack';

/** The field/message pairs of a refused bulk. */
async function refused(bulks: BulkService, body: unknown): Promise<{ field: string; message: string }[]> {
  try {
    await bulks.submit(body);
  } catch (err) {
    assert.ok(err instanceof BulkInputError, `expected a BulkInputError, got ${String(err)}`);
    return err.issues;
  }
  assert.fail('the bulk was admitted');
}

describe('bulk admission', { timeout: 300_000 }, () => {
  let stack: TestStack;
  let bulks: BulkService;
  let video: string;
  before(async () => {
    stack = await startTestStack();
    bulks = bulkService(stack.deps.services, stack.env.client);
    await stack.addAccount({ id: 'adm-ann' });
    video = await stack.addVideo('adm.mp4');
  });
  after(async () => stack?.close());

  it('refuses an unknown account id, naming its position and how to create it', async () => {
    const issues = await refused(bulks, { taskId: 'adm-unknown', videos: [{ path: video }], accountIds: ['adm-ann', 'adm-nobody'] });
    assert.deepEqual(
      issues.map((i) => i.field),
      ['accountIds.1'],
    );
    assert.match(issues[0]!.message, /unknown account "adm-nobody": create it first with PUT \/accounts/);
    assert.equal(await stack.deps.orm.em.fork().count(BulkUploadTask, { id: 'adm-unknown' }), 0, 'nothing was registered');
  });

  it('refuses a file that is not a video, and a directory, naming each path', async () => {
    await fs.writeFile(path.join(stack.config.media.root, 'notes.mp4'), 'these are notes, not a video\n');
    await fs.mkdir(path.join(stack.config.media.root, 'a-folder'), { recursive: true });
    const issues = await refused(bulks, { taskId: 'adm-notvideo', videos: [{ path: video }, { path: 'notes.mp4' }, { path: 'a-folder' }], accountIds: ['adm-ann'] });
    assert.deepEqual(
      issues.map((i) => i.field),
      ['videos.1.path', 'videos.2.path'],
    );
    assert.match(issues[0]!.message, /^not a video: notes\.mp4/);
    assert.match(issues[1]!.message, /^not a video: a-folder \(it is a directory/);
  });

  it('names a missing video by the path as typed', async () => {
    const issues = await refused(bulks, { taskId: 'adm-missing', videos: [{ path: 'clips/nowhere.mp4' }], accountIds: ['adm-ann'] });
    assert.equal(issues[0]!.field, 'videos.0.path');
    assert.match(issues[0]!.message, /^video not found: clips\/nowhere\.mp4 /);
  });

  it('re-uses a task id idempotently with the same input, and refuses it with other input', async () => {
    const body = { taskId: 'adm-reuse', videos: [{ path: video }], accountIds: ['adm-ann'], options: { dryRun: true } };
    const first = await bulks.submit(body);
    assert.equal(first.alreadyStarted, false);
    // The same bulk written differently (defaults spelled out) is the same bulk.
    const again = await bulks.submit({ ...body, platform: 'demo', options: { dryRun: true, concurrency: 3, uniquifyPreset: 'fast' } });
    assert.equal(again.alreadyStarted, true);
    await assert.rejects(bulks.submit({ ...body, videos: [{ path: video, caption: 'another caption' }] }), (err: unknown) => {
      assert.ok(err instanceof BulkConflictError);
      assert.equal(err.field, 'taskId');
      assert.match(err.message, /task id "adm-reuse" is already used by another bulk/);
      return true;
    });

    // Finished, the id is still taken: other input is refused and nothing runs again.
    const handle = stack.env.client.workflow.getHandle(bulkUploadWorkflowId('adm-reuse'));
    assert.equal((await handle.result()).status, 'completed');
    const runBefore = (await handle.describe()).runId;
    await assert.rejects(bulks.submit({ ...body, accountIds: ['adm-ann'], options: { dryRun: false } }), BulkConflictError);
    assert.equal((await bulks.submit(body)).alreadyStarted, true);
    assert.equal((await handle.describe()).runId, runBefore, 'no new run of the finished bulk was started');
  });

  it('answers over HTTP: 400 naming the field, 202 again for the same input, 409 naming taskId for other input', async () => {
    // Its own id each run: the dev server keeps the workflows of earlier runs.
    const taskId = `adm-http-${Date.now().toString(36)}`;
    const unknown = await stack.api('POST', '/bulk-uploads', { taskId, videos: [{ path: video }], accountIds: ['adm-ghost'] });
    assert.equal(unknown.status, 400);
    const body = (await unknown.json()) as { error: string; issues: { field: string; message: string }[] };
    assert.deepEqual(
      body.issues.map((i) => i.field),
      ['accountIds.0'],
    );
    assert.match(body.error, /^invalid request body: accountIds\.0: unknown account "adm-ghost"/);

    const input = { taskId, videos: [{ path: video }], accountIds: ['adm-ann'], options: { dryRun: true } };
    const first = await stack.api('POST', '/bulk-uploads', input);
    assert.equal(first.status, 202);
    assert.equal(((await first.json()) as { alreadyStarted: boolean }).alreadyStarted, false);
    const again = await stack.api('POST', '/bulk-uploads', input);
    assert.equal(again.status, 202);
    assert.equal(((await again.json()) as { alreadyStarted: boolean }).alreadyStarted, true);
    // Finished, the bulk still owns its task id: other input is refused, not run as a new bulk.
    assert.equal((await stack.env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).result()).status, 'completed');
    const other = await stack.api('POST', '/bulk-uploads', { ...input, options: { dryRun: true, concurrency: 1 } });
    assert.equal(other.status, 409);
    assert.deepEqual(
      ((await other.json()) as { issues: { field: string }[] }).issues.map((i) => i.field),
      ['taskId'],
    );
  });
});
