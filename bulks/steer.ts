/**
 * Steering a running bulk: pause and resume it, move it or one of its posts to another
 * time, cancel one account's remaining posts, and read its plan. Each action only asks (a
 * signal or a cancel); the workflows carry it out and record what happened.
 */
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { accountUploadWorkflowId, bulkUploadWorkflowId } from '../contracts/names';
import { formatInZone } from '../scheduling/time';
import { BulkUploadTask, VideoData } from '../database/entities';
import type { Orm } from '../database/orm';
import type { VideoStatus } from '../contracts/statuses';
import { movePostSignal, pauseSignal, rescheduleSignal, resumeSignal } from '../workflows/signals';
import { BulkStateError } from './errors';

/** One post of a bulk's plan. */
export interface PlanEntry {
  accountId: string;
  videoId: string;
  status: VideoStatus;
  /** Plan time (ISO); null for a post published at once. */
  plannedAt: string | null;
  /** `plannedAt` in the schedule's zone, e.g. `2026-11-25 09:00 Europe/Berlin`. */
  plannedLabel: string | null;
  postUrl: string | null;
  error: string | null;
}

export interface BulkPlan {
  taskId: string;
  timeZone: string;
  posts: PlanEntry[];
}

/** The steering actions over one Temporal client and database. */
export function createBulkSteering({ client, orm }: { client: Client; orm: Orm }) {
  /** A running workflow's handle, or the 404/409 that says why there is none. */
  async function running(workflowId: string, what: string): Promise<WorkflowHandle> {
    const handle = client.workflow.getHandle(workflowId);
    try {
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING') throw new BulkStateError(`${what} is not running (workflow ${status.name.toLowerCase()})`, 409);
      return handle;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new BulkStateError(`no ${what}`, 404);
      throw err;
    }
  }

  const zoneOf = (task: BulkUploadTask) => task.options.schedule?.timeZone ?? 'UTC';

  async function scheduledTask(taskId: string): Promise<BulkUploadTask> {
    const task = await orm.em.fork().findOne(BulkUploadTask, taskId);
    if (!task) throw new BulkStateError(`no bulk upload with task id "${taskId}"`, 404);
    return task;
  }

  /** Sends to a running workflow; one that ended since it was looked at is a 409, not a 500. */
  async function send(workflowId: string, what: string, act: (handle: WorkflowHandle) => Promise<void>): Promise<{ workflowId: string }> {
    const handle = await running(workflowId, what);
    try {
      await act(handle);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new BulkStateError(`${what} has just finished`, 409);
      throw err;
    }
    return { workflowId };
  }

  return {
    /** Pauses a bulk: no new upload starts; running ones finish; planned times stay. */
    pause(taskId: string) {
      return send(bulkUploadWorkflowId(taskId), `bulk "${taskId}"`, (h) => h.signal(pauseSignal));
    },

    /** Resumes a paused bulk: posts whose time has come go out now, the rest at their times. */
    resume(taskId: string) {
      return send(bulkUploadWorkflowId(taskId), `bulk "${taskId}"`, (h) => h.signal(resumeSignal));
    },

    /** Plans every post of a bulk not yet published again, from `publishAt` on (slots, spacing and the daily maximum still apply). */
    async reschedule(taskId: string, publishAt: string) {
      const task = await scheduledTask(taskId);
      const planned = await orm.em.fork().count(VideoData, { task, plannedAt: { $ne: null } });
      if (!task.options.schedule && planned === 0)
        throw new BulkStateError(`bulk "${taskId}" has no schedule (options.schedule or a video's publishAt); it publishes at once`, 409);
      return send(bulkUploadWorkflowId(taskId), `bulk "${taskId}"`, (h) => h.signal(rescheduleSignal, { publishAt }));
    },

    /** Moves one post not yet published to exactly `publishAt`. */
    async movePost(taskId: string, accountId: string, videoId: string, publishAt: string) {
      const video = await orm.em.fork().findOne(VideoData, { task: taskId, accountId, videoId });
      if (!video) throw new BulkStateError(`bulk "${taskId}" has no video "${videoId}" for account "${accountId}"`, 404);
      if (video.status === 'published' || video.status === 'uploaded' || video.status === 'failed')
        throw new BulkStateError(`video "${videoId}" of account "${accountId}" is ${video.status === 'failed' ? '' : 'already '}${video.status}`, 409);
      if (!video.plannedAt) throw new BulkStateError(`video "${videoId}" of account "${accountId}" is not planned (its bulk publishes at once)`, 409);
      return send(accountUploadWorkflowId(taskId, accountId), `account "${accountId}" of bulk "${taskId}"`, (h) => h.signal(movePostSignal, { videoId, publishAt }));
    },

    /** Cancels one account's remaining posts; the rest of the bulk goes on. */
    async cancelAccount(taskId: string, accountId: string) {
      return send(accountUploadWorkflowId(taskId, accountId), `account "${accountId}" of bulk "${taskId}"`, async (h) => void (await h.cancel()));
    },

    /** The zone a bulk's plan is read in (its schedule's; UTC without one), without loading the plan. */
    async timeZone(taskId: string): Promise<string> {
      return zoneOf(await scheduledTask(taskId));
    },

    /** Every post of a bulk with its planned time, earliest first (posts published at once last, by account). */
    async plan(taskId: string): Promise<BulkPlan> {
      const task = await scheduledTask(taskId);
      const timeZone = zoneOf(task);
      const videos = await orm.em.fork().find(VideoData, { task }, { orderBy: { id: 'asc' } });
      const posts = videos.map((v): PlanEntry => ({
        accountId: v.accountId,
        videoId: v.videoId,
        status: v.status,
        plannedAt: v.plannedAt?.toISOString() ?? null,
        plannedLabel: v.plannedAt ? formatInZone(v.plannedAt.getTime(), timeZone) : null,
        postUrl: v.postUrl ?? null,
        error: v.error ?? null,
      }));
      posts.sort((a, b) => (a.plannedAt ?? '~').localeCompare(b.plannedAt ?? '~') || a.accountId.localeCompare(b.accountId));
      return { taskId, timeZone, posts };
    },
  };
}

export type BulkSteering = ReturnType<typeof createBulkSteering>;
