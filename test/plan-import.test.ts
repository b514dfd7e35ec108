/**
 * Importing a plan through `POST /bulk-uploads/import` on a real stack (Temporal dev server,
 * worker, Redis, SQLite, ffmpeg, Chromium, the demo platform): a plan with bad rows is
 * refused with every line and column before anything starts; a good one starts the bulk it
 * describes, each video going only to the accounts its rows name.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { bulkUploadWorkflowId } from '../contracts/names';
import { BulkUploadTask } from '../database/entities';
import { API_TOKEN, demoPosts, startTestStack, type TestStack } from './fixtures/stack';

interface Refusal {
  error: string;
  issues: { line?: number; field: string; message: string }[];
}

/** Posts a CSV plan as `text/csv`, the bulk named in the query. */
function postCsv(stack: TestStack, csv: string, query: Record<string, string>): Promise<Response> {
  return Promise.resolve(
    stack.app.request(`/bulk-uploads/import?${new URLSearchParams(query)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'text/csv; charset=utf-8' },
      body: csv,
    }),
  );
}

/** Nothing of the bulk exists: no task row in the database, no workflow in Temporal. */
async function assertNothingStarted(stack: TestStack, taskId: string): Promise<void> {
  assert.equal(await stack.deps.orm.em.fork().count(BulkUploadTask, { id: taskId }), 0, 'no task was registered');
  await assert.rejects(stack.env.client.workflow.getHandle(bulkUploadWorkflowId(taskId)).describe(), WorkflowNotFoundError, 'no workflow was started');
}

describe('importing a plan', { timeout: 300_000 }, () => {
  const run = randomBytes(3).toString('hex');
  const ann = `ann-${run}`;
  const bob = `bob-${run}`;
  let stack: TestStack;
  let clip1: string;
  let clip2: string;
  before(async () => {
    stack = await startTestStack();
    await stack.addAccount({ id: ann });
    await stack.addAccount({ id: bob });
    clip1 = await stack.addVideo('plan-1.mp4', { durationSec: 1 });
    clip2 = await stack.addVideo('plan-2.mp4', { durationSec: 1 });
  });
  after(async () => stack?.close());

  it('refuses a CSV with a missing file, an unknown account and an unreadable time, naming all three lines, and starts nothing', async () => {
    const taskId = `plan-bad-${run}`;
    const csv = [
      'video,caption,account,publishAt',
      `${clip1},fine,${ann},2026-11-25 09:00`,
      `clips/nowhere.mp4,missing file,${ann},`,
      `${clip2},"who, exactly?",zed,`,
      `${clip2},when?,${bob},next tuesday`,
    ].join('\r\n');
    const res = await postCsv(stack, csv, { taskId, platform: 'demo', options: JSON.stringify({ schedule: { timeZone: 'Europe/Berlin' } }) });
    assert.equal(res.status, 400);
    const body = (await res.json()) as Refusal;
    assert.deepEqual(
      body.issues.map((i) => [i.line, i.field]),
      [
        [3, 'video'],
        [4, 'account'],
        [5, 'publishAt'],
      ],
    );
    assert.match(body.issues[0]!.message, /^video not found: clips\/nowhere\.mp4/);
    assert.match(body.issues[1]!.message, /^unknown account "zed": create it first with PUT \/accounts/);
    assert.match(body.issues[2]!.message, /^cannot read "next tuesday" as a time/);
    assert.match(body.error, /line 3: video: video not found.*; line 4: account: unknown account "zed".*; line 5: publishAt: cannot read/);
    await assertNothingStarted(stack, taskId);
  });

  it('refuses JSON rows the same way, a row being its 1-based index', async () => {
    const taskId = `plan-json-${run}`;
    const res = await stack.api('POST', '/bulk-uploads/import', {
      taskId,
      platform: 'demo',
      rows: [
        { video: clip1, account: ann },
        { video: clip1, account: 'zed' },
      ],
    });
    assert.equal(res.status, 400);
    assert.deepEqual(
      ((await res.json()) as Refusal).issues.map((i) => [i.line, i.field]),
      [[2, 'account']],
    );
    await assertNothingStarted(stack, taskId);
  });

  it('starts the bulk a good CSV describes: each account gets exactly the videos of its rows', async () => {
    const taskId = `plan-good-${run}`;
    const csv = ['Video,Caption,Account', `${clip1},first clip,${ann}`, `${clip2},second clip,${ann}`, `${clip2},second clip,${bob}`, ''].join('\n');
    const res = await postCsv(stack, csv, { taskId, platform: 'demo' });
    assert.equal(res.status, 202, await res.clone().text());
    const started = (await res.json()) as { taskId: string; workflowId: string; alreadyStarted: boolean; links: { status: string } };
    assert.equal(started.taskId, taskId);
    assert.equal(started.alreadyStarted, false);
    assert.ok(started.links.status.endsWith(`/bulk-uploads/${taskId}`));

    const result = await stack.env.client.workflow.getHandle(started.workflowId).result();
    assert.equal(result.status, 'completed');

    const captions = async (account: string) => (await demoPosts(stack.demo, `${account}-user`)).map((p) => p.caption).sort();
    assert.deepEqual(await captions(ann), ['first clip', 'second clip']);
    assert.deepEqual(await captions(bob), ['second clip']);

    const again = await postCsv(stack, csv, { taskId, platform: 'demo' });
    assert.equal(again.status, 202);
    assert.equal(((await again.json()) as { alreadyStarted: boolean }).alreadyStarted, true, 'the same plan under the same task id starts nothing new');
  });
});
