/**
 * `npm run bench:fanout [-- --accounts 100,1000 --mode dry]`
 *
 * Bulks of N accounts on the real Temporal dev server and worker, against a plain loop that
 * calls the same activity functions directly, with the same concurrency, without Temporal.
 * The ratio of the two is the orchestration's cost.
 *
 * - `--mode dry` (default): the activities' dry-run mode. Every activity runs and records for
 *   real (database rows, log lines in SQLite and Redis), but nothing is encoded and no browser
 *   opens: what is left is almost all orchestration, so this measures its ceiling.
 * - `--mode real`: real uniquify of a real clip and a real upload through Chromium to the
 *   demo platform: the overhead a user pays on top of work of realistic size.
 *
 * Besides wall time it reads the CPU the worker process and the Temporal server spent per
 * account (the server from its pid file, `.temporal/temporal.pid`, when it runs here), and
 * the history length of every run of the parent (continue-as-new keeps each under 10,000).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { MockActivityEnvironment, TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities';
import { loadConfig } from '../config';
import type { UniquifyPreset } from '../contracts/bulk-input';
import { Account } from '../database/entities';
import { startDemoPlatform } from '../demo-platform/server';
import { makeSampleVideo } from '../media';
import { bundleWorkflows, createWorker } from '../workers/create-worker';
import { openWorkerRuntime, type WorkerRuntime } from '../runtime';
import { BulkUpload, progressQuery, type BulkUploadResult } from '../workflows/bulk-upload';
import { createBulkService } from '../bulks';
import { bulkFingerprint } from '../bulks/fingerprint';
import { parseBulkUploadInput } from '../contracts/bulk-input';
import { benchRedisUrl, flags, intFlag, intListFlag, machineInfo, main, round, run, saveResult, type ResultTable } from './lib';

type Mode = 'dry' | 'real';
type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
interface TemporalRun {
  result: BulkUploadResult;
  wall: number;
  /** Events in each run of the parent. */
  histories: number[];
  workerCpu: number;
  serverCpu: number | null;
}
interface Video {
  id: string;
  path: string;
  caption: string;
}

const ROOT = path.join(__dirname, '..');

let clockTicks: number | undefined;

/** CPU seconds (user + system) of a process by pid, from /proc; null where unreadable. */
async function processCpuSeconds(pid: number | null): Promise<number | null> {
  if (!pid) return null;
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return null;
  // Fields after the command (which may hold spaces) start at ") "; utime and stime are the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  clockTicks ??= Number((await run('getconf', ['CLK_TCK']).catch(() => ({ stdout: '100' }))).stdout.trim()) || 100;
  return ticks / clockTicks;
}

/** The local Temporal server's pid (started by temporal-dev.sh), if it runs on this machine. */
async function temporalServerPid(): Promise<number | null> {
  const file = path.join(process.env.TEMPORAL_STATE_DIR ?? path.join(ROOT, '.temporal'), 'temporal.pid');
  const pid = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
  if (!pid) return null;
  return (await processCpuSeconds(pid)) === null ? null : pid;
}

/** Events in each run of a workflow, following continue-as-new from its first run. */
async function runHistoryLengths(client: Client, workflowId: string, firstRunId: string): Promise<number[]> {
  const lengths: number[] = [];
  for (let runId: string | undefined = firstRunId; runId;) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    lengths.push(events.length);
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return lengths;
}

/** The Temporal CLI's version line (it names the dev server's version too). */
async function temporalVersion(): Promise<string> {
  const cli = process.env.CLIPFLEET_TEMPORAL_CLI ?? 'temporal';
  return (await run(cli, ['--version']).catch(() => ({ stdout: 'unknown' }))).stdout.trim();
}

function workerCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Creates the accounts in the database, and on the demo platform when uploads are real. */
async function createAccounts(deps: WorkerRuntime, ids: string[], demoUrl: string | null): Promise<void> {
  const em = deps.orm.em.fork();
  const passwordEnc = deps.secrets.encrypt('bench-password');
  for (let i = 0; i < ids.length; i += 500) {
    await em.insertMany(
      Account,
      ids.slice(i, i + 500).map((id) => ({ id, platform: 'demo', username: `${id}-user`, passwordEnc, createdAt: new Date(), updatedAt: new Date() })),
    );
  }
  if (!demoUrl) return;
  for (const id of ids) {
    const res = await fetch(`${demoUrl}/api/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: `${id}-user`, password: 'bench-password' }),
    });
    if (!res.ok) throw new Error(`demo platform refused account ${id}: ${res.status} ${await res.text()}`);
  }
}

/** The same activity calls as AccountUpload makes, called directly: the work without the orchestration. */
async function plainLoop(
  deps: WorkerRuntime,
  taskId: string,
  accountIds: string[],
  videos: Video[],
  opts: { concurrency: number; dryRun: boolean; preset: UniquifyPreset },
): Promise<number> {
  const acts = createActivities(deps);
  // Each call its own activity id in a run of its own, as in a workflow: appendLog keys its
  // lines by them, and a key seen before would skip the work.
  let seq = 0;
  const workflowExecution = { workflowId: `plain-${taskId}`, runId: taskId };
  const call = <A extends unknown[], R>(fn: (...a: A) => Promise<R>, ...a: A) =>
    new MockActivityEnvironment({ attempt: 1, activityId: String(++seq), workflowExecution }).run(fn, ...a);
  const dry = opts.dryRun ? { dryRun: true } : {};
  const t0 = performance.now();
  await call(acts.registerTask, {
    taskId,
    platform: 'demo',
    videos,
    accountIds,
    options: { uniquifyPreset: opts.preset, concurrency: opts.concurrency, ...dry },
    workflowId: `plain-${taskId}`,
    fingerprint: `plain-${taskId}`,
  });
  await call(acts.appendLog, { taskId, level: 'info', message: `bulk ${taskId}` });
  let next = 0;
  const worker = async () => {
    while (next < accountIds.length) {
      const accountId = accountIds[next++]!;
      const mark = (status: 'running' | 'completed', currentStep: string, ...messages: string[]) =>
        call(acts.appendLog, { taskId, accountId, lines: messages.map((message) => ({ level: 'info' as const, message })), accountStatus: { status, currentStep } });
      let carry = [`account ${accountId}`];
      for (const video of videos) {
        await mark('running', 'uniquifying', ...carry, 'uniquifying');
        const variant = (await call(acts.uniquifyVideo, { taskId, accountId, videoId: video.id, sourcePath: video.path, preset: opts.preset, ...dry })) as { filePath: string };
        await mark('running', 'uploading', 'variant ready');
        await call(acts.uploadViaBrowser, { taskId, accountId, videoId: video.id, platform: 'demo', filePath: variant.filePath, caption: video.caption, ...dry });
        carry = ['published'];
      }
      await mark('completed', 'done', ...carry, 'done');
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, accountIds.length) }, worker));
  await call(acts.recordTaskStatus, { taskId, status: 'completed', completedAccounts: accountIds.length, failedAccounts: 0 });
  await call(acts.appendLog, { taskId, level: 'info', message: `bulk ${taskId}: completed` });
  return (performance.now() - t0) / 1000;
}

main(async () => {
  const opts = flags('Fan-out: bulks of N accounts through Temporal against a plain loop over the same activities.', {
    mode: 'dry',
    accounts: '',
    videos: '1',
    concurrency: '',
    'workflow-threads': '1',
    'activity-slots': '',
    'clip-seconds': '4',
    repeat: '2',
  });
  if (opts.mode !== 'dry' && opts.mode !== 'real') throw new Error(`--mode must be dry or real, got "${opts.mode}"`);
  const mode: Mode = opts.mode;
  const dryRun = mode === 'dry';
  const sizes = intListFlag('accounts', opts.accounts || (dryRun ? '100,1000' : '12'));
  const videoCount = intFlag('videos', opts.videos);
  // Real work is CPU-bound (ffmpeg): as many accounts at a time as there are cores.
  const concurrency = intFlag('concurrency', opts.concurrency || (dryRun ? '100' : String(os.cpus().length)));
  const workflowThreads = intFlag('workflow-threads', opts['workflow-threads']);
  const activitySlots = intFlag('activity-slots', opts['activity-slots'] || String(dryRun ? 200 : Math.max(4, concurrency * 2)));
  const clipSeconds = intFlag('clip-seconds', opts['clip-seconds']);
  const repeat = intFlag('repeat', opts.repeat);
  const preset: UniquifyPreset = 'fast';

  Runtime.install({ logger: new DefaultLogger('WARN') });
  const started = performance.now();
  const machine = await machineInfo();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clipfleet-bench-fanout-'));
  const demo = dryRun ? null : await startDemoPlatform({ dataDir: path.join(dir, 'demo-platform'), port: 0 });
  const config = loadConfig({
    ...process.env,
    TEMPORAL_TASK_QUEUE: `bench-fanout-${randomBytes(3).toString('hex')}`,
    REDIS_URL: benchRedisUrl(),
    DB_NAME: path.join(dir, 'bench.sqlite'),
    SECRETS_KEY: randomBytes(32).toString('base64'),
    MEDIA_ROOT: path.join(dir, 'media'),
    VARIANTS_DIR: path.join(dir, 'variants'),
    ARTIFACTS_DIR: path.join(dir, 'artifacts'),
    ...(demo ? { DEMO_PLATFORM_URL: demo.url, BROWSER_CONCURRENCY: String(concurrency) } : {}),
  });
  const deps = await openWorkerRuntime(config, { consoleLogs: false });
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: config.temporal.address, namespace: config.temporal.namespace });
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deps,
    workflowBundle: await bundleWorkflows(),
    maxConcurrentActivityTaskExecutions: activitySlots,
    workflowThreadPoolSize: workflowThreads,
  });
  const running = worker.run();
  const bulks = createBulkService({ temporal: env.client, orm: deps.orm, config });
  const serverPid = await temporalServerPid();

  const videos: Video[] = [];
  for (let v = 0; v < videoCount; v++) {
    const rel = `bench-${v}.mp4`;
    const size = dryRun ? { width: 160, height: 120, durationSec: 1, fps: 10 } : { width: 720, height: 1280, durationSec: clipSeconds, fps: 30 };
    await makeSampleVideo({ outputPath: path.join(config.media.root, rel), ...size, pattern: `fanout-${v}` });
    videos.push({ id: `video-${v + 1}`, path: rel, caption: `bench ${v}` });
  }

  // Both sides find Chromium already running, as a worker's second bulk would.
  if (!dryRun) await deps.browserPool.withContext({}, async (_context, page) => void (await page.goto(`${demo!.url}/`)));

  const rows: (string | number)[][] = [];
  const summary: Record<string, unknown> = {};
  let overallMaxHistory = 0;
  try {
    for (const n of sizes) {
      /** One bulk through Temporal: wall time, CPU, and each parent run's history length. */
      const viaTemporal = async (accountIds: string[], taskId: string): Promise<TemporalRun> => {
        const cpu0 = { worker: workerCpuSeconds(), server: await processCpuSeconds(serverPid) };
        const t0 = performance.now();
        // Started as the API starts a bulk, without the admission checks (they are not orchestration).
        const input = parseBulkUploadInput({ taskId, videos, accountIds, options: { concurrency, uniquifyPreset: preset, dryRun } });
        const started = await bulks.start({ input, fingerprint: bulkFingerprint(input) });
        const handle = env.client.workflow.getHandle<typeof BulkUpload>(started.workflowId);
        const progress = setInterval(() => {
          handle.query(progressQuery).then(
            (p) => process.stdout.write(`\r  ${n} accounts: ${p.completed + p.failed}/${n} done, ${((performance.now() - t0) / 1000).toFixed(0)} s `),
            () => undefined,
          );
        }, 2000);
        const result = await handle.result().finally(() => clearInterval(progress));
        const wall = (performance.now() - t0) / 1000;
        const cpu1 = { worker: workerCpuSeconds(), server: await processCpuSeconds(serverPid) };
        process.stdout.write('\n');
        const histories = await runHistoryLengths(env.client, handle.workflowId, started.runId!);
        return { result, wall, histories, workerCpu: cpu1.worker - cpu0.worker, serverCpu: cpu0.server !== null && cpu1.server !== null ? cpu1.server - cpu0.server : null };
      };

      // Real work is noisy (ffmpeg and Chromium share the cores): alternate which side goes
      // first and add up the rounds. A dry run is long enough for one round.
      const rounds = dryRun ? 1 : repeat;
      const temporalRuns: TemporalRun[] = [];
      let plain = 0;
      for (let r = 0; r < rounds; r++) {
        const runId = randomBytes(3).toString('hex');
        const accountIds = Array.from({ length: n }, (_, i) => `acc-${runId}-${i}`);
        const plainIds = accountIds.map((id) => `plain-${id}`);
        await createAccounts(deps, [...accountIds, ...plainIds], demo?.url ?? null);
        const taskId = `fanout-${mode}-${n}-${runId}`;
        const plainRun = async () => (plain += await plainLoop(deps, `plain-${taskId}`, plainIds, videos, { concurrency, dryRun, preset }));
        if (r % 2 === 1) await plainRun();
        temporalRuns.push(await viaTemporal(accountIds, taskId));
        if (r % 2 === 0) await plainRun();
      }
      const wall = temporalRuns.reduce((a, t) => a + t.wall, 0);
      const histories = temporalRuns.flatMap((t) => t.histories);
      const maxHistory = Math.max(...histories);
      overallMaxHistory = Math.max(overallMaxHistory, maxHistory);
      const status = temporalRuns.every((t) => t.result.status === 'completed') ? 'completed' : temporalRuns.map((t) => t.result.status).join('/');
      const accountsDone = n * rounds;
      const serverCpus = temporalRuns.map((t) => t.serverCpu);
      const serverCpu = serverCpus.every((c): c is number => c !== null) ? round(serverCpus.reduce((a, b) => a + b, 0) / accountsDone, 3) : '-';
      const workerCpu = round(temporalRuns.reduce((a, t) => a + t.workerCpu, 0) / accountsDone, 3);
      const overhead = round(((wall - plain) / plain) * 100, 1);
      rows.push([
        rounds > 1 ? `${n} × ${rounds}` : n,
        status,
        round(wall, 1),
        round(accountsDone / wall, 1),
        temporalRuns.reduce((a, t) => a + t.histories.length, 0),
        maxHistory,
        round(plain, 1),
        round(wall / plain, 2),
        overhead,
        workerCpu,
        serverCpu,
      ]);
      summary[`accounts${n}`] = {
        status,
        rounds,
        wallSeconds: round(wall, 2),
        accountsPerSecond: round(accountsDone / wall, 1),
        parentRuns: histories.length,
        maxHistoryEvents: maxHistory,
        plainLoopSeconds: round(plain, 2),
        overheadPercent: overhead,
        workerCpuSecondsPerAccount: workerCpu,
        serverCpuSecondsPerAccount: serverCpu,
      };
      console.log(`  ${JSON.stringify(summary[`accounts${n}`])}`);
    }
  } finally {
    worker.shutdown();
    await running;
    await deps.redis.flushdb();
    await deps.close();
    await env.teardown();
    await demo?.close();
    await fs.rm(dir, { recursive: true, force: true });
  }

  const table: ResultTable = {
    title: dryRun
      ? `Fan-out, dry run: ${videoCount} video(s) per account, ${concurrency} accounts at a time`
      : `Fan-out, real work: ${videoCount} video(s) of 720x1280 ${clipSeconds} s per account (uniquify ${preset}, upload through Chromium), ${concurrency} accounts at a time`,
    columns: [
      'accounts',
      'status',
      'wall s',
      'accounts/s',
      'parent runs',
      'max history events',
      'plain loop s',
      'Temporal ÷ plain',
      'overhead %',
      'worker CPU s/account',
      'server CPU s/account',
    ],
    rows,
  };
  const first = summary[`accounts${sizes[0]}`] as { overheadPercent: number; wallSeconds: number } | undefined;
  const at1000 = summary.accounts1000 as { wallSeconds: number } | undefined;
  const last = rows.at(-1)!;
  const cpuPerAccount = Number(last[9]) + (typeof last[10] === 'number' ? last[10] : 0);
  const findings = dryRun
    ? [
        'Dry run: the activities record everything but skip encoding and the browser, so almost all of the wall time is orchestration: workflow tasks in the worker, and the server persisting every event.',
        ...(at1000 ? [`1,000 accounts took ${at1000.wallSeconds} s (target: under 60 s on 2 cores): ${at1000.wallSeconds < 60 ? 'met' : 'missed'}.`] : []),
        `The longest history of any run of the parent: ${overallMaxHistory} events (target: ≤ 10,000; the parent continues as new after 4,000).`,
        `At ${last[0]} accounts each account cost ${Math.round(Number(last[9]) * 1000)} ms of worker CPU and ${typeof last[10] === 'number' ? `${Math.round(last[10] * 1000)} ms of Temporal server CPU` : 'unmeasured server CPU'}; with both on the same ${machine.cores} cores that caps a bulk near ${cpuPerAccount ? round(machine.cores / cpuPerAccount, 1) : '?'} accounts/s, so a second machine for the server (or more workers) is the next step up.`,
        `The plain loop is the same database and Redis work without Temporal (${last[6]} s); Temporal ÷ plain (${last[7]}×) is the price of durability, retries and visibility when the work itself is near zero.`,
      ]
    : [
        `With real work (a real encode and a real upload per account), Temporal adds ${first?.overheadPercent} % to the plain loop's wall time (target: under 10 %): ${first && first.overheadPercent < 10 ? 'met' : 'missed'}.`,
      ];
  await saveResult({
    name: dryRun ? 'fanout' : 'fanout-real',
    title: dryRun ? 'Fan-out: dry-run bulks of N accounts' : 'Fan-out: orchestration overhead on real work',
    machine,
    params: {
      mode,
      temporal: await temporalVersion(),
      accounts: sizes,
      videos: videoCount,
      concurrency,
      workflowThreads,
      activitySlots,
      ...(dryRun ? {} : { clip: `720x1280 ${clipSeconds} s 30 fps`, preset, rounds: repeat }),
    },
    tables: [table],
    summary,
    findings,
    chart: dryRun
      ? {
          title: 'Fan-out, dry run',
          unit: 'accounts per second',
          higherIsBetter: true,
          bars: rows.map((r) => ({ label: `${r[0]} accounts`, value: Number(r[3]) })),
          target: { value: round(1000 / 60, 1), label: '1,000 in 60 s' },
        }
      : {
          title: 'Fan-out, real work',
          unit: 'wall seconds',
          bars: rows.flatMap((r) => [
            { label: `${r[0]} plain loop`, value: Number(r[6]) },
            { label: `${r[0]} Temporal`, value: Number(r[2]), highlight: true },
          ]),
        },
    durationSec: round((performance.now() - started) / 1000, 1),
  });
});
