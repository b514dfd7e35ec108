/**
 * Reading bulks: one bulk's status from the database and Temporal, and the list of bulks
 * with per-account counts.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { bulkUploadWorkflowId } from '../contracts/names';
import type { AccountStatus, TaskStatus, VideoStatus } from '../contracts/statuses';
import { BulkUploadAccount, BulkUploadTask, VideoData } from '../database/entities';
import type { Orm } from '../database/orm';
import { progressQuery, type BulkProgress } from '../workflows/bulk-upload';

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
  /** True while the bulk is paused (no new upload starts). */
  paused: boolean;
  /** The zone of the bulk's schedule (planned times are shown in it); UTC without one. */
  timeZone: string;
  accounts: {
    accountId: string;
    status: AccountStatus;
    currentStep?: string | null;
    error?: string | null;
    videos: {
      videoId: string;
      status: VideoStatus;
      plannedAt?: string | null;
      filePath?: string | null;
      sha256?: string | null;
      postId?: string | null;
      postUrl?: string | null;
      error?: string | null;
    }[];
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
    // A bulk that has not registered its query yet (still checking its input) has no progress.
    if (workflowStatus === 'RUNNING') progress = await handle.query(progressQuery).catch(() => undefined);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  const em = orm.em.fork();
  const task = await em.findOne(BulkUploadTask, taskId);
  if (!task && !workflowStatus) return null;
  const accounts = task ? await em.find(BulkUploadAccount, { task }, { orderBy: { id: 'asc' } }) : [];
  const videos = task ? await em.find(VideoData, { task }, { orderBy: { id: 'asc' } }) : [];
  const count = (s: AccountStatus) => accounts.filter((a) => a.status === s).length;
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
    paused: progress?.paused ?? false,
    timeZone: task?.options.schedule?.timeZone ?? 'UTC',
    accounts: accounts.map((a) => ({
      accountId: a.accountId,
      status: a.status,
      currentStep: a.currentStep,
      error: a.error,
      videos: (videosByAccount.get(a.accountId) ?? []).map((v) => ({
        videoId: v.videoId,
        status: v.status,
        plannedAt: v.plannedAt?.toISOString() ?? null,
        filePath: v.filePath,
        sha256: v.sha256,
        postId: v.postId,
        postUrl: v.postUrl,
        error: v.error,
      })),
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
