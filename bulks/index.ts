/**
 * The bulk use cases, in one place for every front end (HTTP API, dashboard, CLI,
 * benchmarks): admit and start a bulk, read one, list them, cancel one, retry its failed
 * accounts. Built from its dependencies by {@link createBulkService}.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../config';
import type { BulkUploadInput } from '../contracts/bulk-input';
import { BulkTaskIdAttribute, PlatformAttribute, bulkUploadWorkflowId } from '../contracts/names';
import { BulkUploadAccount, BulkUploadTask, VideoData } from '../database/entities';
import type { Orm } from '../database/orm';
import { BulkUpload, type BulkUploadStart } from '../workflows/bulk-upload';
import { admitBulk, registeredTask, type AdmittedBulk } from './admit';
import { BulkConflictError, BulkStateError } from './errors';
import { bulkFingerprint } from './fingerprint';
import { listBulks, readBulkStatus, type BulkListFilter } from './status';
import { createBulkSteering } from './steer';
import { getApiPlatform, platformOptions } from '../platforms/registry';

export { BulkConflictError, BulkInputError, BulkStateError, type FieldIssue } from './errors';
export type { BulkListFilter, BulkStatus, BulkSummary } from './status';
export type { AdmittedBulk } from './admit';
export type { BulkPlan, PlanEntry } from './steer';

export interface BulkServiceDeps {
  temporal: Client;
  orm: Orm;
  config: Pick<Config, 'temporal' | 'media' | 'youtube' | 'tiktok' | 'instagram' | 'demoPlatform' | 'platforms'>;
}

/** A bulk that was started, or found already started with the same input. */
export interface StartedBulk {
  taskId: string;
  workflowId: string;
  /** The first run's id, when this request started the bulk. */
  runId?: string;
  /** True when this request found the bulk already there (same task id, same input): nothing new was started. */
  alreadyStarted: boolean;
}

/** Memo on each bulk's workflow: what a later request with the same task id is compared with. */
interface BulkMemo {
  fingerprint?: string;
}

/** The bulk use cases over one Temporal client and database. */
export function createBulkService(deps: BulkServiceDeps) {
  const { temporal: client, orm, config } = deps;
  // Read once: the site files are the platforms this process started with.
  const platforms = platformOptions(config);

  /**
   * Is this task id free for this bulk? `existing` for the same input (idempotent), a
   * {@link BulkConflictError} naming `taskId` for other input, `free` when unused. The
   * database says which bulks exist; Temporal is asked only about a bulk still running that
   * has not registered yet. A closed workflow the database does not know (input refused,
   * database replaced) leaves its id free.
   */
  async function taskIdUse(taskId: string, fingerprint: string): Promise<'free' | 'existing'> {
    const conflict = (since: string) =>
      new BulkConflictError(`task id "${taskId}" is already used by another bulk (${since}) with different input; choose another taskId, or send the same input to see that bulk`);
    const task = await registeredTask(orm, taskId);
    if (task) {
      if (task.inputFingerprint && task.inputFingerprint !== fingerprint) throw conflict(`${task.status}, created ${task.createdAt.toISOString()}`);
      return 'existing';
    }
    let description;
    try {
      description = await client.workflow.getHandle(bulkUploadWorkflowId(taskId)).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'free';
      throw err;
    }
    if (description.status.name !== 'RUNNING') return 'free';
    const memo = (description.memo ?? {}) as BulkMemo;
    if (memo.fingerprint !== fingerprint) throw conflict('running');
    return 'existing';
  }

  async function startWorkflow(input: BulkUploadInput, start: BulkUploadStart, fingerprint: string, reuse: WorkflowIdReusePolicy) {
    const workflowId = bulkUploadWorkflowId(input.taskId);
    const handle = await client.workflow.start(BulkUpload, {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      args: [start],
      workflowIdReusePolicy: reuse,
      memo: { fingerprint } satisfies BulkMemo,
      typedSearchAttributes: [
        { key: BulkTaskIdAttribute, value: input.taskId },
        { key: PlatformAttribute, value: input.platform },
      ],
      staticSummary: `Bulk ${input.taskId}: ${input.videos.length} video(s) × ${input.accountIds.length} account(s) on ${input.platform}`,
    });
    return { workflowId, runId: handle.firstExecutionRunId };
  }

  /** Every up-front check of a bulk request (see {@link admitBulk}); throws BulkInputError. */
  function admit(raw: unknown): Promise<AdmittedBulk> {
    return admitBulk({ orm, media: config.media, browserPlatforms: platforms.sites, apiPlatform: (name) => getApiPlatform(name, platforms) }, raw);
  }

  /**
   * Starts an admitted bulk. The same task id with the same input is idempotent (the bulk
   * already there is returned); with other input it is a {@link BulkConflictError}.
   */
  async function start({ input, fingerprint }: AdmittedBulk): Promise<StartedBulk> {
    const workflowId = bulkUploadWorkflowId(input.taskId);
    // Twice at most: a start that lost a race to another request is judged again, against
    // what that request started.
    for (let attempt = 1; ; attempt++) {
      if ((await taskIdUse(input.taskId, fingerprint)) === 'existing') return { taskId: input.taskId, workflowId, alreadyStarted: true };
      try {
        const { runId } = await startWorkflow(input, input, fingerprint, WorkflowIdReusePolicy.ALLOW_DUPLICATE);
        return { taskId: input.taskId, workflowId, runId, alreadyStarted: false };
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError) || attempt >= 2) throw err;
      }
    }
  }

  return {
    admit,
    start,
    ...createBulkSteering({ client, orm }),

    /** Admits and starts a bulk: what `POST /bulk-uploads` and `npm run bulk -- run` do. */
    async submit(raw: unknown): Promise<StartedBulk & { input: BulkUploadInput }> {
      const admitted = await admit(raw);
      return { ...(await start(admitted)), input: admitted.input };
    },

    /** A bulk's status and per-account progress; null when nothing knows the task id. */
    status(taskId: string) {
      return readBulkStatus(client, orm, taskId);
    },

    /** Bulks newest first, with per-account counts. */
    list(filter: BulkListFilter) {
      return listBulks(orm, filter);
    },

    /**
     * Requests cancellation of a running bulk. The workflow cancels its children (their
     * parent close policy is REQUEST_CANCEL), records `cancelled` on each unfinished account
     * and on the task, and logs it: this only asks, the workflow writes the outcome.
     */
    async cancel(taskId: string): Promise<{ workflowId: string }> {
      const workflowId = bulkUploadWorkflowId(taskId);
      const handle = client.workflow.getHandle(workflowId);
      try {
        const { status } = await handle.describe();
        if (status.name !== 'RUNNING') throw new BulkStateError(`bulk "${taskId}" is not running (workflow ${status.name.toLowerCase()}); nothing to cancel`, 409);
        await handle.cancel();
        return { workflowId };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new BulkStateError(`no bulk upload with task id "${taskId}"`, 404);
        throw err;
      }
    },

    /**
     * Starts a new run of a finished bulk over only its failed (or cancelled) accounts.
     * Nothing done is redone: each variant is reused (same seed, same file) and a video
     * already published is skipped by the upload.
     */
    async retryFailed(taskId: string): Promise<{ workflowId: string; accountIds: string[] }> {
      const em = orm.em.fork();
      const task = await em.findOne(BulkUploadTask, taskId);
      if (!task) throw new BulkStateError(`no bulk upload with task id "${taskId}"`, 404);
      const running = await client.workflow
        .getHandle(bulkUploadWorkflowId(taskId))
        .describe()
        .then(
          (d) => d.status.name === 'RUNNING',
          // Temporal has forgotten it (past retention): the database's record is what is left.
          (err: unknown) => (err instanceof WorkflowNotFoundError ? false : Promise.reject(err)),
        );
      if (running) throw new BulkStateError(`bulk "${taskId}" is still running; retry its failed accounts once it has finished`, 409);
      // Every account that did not publish: failed, cancelled, or left pending or running by
      // a bulk that was terminated.
      const failed = await em.find(BulkUploadAccount, { task, status: { $ne: 'completed' } }, { orderBy: { id: 'asc' } });
      if (failed.length === 0) throw new BulkStateError(`bulk "${taskId}" has no failed or cancelled accounts to retry`, 409);
      const accountIds = failed.map((a) => a.accountId);
      const retried = new Set(accountIds);
      // A video of an imported plan goes to some accounts only: it keeps going to just those.
      const videos = new Map<string, BulkUploadInput['videos'][number] & { accountIds: string[] }>();
      const rows = await em.find(VideoData, { task }, { orderBy: { id: 'asc' } });
      for (const v of rows) {
        const video = videos.get(v.videoId) ?? { id: v.videoId, path: v.originalPath, caption: v.caption, accountIds: [] };
        if (retried.has(v.accountId)) video.accountIds.push(v.accountId);
        videos.set(v.videoId, video);
      }
      const everyVideoToEveryAccount = [...videos.values()].every((v) => v.accountIds.length === accountIds.length);
      const retryVideos = [...videos.values()].filter((v) => v.accountIds.length > 0).map(({ accountIds: to, ...v }) => (everyVideoToEveryAccount ? v : { ...v, accountIds: to }));
      const input: BulkUploadInput = { taskId, platform: task.platform, videos: retryVideos, accountIds, options: task.options };
      // The bulk keeps its own fingerprint: the task id still belongs to the same bulk.
      const fingerprint = task.inputFingerprint ?? bulkFingerprint(input);
      try {
        const { workflowId } = await startWorkflow(input, { kind: 'retry-failed', input, fingerprint }, fingerprint, WorkflowIdReusePolicy.ALLOW_DUPLICATE);
        return { workflowId, accountIds };
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw new BulkStateError(`bulk "${taskId}" is running again already`, 409);
        throw err;
      }
    },
  };
}

/** The bulk use cases; see {@link createBulkService}. */
export type BulkService = ReturnType<typeof createBulkService>;
