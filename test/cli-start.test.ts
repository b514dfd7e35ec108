/**
 * A bulk started with the README's `temporal workflow start` command runs exactly like one
 * started through the HTTP API: same activities in the same order, same database rows,
 * same search attributes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { BULK_UPLOAD_WORKFLOW, accountUploadWorkflowId, bulkUploadWorkflowId } from '../contracts/names';
import { BulkUploadAccount, BulkUploadTask, VideoData } from '../database/entities';
import { demoPosts, startTestStack, type TestStack } from './fixtures/stack';

const run = promisify(execFile);
const TEMPORAL = process.env.CLIPFLEET_TEMPORAL_CLI ?? 'temporal';

/** The README's `temporal workflow start` command, for one task id and input file. */
async function startFromCli(stack: TestStack, taskId: string, inputFile: string): Promise<void> {
  const { taskQueue, address } = stack.config.temporal;
  await run(TEMPORAL, [
    'workflow',
    'start',
    '--type',
    BULK_UPLOAD_WORKFLOW,
    '--task-queue',
    taskQueue,
    '--workflow-id',
    bulkUploadWorkflowId(taskId),
    '--input-file',
    inputFile,
    '--address',
    address,
  ]);
}

async function activityTypes(stack: TestStack, workflowId: string): Promise<string[]> {
  const history = await stack.env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
}

async function listByTask(stack: TestStack, taskId: string): Promise<string[]> {
  for (let i = 0; i < 50; i++) {
    const ids: string[] = [];
    // Scoped to this run's task queue: the dev server keeps executions of earlier runs.
    const query = `BulkTaskId = "${taskId}" AND TaskQueue = "${stack.config.temporal.taskQueue}"`;
    for await (const wf of stack.env.client.workflow.list({ query })) ids.push(wf.workflowId);
    if (ids.length >= 3) return ids.sort();
    await new Promise((r) => setTimeout(r, 200));
  }
  return [];
}

describe('starting a bulk from the Temporal CLI', { timeout: 300_000 }, () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack();
    await stack.addAccount({ id: 'cli-1' });
    await stack.addAccount({ id: 'cli-2' });
  });
  after(async () => stack?.close());

  it('runs exactly as one started through the API', async () => {
    const video = await stack.addVideo('cli.mp4');
    const body = (taskId: string) => ({ taskId, videos: [{ path: video, caption: 'from the CLI' }], accountIds: ['cli-1', 'cli-2'], options: { concurrency: 2 } });

    const viaApi = await stack.api('POST', '/bulk-uploads', body('via-api'));
    assert.equal(viaApi.status, 202);
    const inputFile = path.join(stack.dir, 'bulk.json');
    await fs.writeFile(inputFile, JSON.stringify(body('via-cli')));
    await startFromCli(stack, 'via-cli', inputFile);

    const [apiResult, cliResult] = await Promise.all(['via-api', 'via-cli'].map((t) => stack.env.client.workflow.getHandle(bulkUploadWorkflowId(t)).result()));
    assert.equal(cliResult.status, 'completed');
    assert.deepEqual({ ...cliResult, taskId: 'x' }, { ...apiResult, taskId: 'x' });
    assert.deepEqual(await activityTypes(stack, bulkUploadWorkflowId('via-cli')), await activityTypes(stack, bulkUploadWorkflowId('via-api')));
    assert.deepEqual(await activityTypes(stack, accountUploadWorkflowId('via-cli', 'cli-1')), await activityTypes(stack, accountUploadWorkflowId('via-api', 'cli-1')));

    const em = stack.deps.orm.em.fork();
    for (const taskId of ['via-api', 'via-cli']) {
      assert.equal((await em.findOneOrFail(BulkUploadTask, taskId)).status, 'completed');
      assert.equal(await em.count(BulkUploadAccount, { task: taskId, status: 'completed' }), 2);
      assert.equal(await em.count(VideoData, { task: taskId, status: 'published' }), 2);
      assert.deepEqual(await listByTask(stack, taskId), [bulkUploadWorkflowId(taskId), accountUploadWorkflowId(taskId, 'cli-1'), accountUploadWorkflowId(taskId, 'cli-2')]);
    }
    assert.equal((await demoPosts(stack.demo)).length, 4);
  });

  it('rejects a malformed CLI input with a non-retryable error naming the field', async () => {
    const inputFile = path.join(stack.dir, 'bad.json');
    await fs.writeFile(inputFile, JSON.stringify({ taskId: 'bad-cli', videos: [], accountIds: ['cli-1'] }));
    await startFromCli(stack, 'bad-cli', inputFile);
    await assert.rejects(stack.env.client.workflow.getHandle(bulkUploadWorkflowId('bad-cli')).result(), (err: Error & { cause?: Error }) => {
      assert.match(err.cause?.message ?? '', /videos: must list at least one video/);
      return true;
    });
  });

  it('npm run bulk -- run refuses an unknown account and a non-video up front, naming each field', async () => {
    const video = await stack.addVideo('cli-ok.mp4');
    await fs.writeFile(path.join(stack.config.media.root, 'readme.mp4'), 'not a video at all\n');
    const inputFile = path.join(stack.dir, 'refused.json');
    await fs.writeFile(inputFile, JSON.stringify({ taskId: 'cli-refused', videos: [{ path: video }, { path: 'readme.mp4' }], accountIds: ['cli-1', 'cli-ghost'] }));
    const cli = run(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'scripts', 'bulk.ts'), 'run', inputFile], { env: { ...process.env, ...stack.envVars } });
    await assert.rejects(cli, (err: Error & { code?: number; stderr?: string }) => {
      assert.equal(err.code, 2, 'bad input exits with 2');
      assert.match(err.stderr ?? '', /videos\.1\.path: not a video: readme\.mp4/);
      assert.match(err.stderr ?? '', /accountIds\.1: unknown account "cli-ghost": create it first with PUT \/accounts/);
      return true;
    });
    await assert.rejects(stack.env.client.workflow.getHandle(bulkUploadWorkflowId('cli-refused')).describe(), WorkflowNotFoundError, 'no workflow was started');
  });
});
