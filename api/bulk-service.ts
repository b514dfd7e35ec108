/**
 * Starting and reading bulks: the one place that turns a validated input into a running
 * BulkUpload, and a task id into its status. The API routes and the `bulk` command use it.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../config';
import type { TaskStatus } from '../contracts/activities';
import type { BulkUploadInput } from '../contracts/bulk-input';
import { BULK_UPLOAD_WORKFLOW, BulkTaskIdAttribute, PlatformAttribute, bulkUploadWorkflowId } from '../contracts/names';
import { BulkUploadAccount, BulkUploadTask, VideoData } from '../database/entities';
import type { Orm } from '../database/orm';
import type { BulkProgress } from '../workflows/bulk-upload';

/** Raised when a task id is already used by another bulk. */
export class BulkAlreadyExistsError extends Error {
  override name = 'BulkAlreadyExistsError';
}

/** Starts a BulkUpload for an already validated input; throws BulkAlreadyExistsError for a used task id. */
export async function startBulk(client: Client, temporal: Config['temporal'], input: BulkUploadInput) {
  const workflowId = bulkUploadWorkflowId(input.taskId);
  try {
    const handle = await client.workflow.start(BULK_UPLOAD_WORKFLOW, {
      taskQueue: temporal.taskQueue,
      workflowId,
      args: [input],
      typedSearchAttributes: [
        { key: BulkTaskIdAttribute, value: input.taskId },
        { key: PlatformAttribute, value: input.platform },
      ],
      staticSummary: `Bulk ${input.taskId}: ${input.videos.length} video(s) × ${input.accountIds.length} account(s) on ${input.platform}`,
    });
    return { workflowId, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new BulkAlreadyExistsError(`task id "${input.taskId}" is already used by workflow ${workflowId}; choose another taskId`);
    }
    throw err;
  }
}

export interface BulkStatus {
  taskId: string;
  workflowId: string;
  /** The database's status; the workflow's own when the task is not registered yet. */
  status: string;
  workflowStatus?: string;
  total: number;
  completed: number;
  failed: number;
  running: number;
  createdAt?: string;
  finishedAt?: string | null;
  accounts: {
    accountId: string;
    status: string;
    currentStep?: string | null;
    error?: string | null;
    videos: { videoId: string; status: string; filePath?: string | null; sha256?: string | null; postId?: string | null; postUrl?: string | null; error?: string | null }[];
  }[];
}

/** Reads a bulk's status from the database and Temporal; null when neither knows it. */
export async function readBulkStatus(client: Client, orm: Orm, taskId: string): Promise<BulkStatus | null> {
  const workflowId = bulkUploadWorkflowId(taskId);
  let workflowStatus: string | undefined;
  let progress: BulkProgress | undefined;
  try {
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    workflowStatus = description.status.name;
    if (workflowStatus === 'RUNNING') progress = await handle.query<BulkProgress>('progress').catch(() => undefined);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const em = orm.em.fork();
  const task = await em.findOne(BulkUploadTask, taskId);
  if (!task && !workflowStatus) return null;
  const accounts = task ? await em.find(BulkUploadAccount, { task }, { orderBy: { id: 'asc' } }) : [];
  const videos = task ? await em.find(VideoData, { task }, { orderBy: { id: 'asc' } }) : [];
  const count = (s: string) => accounts.filter((a) => a.status === s).length;
  // Grouped once: the dashboard polls this, and a bulk can hold thousands of accounts.
  const videosByAccount = new Map<string, VideoData[]>();
  for (const v of videos) {
    const list = videosByAccount.get(v.accountId);
    if (list) list.push(v);
    else videosByAccount.set(v.accountId, [v]);
  }
  return {
    taskId,
    workflowId,
    status: task?.status ?? (workflowStatus === 'RUNNING' ? 'running' : (workflowStatus ?? 'unknown').toLowerCase()),
    workflowStatus,
    total: task?.accountCount ?? progress?.total ?? 0,
    completed: count('completed'),
    failed: count('failed'),
    running: count('running'),
    createdAt: task?.createdAt.toISOString(),
    finishedAt: task?.finishedAt?.toISOString() ?? null,
    accounts: accounts.map((a) => ({
      accountId: a.accountId,
      status: a.status,
      currentStep: a.currentStep,
      error: a.error,
      videos: (videosByAccount.get(a.accountId) ?? []).map((v) => ({ videoId: v.videoId, status: v.status, filePath: v.filePath, sha256: v.sha256, postId: v.postId, postUrl: v.postUrl, error: v.error })),
    })),
  };
}

/** One bulk in a list: what it is and how far it got. */
export interface BulkSummary {
  taskId: string;
  workflowId: string;
  platform: string;
  status: string;
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  running: number;
  createdAt: string;
  finishedAt: string | null;
}

/** Filters of the bulk list; dates are inclusive bounds on the creation time. */
export interface BulkListFilter {
  status?: TaskStatus[];
  since?: Date;
  until?: Date;
  limit: number;
  offset: number;
}

/** Bulks newest first, with per-account counts for a progress bar. */
export async function listBulks(orm: Orm, filter: BulkListFilter): Promise<{ bulks: BulkSummary[]; total: number }> {
  const em = orm.em.fork();
  const createdAt = { ...(filter.since ? { $gte: filter.since } : {}), ...(filter.until ? { $lte: filter.until } : {}) };
  const where = {
    ...(filter.status?.length ? { status: { $in: filter.status } } : {}),
    ...(filter.since || filter.until ? { createdAt } : {}),
  };
  const [tasks, total] = await em.findAndCount(BulkUploadTask, where, { orderBy: { createdAt: 'desc', id: 'asc' }, limit: filter.limit, offset: filter.offset });
  const bulks = await Promise.all(
    tasks.map(async (t) => {
      // Counted per page of tasks, not loaded: one bulk may hold ten thousand accounts.
      const [completed, failed, cancelled, running] = await Promise.all(
        (['completed', 'failed', 'cancelled', 'running'] as const).map((status) => em.fork().count(BulkUploadAccount, { task: t.id, status })),
      );
      return {
        taskId: t.id,
        workflowId: t.workflowId,
        platform: t.platform,
        status: t.status,
        total: t.accountCount,
        completed: completed!,
        failed: failed!,
        cancelled: cancelled!,
        running: running!,
        createdAt: t.createdAt.toISOString(),
        finishedAt: t.finishedAt?.toISOString() ?? null,
      };
    }),
  );
  return { bulks, total };
}

/** Raised when a bulk cannot be acted on (unknown, or already finished). */
export class BulkStateError extends Error {
  override name = 'BulkStateError';
  constructor(
    message: string,
    readonly status: 404 | 409,
  ) {
    super(message);
  }
}

/**
 * Requests cancellation of a running bulk. The workflow cancels its children (their parent
 * close policy is REQUEST_CANCEL), records `cancelled` on each running account and on the
 * task, and logs it: the API only asks, the workflow writes the outcome.
 */
export async function cancelBulk(client: Client, taskId: string): Promise<{ workflowId: string }> {
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
}

/**
 * Starts a new run of a finished bulk over only its failed (or cancelled) accounts. Nothing
 * done is redone: each variant is reused (same seed, same file) and a video already
 * published is skipped by uploadViaBrowser.
 */
export async function retryFailedAccounts(client: Client, orm: Orm, temporal: Config['temporal'], taskId: string): Promise<{ workflowId: string; accountIds: string[] }> {
  const em = orm.em.fork();
  const task = await em.findOne(BulkUploadTask, taskId);
  if (!task) throw new BulkStateError(`no bulk upload with task id "${taskId}"`, 404);
  const { status } = await client.workflow.getHandle(bulkUploadWorkflowId(taskId)).describe();
  if (status.name === 'RUNNING') throw new BulkStateError(`bulk "${taskId}" is still running; retry its failed accounts once it has finished`, 409);
  const failed = await em.find(BulkUploadAccount, { task, status: { $in: ['failed', 'cancelled'] } }, { orderBy: { id: 'asc' } });
  if (failed.length === 0) throw new BulkStateError(`bulk "${taskId}" has no failed or cancelled accounts to retry`, 409);
  const videos = new Map<string, { id: string; path: string; caption: string }>();
  for (const v of await em.find(VideoData, { task }, { orderBy: { id: 'asc' } })) {
    if (!videos.has(v.videoId)) videos.set(v.videoId, { id: v.videoId, path: v.originalPath, caption: v.caption });
  }
  const accountIds = failed.map((a) => a.accountId);
  const options = { uniquifyPreset: task.options.uniquifyPreset as BulkUploadInput['options']['uniquifyPreset'], concurrency: task.options.concurrency, dryRun: task.options.dryRun ?? false };
  const { workflowId } = await startBulk(client, temporal, { taskId, platform: task.platform, videos: [...videos.values()], accountIds, options });
  return { workflowId, accountIds };
}
