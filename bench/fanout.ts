/**
 * Fan-out benchmark (`npm run bench:fanout [-- --accounts 100,1000] [--videos 1]`): bulks
 * of N accounts in dry-run mode (every activity runs and records for real; no encode, no
 * browser) on the real Temporal dev server and worker, against a plain loop that calls the
 * same activity functions directly, with the same concurrency, without Temporal. Prints
 * wall time, children per second, the longest history of any run of the parent (continue-
 * as-new keeps it bounded) and the orchestration overhead; writes bench/results/fanout.json.
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment, TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities';
import { loadConfig } from '../config';
import { bulkUploadWorkflowId } from '../contracts/names';
import { Account } from '../database/entities';
import { makeSampleVideo } from '../media';
import { bundleWorkflows, createWorker } from '../workers/create-worker';
import { openRuntimeDeps, type RuntimeDeps } from '../workers/runtime-deps';
import type { BulkUploadResult } from '../workflows/bulk-upload';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const SIZES = flag('accounts', '100,1000').split(',').map(Number);
const VIDEOS = Number(flag('videos', '1'));
const CONCURRENCY = Number(flag('concurrency', '100'));

Runtime.install({ logger: new DefaultLogger('WARN') });

async function createAccounts(deps: RuntimeDeps, ids: string[]): Promise<void> {
  const em = deps.orm.em.fork();
  const passwordEnc = deps.secrets.encrypt('bench-password');
  for (let i = 0; i < ids.length; i += 500) {
    await em.insertMany(Account, ids.slice(i, i + 500).map((id) => ({ id, platform: 'demo', username: `${id}-user`, passwordEnc, createdAt: new Date(), updatedAt: new Date() })));
  }
}

/** The same steps as AccountUpload, called directly: the work without the orchestration. */
async function plainLoop(deps: RuntimeDeps, taskId: string, accountIds: string[], videos: { id: string; path: string; caption: string }[]): Promise<number> {
  const acts = createActivities(deps);
  const env = new MockActivityEnvironment({ attempt: 1 });
  const call = <A extends unknown[], R>(fn: (...a: A) => Promise<R>, ...a: A) => env.run(fn, ...a);
  const t0 = performance.now();
  await call(acts.registerTask, { taskId, platform: 'demo', videos, accountIds, options: { uniquifyPreset: 'fast', concurrency: CONCURRENCY, dryRun: true }, workflowId: `plain-${taskId}` });
  await call(acts.appendLog, { taskId, level: 'info', message: `bulk ${taskId}` });
  let next = 0;
  const worker = async () => {
    while (next < accountIds.length) {
      const accountId = accountIds[next++]!;
      await call(acts.recordAccountStatus, { taskId, accountId, status: 'running', currentStep: 'starting' });
      await call(acts.appendLog, { taskId, accountId, level: 'info', message: `account ${accountId}` });
      for (const video of videos) {
        await call(acts.recordAccountStatus, { taskId, accountId, status: 'running', currentStep: 'uniquifying' });
        await call(acts.appendLog, { taskId, accountId, level: 'info', message: 'uniquifying' });
        const variant = (await call(acts.uniquifyVideo, { taskId, accountId, videoId: video.id, sourcePath: video.path, preset: 'fast', dryRun: true })) as { filePath: string };
        await call(acts.appendLog, { taskId, accountId, level: 'info', message: 'variant ready' });
        await call(acts.recordAccountStatus, { taskId, accountId, status: 'running', currentStep: 'uploading' });
        await call(acts.uploadViaBrowser, { taskId, accountId, videoId: video.id, platform: 'demo', filePath: variant.filePath, caption: video.caption, dryRun: true });
        await call(acts.appendLog, { taskId, accountId, level: 'info', message: 'published' });
      }
      await call(acts.recordAccountStatus, { taskId, accountId, status: 'completed', currentStep: 'done' });
      await call(acts.appendLog, { taskId, accountId, level: 'info', message: 'done' });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, accountIds.length) }, worker));
  await call(acts.recordTaskStatus, { taskId, status: 'completed' });
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-bench-fanout-'));
  const config = loadConfig({
    TEMPORAL_TASK_QUEUE: `bench-fanout-${randomBytes(3).toString('hex')}`,
    REDIS_URL: 'redis://127.0.0.1:6379/14',
    DB_NAME: path.join(dir, 'bench.sqlite'),
    SECRETS_KEY: randomBytes(32).toString('base64'),
    MEDIA_ROOT: path.join(dir, 'media'),
    VARIANTS_DIR: path.join(dir, 'variants'),
    ARTIFACTS_DIR: path.join(dir, 'artifacts'),
  });
  const deps = await openRuntimeDeps(config, { consoleLogs: false });
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: config.temporal.address, namespace: config.temporal.namespace });
  const worker = await createWorker({ connection: env.nativeConnection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, deps, workflowBundle: await bundleWorkflows(), maxConcurrentActivityTaskExecutions: 200 });
  const running = worker.run();
  const videos = [];
  for (let v = 0; v < VIDEOS; v++) {
    const rel = `bench-${v}.mp4`;
    await makeSampleVideo({ outputPath: path.join(config.media.root, rel), width: 160, height: 120, durationSec: 1, fps: 10, pattern: `fanout-${v}` });
    videos.push({ id: `video-${v + 1}`, path: rel, caption: `bench ${v}` });
  }

  const rows = [];
  try {
    for (const n of SIZES) {
      const run = randomBytes(3).toString('hex');
      const accountIds = Array.from({ length: n }, (_, i) => `acc-${run}-${i}`);
      await createAccounts(deps, accountIds);
      const taskId = `fanout-${n}-${run}`;
      const t0 = performance.now();
      await env.client.workflow.start('BulkUpload', { taskQueue: config.temporal.taskQueue, workflowId: bulkUploadWorkflowId(taskId), args: [{ taskId, videos, accountIds, options: { concurrency: CONCURRENCY, dryRun: true } }] });
      const result = await env.client.workflow.getHandle<() => Promise<BulkUploadResult>>(bulkUploadWorkflowId(taskId)).result();
      const wall = (performance.now() - t0) / 1000;
      const histories: number[] = [];
      for await (const wf of env.client.workflow.list({ query: `WorkflowId = "${bulkUploadWorkflowId(taskId)}"` })) histories.push(wf.historyLength);
      const plainIds = accountIds.map((id) => id);
      const plain = await plainLoop(deps, `plain-${taskId}`, plainIds, videos);
      const row = {
        accounts: n,
        videosPerAccount: VIDEOS,
        status: result.status,
        wallSeconds: +wall.toFixed(2),
        childrenPerSecond: +(n / wall).toFixed(1),
        parentRuns: histories.length,
        maxParentHistoryEvents: Math.max(...histories),
        plainLoopSeconds: +plain.toFixed(2),
        overheadRatio: +(wall / plain).toFixed(2),
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  } finally {
    worker.shutdown();
    await running;
    await deps.redis.flushdb();
    await deps.close();
    await env.teardown();
    await fs.rm(dir, { recursive: true, force: true });
  }

  console.log('\naccounts  status     wall s  children/s  parent runs  max history  plain loop s  Temporal/plain');
  for (const r of rows) {
    console.log(`${String(r.accounts).padStart(8)}  ${r.status.padEnd(9)}  ${String(r.wallSeconds).padStart(6)}  ${String(r.childrenPerSecond).padStart(10)}  ${String(r.parentRuns).padStart(11)}  ${String(r.maxParentHistoryEvents).padStart(11)}  ${String(r.plainLoopSeconds).padStart(12)}  ${String(r.overheadRatio).padStart(14)}`);
  }
  const versions = { node: process.version, temporalCli: execFileSync(process.env.CLIPFLEET_TEMPORAL_CLI ?? 'temporal', ['--version']).toString().trim() };
  await fs.mkdir(path.join(__dirname, 'results'), { recursive: true });
  await fs.writeFile(path.join(__dirname, 'results', 'fanout.json'), JSON.stringify({ benchmark: 'fanout', date: new Date().toISOString(), cores: os.cpus().length, cpu: os.cpus()[0]?.model, versions, concurrency: CONCURRENCY, rows }, null, 2) + '\n');
}

// The Temporal runtime keeps the process alive: exit once the results are written.
main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
