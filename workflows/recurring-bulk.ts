/**
 * RecurringBulk: one fire of a recurring bulk's Temporal Schedule. Takes the newest videos
 * of its folder (or hands its Drive folder on) and starts one BulkUpload for them as an
 * abandoned child, then ends: the bulk may wait days for its accounts' slots, and the
 * schedule's overlap policy (SKIP) must never hold a later fire back for that.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import { ParentClosePolicy, log, proxyActivities, setCurrentDetails, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BulkUploadRequest } from '../contracts/bulk-input';
import { NON_RETRYABLE_FAILURES } from '../contracts/failure-types';
import { BulkTaskIdAttribute, PlatformAttribute, bulkUploadWorkflowId } from '../contracts/names';
import { ScheduledStartTimeAttribute, recurringTaskId, type RecurringBulkInput, type RecurringBulkResult } from '../contracts/recurring-bulk';
import { BulkUpload } from './bulk-upload';

// ---- activities ----

// A listing and a few probes: quick. A folder that is gone fails the fire at once
// (non-retryable); the schedule's next fire looks again.
const { pickNewestVideos } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES] },
});

// ---- helpers ----

/**
 * When this fire was scheduled for: the server sets it on every workflow a schedule starts.
 * A workflow started by hand has none, and counts from its own start.
 */
function scheduledTime(): Date {
  const info = workflowInfo();
  return info.typedSearchAttributes.get(ScheduledStartTimeAttribute) ?? info.startTime;
}

/** The bulk this fire starts, or undefined when its folder holds no video. */
async function bulkRequest(input: RecurringBulkInput, taskId: string): Promise<BulkUploadRequest | undefined> {
  const { platform, accountIds, options } = input;
  if ('driveFolder' in input.source) {
    // The bulk itself lists and downloads the Drive folder, newest first (`maxFiles` = newest).
    return { taskId, platform, accountIds, driveFolder: input.source.driveFolder, ...(options ? { options } : {}) };
  }
  const picked = await pickNewestVideos({ folder: input.source.folder, newest: input.newest });
  if (picked.length === 0) return undefined;
  const videos = picked.map((v) => ({ path: v.path, caption: input.caption ?? v.name }));
  return { taskId, platform, accountIds, videos, ...(options ? { options } : {}) };
}

// ---- workflow ----

/** Starts this fire's bulk: the newest videos to the recurring bulk's accounts. */
export async function RecurringBulk(input: RecurringBulkInput): Promise<RecurringBulkResult> {
  const taskId = recurringTaskId(input.name, scheduledTime());
  const request = await bulkRequest(input, taskId);
  if (!request) {
    log.info('recurring bulk: the folder holds no video; no bulk this time', { name: input.name, taskId });
    setCurrentDetails(`no video in ${'folder' in input.source ? input.source.folder : 'the folder'}: no bulk`);
    return { taskId, videos: 0 };
  }
  const videos = request.videos?.length ?? 0;
  const workflowId = bulkUploadWorkflowId(taskId);
  try {
    await startChild(BulkUpload, {
      workflowId,
      args: [request],
      // The bulk outlives this fire: it publishes in the accounts' slots, maybe over days.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // One scheduled time is one bulk, ever: a closed bulk is not started again under its id.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: BulkTaskIdAttribute, value: taskId },
        { key: PlatformAttribute, value: input.platform },
      ],
      staticSummary: `Bulk ${taskId} (recurring ${input.name}): ${videos ? `${videos} video(s)` : 'the Drive folder'} × ${input.accountIds.length} account(s) on ${input.platform}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    log.info('recurring bulk: this fire started its bulk already', { name: input.name, taskId });
    return { taskId, workflowId, videos, alreadyStarted: true };
  }
  setCurrentDetails(`started bulk **${taskId}**`);
  return { taskId, workflowId, videos };
}
