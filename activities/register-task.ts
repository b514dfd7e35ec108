import { RegisterTaskInputSchema, type RegisterTaskInput, type RegisterTaskResult } from '../contracts/activities';
import { videosForAccount } from '../contracts/bulk-input';
import { FAILURE } from '../contracts/failure-types';
import { Account, BulkUploadAccount, BulkUploadTask, VideoData } from '../database/entities';
import { resolveVideoPath } from '../media';
import { accountUploadWorkflowId } from '../contracts/names';
import { platformKind } from '../contracts/platforms';
import type { ActivityDeps } from './deps';
import { nonRetryable, parseActivityInput, toActivityFailure } from './errors';

const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * registerTask: the bulk's first activity. Upserts the task, one row per account and one
 * `VideoData` per (account, video), so a bulk started with `temporal workflow start` ends up
 * in the database exactly like one started through the API. Checks every video path lies
 * under MEDIA_ROOT before any work starts. Idempotent: rows that exist are kept. A task id
 * already registered with another input's fingerprint is refused (a retry of a bulk's failed
 * accounts carries the bulk's own fingerprint).
 */
export function makeRegisterTask({ orm, media, platform }: Pick<ActivityDeps, 'orm' | 'media' | 'platform'>) {
  return async function registerTask(request: RegisterTaskInput): Promise<RegisterTaskResult> {
    const input = parseActivityInput('registerTask', RegisterTaskInputSchema, request);
    try {
      // A browser platform exists when this worker loaded its site file; the adapter lookup says so, or throws UnknownPlatformError.
      if (platformKind(input.platform) === 'browser') platform(input.platform);
      for (const video of input.videos) await resolveVideoPath(media.root, video.path, media.maxVideoBytes);
    } catch (err) {
      throw toActivityFailure(err);
    }

    return orm.em.fork().transactional(async (em) => {
      let task = await em.findOne(BulkUploadTask, input.taskId);
      if (!task) {
        task = em.create(BulkUploadTask, {
          id: input.taskId,
          platform: input.platform,
          workflowId: input.workflowId,
          status: 'running',
          options: input.options,
          accountCount: input.accountIds.length,
          inputFingerprint: input.fingerprint,
        });
        await em.flush();
      } else if (task.inputFingerprint && task.inputFingerprint !== input.fingerprint) {
        throw nonRetryable(FAILURE.InvalidInput, `taskId: task id "${input.taskId}" is already used by another bulk with different input; choose another taskId`);
      } else if (task.finishedAt) {
        // A new run of a finished bulk (its failed accounts retried): running again.
        task.status = 'running';
        task.finishedAt = null;
        await em.flush();
      }

      const known = new Set<string>();
      const existingRows = new Set<string>();
      const existingVideos = new Set<string>();
      for (const ids of chunks(input.accountIds)) {
        for (const a of await em.find(Account, { id: { $in: ids }, platform: input.platform }, { fields: ['id'] })) known.add(a.id);
      }
      // Accounts of the task outside this run (a retry runs over the failed ones only) count
      // towards the bulk's outcome by how they ended.
      const inRun = new Set(input.accountIds);
      const earlier = { completed: 0, failed: 0, cancelled: 0 };
      for (const row of await em.find(BulkUploadAccount, { task }, { fields: ['accountId', 'status'] })) {
        existingRows.add(row.accountId);
        if (inRun.has(row.accountId)) continue;
        if (row.status === 'completed') earlier.completed++;
        else if (row.status === 'cancelled') earlier.cancelled++;
        else earlier.failed++;
      }
      for (const v of await em.find(VideoData, { task }, { fields: ['accountId', 'videoId'] })) existingVideos.add(`${v.accountId}/${v.videoId}`);

      const accountRows = input.accountIds
        .filter((id) => !existingRows.has(id))
        .map((accountId) => ({
          task: task.id,
          accountId,
          workflowId: accountUploadWorkflowId(input.taskId, accountId),
          status: 'pending' as const,
          createdAt: new Date(),
          updatedAt: new Date(),
        }));
      const videoRows = input.accountIds.flatMap((accountId) =>
        videosForAccount(input.videos, accountId)
          .filter((v) => !existingVideos.has(`${accountId}/${v.id}`))
          .map((v) => ({
            task: task.id,
            accountId,
            videoId: v.id,
            originalPath: v.path,
            caption: v.caption,
            status: 'pending' as const,
            createdAt: new Date(),
            updatedAt: new Date(),
          })),
      );
      for (const rows of chunks(accountRows)) await em.insertMany(BulkUploadAccount, rows);
      for (const rows of chunks(videoRows)) await em.insertMany(VideoData, rows);

      return { unknownAccountIds: input.accountIds.filter((id) => !known.has(id)), earlier };
    });
  };
}
